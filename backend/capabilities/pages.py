"""Server-rendered pages of capabilities: a capability's page, the officer's form, "my capabilities" and the
inbox of matched needs (the board is in backend.boards)."""

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from backend import access, labels
from backend.accounts.models import Role
from backend.auth import Principal, allow, anyone
from backend.base import MatchState
from backend.capabilities import repository, service
from backend.capabilities.models import Capability, CapabilityKind, CapabilityStatus
from backend.capabilities.schemas import CapabilityForm, InboxFilter
from backend.chains.models import IndustryChain
from backend.errors import AppError, NotFound
from backend.forms import FormData, FormError, parse
from backend.i18n import _, lazy, localized
from backend.matches import repository as match_repository
from backend.matches import views
from backend.postings import page as paginate
from backend.regions.models import Region, RegionLevel
from backend.web import Db, IdPath, PageQuery, flash, page_args, render

router = APIRouter()

OFFICER = allow(Role.TECH_TRANSFER_OFFICER)
UNKNOWN_CHAIN = lazy("unknown industry chain")
UNKNOWN_DISTRICT = lazy("unknown district")
INBOX_FIELDS = tuple(InboxFilter.model_fields)
# What the district filter offers: a city (with its districts) or one district.
LOCAL_AREAS = (Region.country_code == "CN", Region.level.in_([RegionLevel.CITY, RegionLevel.DISTRICT]))


def visible_capability(session, viewer: Principal, capability_id: int):  # noqa: ANN001, ANN201
    cap = repository.get(session, capability_id)
    if not access.can_see_capability(viewer, cap):
        raise NotFound(f"capability {capability_id} does not exist")
    return cap


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _chains(session: Session) -> list[IndustryChain]:
    return list(session.scalars(select(IndustryChain).order_by(IndustryChain.id)))


def _districts(session: Session) -> list[Region]:
    """Local cities and districts, where a need's problem can be."""
    return list(session.scalars(select(Region).where(*LOCAL_AREAS).order_by(Region.code)))


def _form_choices(session: Session) -> dict:
    return {
        "kind_options": labels.options(CapabilityKind),
        "chain_options": [("", _("No chain given"))] + [(c.code, localized(c)) for c in _chains(session)],
        "trl_options": [("", _("Not given"))] + [(str(n), str(n)) for n in range(1, 10)],
        "language_options": [("auto", _("Detect from the text")), ("zh", _("Chinese")), ("en", _("English"))],
    }


def _form_page(request: Request, session: Session, *, capability: Capability | None, values: dict,
               errors: dict | None = None, status_code: int = 200):
    return render(request, "capabilities/form.html", status_code=status_code, capability=capability,
                  values=values, errors=errors or {}, **_form_choices(session))


def _parse_form(session: Session, data: dict) -> CapabilityForm:
    form = parse(CapabilityForm, data)
    if form.chain and form.chain not in {c.code for c in _chains(session)}:
        raise FormError({"chain": _("Choose one of the offered options.")}, data)
    return form


def _refusal(err: AppError, data: dict) -> FormError:
    """A service's refusal next to its field, in the reader's language (organisation ids are not on the form)."""
    field = err.field if err.field in CapabilityForm.model_fields else "__all__"
    return FormError({field: _(err.message)}, data)


def _form_values(cap: Capability) -> dict:
    return {
        "kind": cap.kind.value, "title": cap.title, "description": cap.description,
        "chain": cap.chain.code if cap.chain else "", "trl": str(cap.trl or ""),
        "keywords": ", ".join(cap.keywords or []), "team": cap.team or "",
        "patent_numbers": "\n".join(cap.patent_numbers or []), "contact": cap.contact or "",
        "language": cap.language_chosen or "auto",
    }


@router.get("/capabilities/new")
def new_capability_form(request: Request, session: Db, viewer: Principal = Depends(OFFICER)):
    values = {"kind": CapabilityKind.EXPERTISE.value, "language": "auto", "contact": viewer.name or ""}
    return _form_page(request, session, capability=None, values=values)


@router.post("/capabilities/new")
def create_capability(request: Request, session: Db, data: FormData, viewer: Principal = Depends(OFFICER)):
    try:
        form = _parse_form(session, data)
        # The services check everything before they change anything, so a refusal leaves nothing to undo.
        cap = service.create(session, service.for_caller(viewer, form.to_input(viewer.organisation_id)),
                             draft=not viewer.org_verified)
    except FormError as err:
        return _form_page(request, session, capability=None, values=data, errors=err.errors, status_code=422)
    except AppError as err:
        return _form_page(request, session, capability=None, values=data, errors=_refusal(err, data).errors,
                          status_code=422)
    if cap.status == CapabilityStatus.DRAFT:
        flash(request, _("Saved as a draft. It is published and matched once your organisation is verified."),
              "info")
    else:
        flash(request, _("Your capability is published. Matching runs in the background."), "success")
    return _see_other(f"/capabilities/{cap.id}")


@router.get("/capabilities/mine")
def my_capabilities(request: Request, session: Db, viewer: Principal = Depends(OFFICER)):
    rows = repository.of_organisation(session, viewer.organisation_id) if viewer.organisation_id else []
    return render(request, "capabilities/mine.html", rows=rows)


@router.get("/capabilities/{capability_id}/edit")
def edit_capability_form(request: Request, capability_id: IdPath, session: Db, viewer: Principal = Depends(OFFICER)):
    cap = service.owned(session, viewer, capability_id)
    if cap.status == CapabilityStatus.ARCHIVED:
        flash(request, _(service.RETIRED), "error")
        return _see_other(f"/capabilities/{cap.id}")
    return _form_page(request, session, capability=cap, values=_form_values(cap))


