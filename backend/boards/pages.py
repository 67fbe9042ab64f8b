"""The public pages: the landing page, and the boards of needs and of capabilities with their search."""

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from backend import access, search
from backend.auth import Principal, anyone
from backend.capabilities.models import Capability, CapabilityKind, CapabilityStatus
from backend.chains.models import IndustryChain
from backend.i18n import _, localized
from backend.labels import label
from backend.matches.models import Match, MatchStatus
from backend.needs.models import Need, NeedStatus
from backend.needs.repository import within_deadline
from backend.partnerships.models import Partnership
from backend.projects.models import JointProject
from backend.regions.models import Region, RegionLevel
from backend.scores.pages import headline
from backend.web import Db, PageQuery, page_args, render

router = APIRouter()

# The filter fields a board's GET form sends, in the order the pager repeats them.
NEED_FIELDS = ("q", "chain", "region", "trl", "language")
CAPABILITY_FIELDS = ("q", "chain", "region", "trl", "kind", "language")


def _filters(session: Session, params: dict[str, str]) -> tuple[search.BoardFilters, dict[str, str]]:
    """Board filters from the query string, leniently: an unknown or empty value means "any"."""
    f = search.BoardFilters()
    kept: dict[str, str] = {}
    chain = params.get("chain", "").strip()
    if chain:
        f.chain_id = session.scalar(select(IndustryChain.id).where(IndustryChain.code == chain[:40]))
        if f.chain_id is not None:
            kept["chain"] = chain
    region = params.get("region", "").strip()
    if region:
        f.region_id = session.scalar(select(Region.id).where(Region.code == region[:12]))
        if f.region_id is not None:
            kept["region"] = region
    trl = params.get("trl", "").strip()
    if trl.isdigit() and 1 <= int(trl) <= 9:
        f.trl = int(trl)
        kept["trl"] = trl
    kind = params.get("kind", "").strip()
    if kind in {k.value for k in CapabilityKind}:
        f.kind = CapabilityKind(kind)
        kept["kind"] = kind
    language = params.get("language", "").strip()
    if language in search.LANGUAGES:
        f.language = language
        kept["language"] = language
    q = search.clean_query(params.get("q"))
    if q:
        kept["q"] = q
    return f, kept


def _options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """(value, words) choices of the filter form; the first one of each is "any"."""
    chains = session.scalars(select(IndustryChain).order_by(IndustryChain.id))
    regions = session.scalars(select(Region).where(Region.level != RegionLevel.PROVINCE)
                              .order_by(Region.country_code != "CN", Region.code))
    any_ = ("", _("any"))
    return {
        "chain": [any_] + [(c.code, localized(c)) for c in chains],
        "region": [any_] + [(r.code, localized(r)) for r in regions],
        "trl": [any_] + [(str(n), str(n)) for n in range(1, 10)],
        "kind": [any_] + [(k.value, label(k)) for k in CapabilityKind],
        "language": [any_] + [(code, label(code)) for code in search.LANGUAGES],
    }


def _base_url(path: str, kept: dict[str, str], fields: tuple[str, ...]) -> str:
    query = urlencode([(k, kept[k]) for k in fields if k in kept])
    return f"{path}?{query}" if query else path


@router.get("/needs")
def needs_board(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(anyone())):
    limit, offset = page_args(page)
    filters, kept = _filters(session, dict(request.query_params))
    found = search.search_needs(session, viewer, kept.get("q"), filters, limit=limit, offset=offset)
    readable = {n.id for n in found.items if access.can_read_need(session, viewer, n)}
    return render(request, "boards/needs.html", needs=found.items, readable=readable, total=found.total,
                  searched=found.searched, page=page, per_page=limit, values=kept, options=_options(session),
                  base_url=_base_url("/needs", kept, NEED_FIELDS))


@router.get("/capabilities")
def capabilities_board(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(anyone())):
    limit, offset = page_args(page)
    filters, kept = _filters(session, dict(request.query_params))
    found = search.search_capabilities(session, viewer, kept.get("q"), filters, limit=limit, offset=offset)
    return render(request, "boards/capabilities.html", capabilities=found.items, total=found.total,
                  searched=found.searched, page=page, per_page=limit, values=kept, options=_options(session),
                  base_url=_base_url("/capabilities", kept, CAPABILITY_FIELDS))


def figures(session: Session, viewer: Principal) -> dict[str, int]:
    """The landing page's headline figures, counted live; open needs as many as the viewer's board lists."""
    def count(model: type, *where) -> int:  # noqa: ANN002
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    return {
        "open_needs": count(Need, Need.status == NeedStatus.OPEN, within_deadline(),
                            access.visible_needs_clause(viewer)),
        "active_capabilities": count(Capability, Capability.status == CapabilityStatus.ACTIVE),
        "accepted_matches": count(Match, Match.status == MatchStatus.ACCEPTED),
        "projects": count(JointProject),
        "partnerships": count(Partnership),
    }


@router.get("/")
def home(request: Request, session: Db, viewer: Principal = Depends(anyone())):
    has_sample = session.scalar(select(Need.id).where(Need.is_sample).limit(1)) is not None
    # The landing page lists what the viewer may read in full; confidential needs stay on the board.
    latest = list(session.scalars(
        select(Need).options(joinedload(Need.organisation), joinedload(Need.chain))
        .where(access.readable_needs_clause(viewer), Need.status == NeedStatus.OPEN, within_deadline())
        .order_by(Need.created_at.desc(), Need.id.desc()).limit(6)))
    scores = headline(session)
    return render(request, "boards/home.html", figures=figures(session, viewer), latest=latest, scores=scores,
                  has_sample=has_sample or bool(scores and scores.is_sample))
