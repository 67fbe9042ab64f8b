"""JSON routes of needs under /api/v1."""

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from backend import access, postings
from backend.accounts.models import Role
from backend.auth import LoginRequired, Principal, allow, anyone
from backend.matches import repository as match_repository
from backend.matches import views
from backend.needs import repository, service
from backend.needs.models import Need
from backend.needs.pages import own_need, visible_need
from backend.needs.schemas import NeedIn, NeedOut, NeedStatusIn, NeedUpdate
from backend.regions.models import Region
from backend.web import Db, IdPath, OffsetQuery

router = APIRouter(prefix="/api/v1/needs", tags=["needs"])


def to_out(session: Session, viewer: Principal, need: Need) -> NeedOut:
    """A need as this viewer may see it: a confidential one shows its summary only."""
    readable = access.can_read_need(session, viewer, need)
    return NeedOut(
        id=need.id, organisation_id=need.organisation_id if readable else None,
        organisation=need.organisation.name if readable else None, title=need.title if readable else None,
        summary=need.summary,
        description=need.description if readable else None,
        chain=need.chain.code if need.chain else None, keywords=need.keywords if readable else [],
        language=need.language, trl_min=need.trl_min, trl_max=need.trl_max, budget_min_cny=need.budget_min_cny,
        budget_max_cny=need.budget_max_cny, deadline=need.deadline, visibility=need.visibility,
        status=need.status, match_state=need.match_state.value, is_sample=need.is_sample,
        created_at=need.created_at, confidential=not readable,
        region=_region_code(session, need.region_id), language_chosen=need.language_chosen if readable else None,
    )


def _region_code(session: Session, region_id: int | None) -> str | None:
    return session.get(Region, region_id).code if region_id else None


@router.get("")
def list_needs(session: Db, limit: int = Query(default=50, ge=1, le=200), offset: OffsetQuery = 0,
               mine: bool = Query(default=False, description="a firm member's own needs, every status"),
               viewer: Principal = Depends(anyone())) -> dict:
    """Open needs this caller may see, newest first; with `mine=true`, every need of the caller's firm."""
    if mine and not viewer.is_authenticated:
        raise LoginRequired("sign in (or send an API token) to list your own needs")
    if mine:
        stmt = repository.of_organisation(viewer.organisation_id or 0)
    else:
        stmt = repository.listing(access.visible_needs_clause(viewer))
    rows, total = postings.page(session, stmt, limit=limit, offset=offset)
    return {"items": [to_out(session, viewer, n).model_dump(mode="json") for n in rows], "total": total,
            "limit": limit, "offset": offset}


@router.get("/{need_id}")
def get_need(need_id: IdPath, session: Db, viewer: Principal = Depends(anyone())) -> dict:
    return to_out(session, viewer, visible_need(session, viewer, need_id)).model_dump(mode="json")


@router.get("/{need_id}/matches")
def need_matches(need_id: IdPath, session: Db, viewer: Principal = Depends(anyone())) -> dict:
    """The ranked capabilities for a need the caller may read, each with its explanation."""
    need = visible_need(session, viewer, need_id)
    if not access.can_read_need(session, viewer, need):
        return {"need_id": need_id, "match_state": need.match_state.value, "matches": [], "confidential": True}
    found = match_repository.for_need(session, need_id, include_declined=True)
    return {"need_id": need_id, "match_state": need.match_state.value,
            "matches": views.to_out(session, viewer, found, True)}


@router.post("", status_code=201)
def create_need(data: NeedIn, session: Db, viewer: Principal = Depends(allow(Role.FIRM_MEMBER))) -> dict:
    """Post a need for the caller's firm (admins name the firm); matching runs in the worker after commit.

    While the firm's organisation waits for verification the need is saved as a draft (status "draft").
    """
    data = service.for_caller(viewer, data)
    need = service.create(session, data, draft=not _verified(session, viewer, data))
    session.flush()
    return to_out(session, viewer, repository.get(session, need.id)).model_dump(mode="json")


@router.patch("/{need_id}")
def update_need(need_id: IdPath, data: NeedUpdate, session: Db,
                viewer: Principal = Depends(allow(Role.FIRM_MEMBER))) -> dict:
    """Change some fields of one of the caller's firm's needs; the others stay as they are."""
    need = service.update(session, own_need(session, viewer, need_id), data)
    session.flush()
    return to_out(session, viewer, repository.get(session, need.id)).model_dump(mode="json")


@router.post("/{need_id}/status")
def change_status(need_id: IdPath, data: NeedStatusIn, session: Db,
                  viewer: Principal = Depends(allow(Role.FIRM_MEMBER))) -> dict:
    """One step of the need's lifecycle: {"to": "open" | "in_progress" | "solved" | "closed"}."""
    need = service.transition(session, own_need(session, viewer, need_id), data.to)
    session.flush()
    return to_out(session, viewer, repository.get(session, need.id)).model_dump(mode="json")


def _verified(session, viewer: Principal, data) -> bool:  # noqa: ANN001
    """Whether the posting organisation is verified (an admin may post for one that is not yet)."""
    if not viewer.is_admin:
        return viewer.org_verified
    from backend.organisations import repository as orgs

    return orgs.get(session, data.organisation_id).is_verified