@router.post("/capabilities/{capability_id}/edit")
def edit_capability(request: Request, capability_id: IdPath, session: Db, data: FormData,
                    viewer: Principal = Depends(OFFICER)):
    cap = service.owned(session, viewer, capability_id)
    try:
        form = _parse_form(session, data)
        service.update(session, cap, form.to_update())
    except FormError as err:
        return _form_page(request, session, capability=cap, values=data, errors=err.errors, status_code=422)
    except AppError as err:
        return _form_page(request, session, capability=cap, values=data, errors=_refusal(err, data).errors,
                          status_code=422)
    if cap.status == CapabilityStatus.ACTIVE:
        flash(request, _("Your changes are saved. Matching runs again in the background."), "success")
    else:
        flash(request, _("Your changes are saved."), "success")
    return _see_other(f"/capabilities/{cap.id}")


def _step(request: Request, session, viewer: Principal, capability_id: int, step, done: str):  # noqa: ANN001, ANN202
    """One lifecycle step of the viewer's own capability, with a flash either way, back to its page."""
    cap = service.owned(session, viewer, capability_id)
    try:
        step(session, cap)
    except AppError as err:
        flash(request, _(err.message), "error")
    else:
        flash(request, done, "success")
    return _see_other(f"/capabilities/{capability_id}")


@router.post("/capabilities/{capability_id}/publish")
def publish_capability(request: Request, capability_id: IdPath, session: Db, viewer: Principal = Depends(OFFICER)):
    return _step(request, session, viewer, capability_id, service.publish,
                 _("Your capability is published. Matching runs in the background."))


@router.post("/capabilities/{capability_id}/retire")
def retire_capability(request: Request, capability_id: IdPath, session: Db, viewer: Principal = Depends(OFFICER)):
    return _step(request, session, viewer, capability_id, service.retire,
                 _("The capability is retired: it has left the board and matching."))


@router.get("/capabilities/{capability_id}")
def capability_detail(request: Request, capability_id: IdPath, session: Db, viewer: Principal = Depends(anyone()),
                      show_all: bool = Query(False, alias="all")):
    cap = visible_capability(session, viewer, capability_id)
    found = match_repository.for_capability(session, capability_id, include_declined=True)
    rows, more = views.first(views.rows(session, viewer, found, need_side=False), show_all)
    is_owner = viewer.is_admin or viewer.member_of(cap.organisation_id)
    matching = cap.status == CapabilityStatus.ACTIVE and cap.match_state != MatchState.DONE
    return render(request, "capabilities/detail.html", capability=cap, rows=rows, more=more, is_owner=is_owner,
                  refreshing=is_owner and matching, show_contact=access.may_contact(viewer, cap))


def inbox_statement(session: Session, viewer: Principal, f: InboxFilter) -> tuple[Select, dict[str, str]]:
    """The viewer's inbox query for filter `f`, and the filters that name nothing (field -> English message)."""
    problems: dict[str, str] = {}
    chain_id = region_id = None
    if f.chain:
        chain_id = session.scalar(select(IndustryChain.id).where(IndustryChain.code == f.chain))
        if chain_id is None:
            problems["chain"] = UNKNOWN_CHAIN
    if f.district:
        region_id = session.scalar(select(Region.id).where(Region.code == f.district, *LOCAL_AREAS))
        if region_id is None:
            problems["district"] = UNKNOWN_DISTRICT
    scope = None if viewer.is_admin else (viewer.organisation_id or 0)
    stmt = repository.inbox(scope, access.visible_needs_clause(viewer), min_score=f.min_score, chain_id=chain_id,
                            region_id=region_id, language=f.language, since=f.since, sort=f.sort,
                            show_closed=f.show_closed)
    return stmt, problems


def _inbox_filter(request: Request) -> tuple[InboxFilter, dict, dict[str, str]]:
    """The filter from the query string; a bad value is left out and named (never a 500)."""
    values = {k: v for k, v in request.query_params.items() if k in INBOX_FIELDS}
    try:
        return parse(InboxFilter, values), values, {}
    except FormError as err:
        errors = err.errors
    kept = {k: v for k, v in values.items() if k not in errors}
    try:
        return parse(InboxFilter, kept), values, errors
    except FormError:
        return InboxFilter(), values, errors


@router.get("/inbox")
def inbox(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(OFFICER)):
    f, values, errors = _inbox_filter(request)
    stmt, problems = inbox_statement(session, viewer, f)
    errors |= {field: _(message) for field, message in problems.items()}
    limit, offset = page_args(page)
    matches, total = paginate(session, stmt, limit=limit, offset=offset)
    rows = views.rows(session, viewer, matches, need_side=False, keep_closed=True)  # the filter decided
    query = urlencode([(k, v) for k, v in values.items() if v not in ("", None)])
    return render(
        request, "capabilities/inbox.html", status_code=422 if errors else 200, rows=rows, total=total,
        page=page, per_page=limit, values=values, errors=errors, base=f"/inbox?{query}" if query else "/inbox",
        chain_options=[("", _("Any chain"))] + [(c.code, localized(c)) for c in _chains(session)],
        district_options=[("", _("Any district"))] + [(r.code, localized(r)) for r in _districts(session)],
        language_options=[("", _("Any language")), ("zh", _("Chinese")), ("en", _("English"))],
        sort_options=[("score", _("Best score first")), ("newest", _("Newest first"))],
    )
