"""Every query of capabilities, and of the matches an organisation's capabilities received (its inbox)."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import Session, aliased, joinedload

from backend.capabilities.models import Capability, CapabilityStatus
from backend.errors import NotFound
from backend.matches.models import INACTIVE, Match
from backend.needs.models import Need
from backend.organisations.models import Organisation
from backend.regions.models import Region

CLOSED_MATCHES = INACTIVE
# "Proposed since" a day means from the start of that day in the region's time zone.
LOCAL_TIME = ZoneInfo("Asia/Shanghai")


def get(session: Session, capability_id: int) -> Capability:
    cap = session.get(
        Capability, capability_id, options=[joinedload(Capability.organisation), joinedload(Capability.chain)],
        populate_existing=True,
    )
    if cap is None:
        raise NotFound(f"capability {capability_id} does not exist")
    return cap


def listing(visible: ColumnElement[bool], *, chain_id: int | None = None) -> Select[tuple[Capability]]:
    """Active capabilities the viewer may see (`visible` from `backend.access`), newest first."""
    stmt = (
        select(Capability)
        .options(joinedload(Capability.organisation), joinedload(Capability.chain))
        .where(visible, Capability.status == CapabilityStatus.ACTIVE)
        .order_by(Capability.created_at.desc(), Capability.id.desc())
    )
    if chain_id is not None:
        stmt = stmt.where(Capability.chain_id == chain_id)
    return stmt


def of_organisation(session: Session, organisation_id: int) -> list[tuple[Capability, int]]:
    """Every capability of an organisation (drafts and retired ones too), newest first, with its open matches."""
    open_matches = (
        select(func.count(Match.id))
        .where(Match.capability_id == Capability.id, Match.status.not_in(CLOSED_MATCHES))
        .scalar_subquery()
    )
    rows = session.execute(
        select(Capability, open_matches)
        .options(joinedload(Capability.chain))
        .where(Capability.organisation_id == organisation_id)
        .order_by(Capability.created_at.desc(), Capability.id.desc())
    ).unique().all()
    return [(cap, int(count or 0)) for cap, count in rows]


def inbox(
    organisation_id: int | None,
    visible_needs: ColumnElement[bool],
    *,
    min_score: float | None = None,
    chain_id: int | None = None,
    region_id: int | None = None,
    language: str | None = None,
    since=None,  # noqa: ANN001 - a date
    sort: str = "score",
    show_closed: bool = False,
) -> Select[tuple[Match]]:
    """The matches of an organisation's capabilities (None: every organisation, for admins) whose need the
    viewer may see (`visible_needs` from `backend.access`), filtered and sorted.

    The district is the need's own region if it has one, else its firm's; a city includes its districts.
    """
    firm = aliased(Organisation)
    stmt = (
        select(Match)
        .join(Need, Need.id == Match.need_id)
        .join(Capability, Capability.id == Match.capability_id)
        .join(firm, firm.id == Need.organisation_id)
        .options(joinedload(Match.need).joinedload(Need.organisation), joinedload(Match.need).joinedload(Need.chain),
                 joinedload(Match.capability))
        .where(visible_needs,
               Capability.organisation_id == organisation_id if organisation_id is not None else true())
    )
    if not show_closed:
        stmt = stmt.where(Match.status.not_in(CLOSED_MATCHES))
    if min_score is not None:
        stmt = stmt.where(Match.fused_score >= min_score)
    if chain_id is not None:
        stmt = stmt.where(Need.chain_id == chain_id)
    if region_id is not None:
        within = select(Region.id).where(or_(Region.id == region_id, Region.parent_id == region_id))
        stmt = stmt.where(func.coalesce(Need.region_id, firm.region_id).in_(within))
    if language is not None:
        stmt = stmt.where(Need.language == language)
    if since is not None:
        stmt = stmt.where(Match.proposed_at >= datetime.combine(since, time.min, tzinfo=LOCAL_TIME))
    if sort == "newest":
        return stmt.order_by(Match.proposed_at.desc(), Match.id.desc())
    return stmt.order_by(Match.fused_score.desc(), Match.id.desc())
