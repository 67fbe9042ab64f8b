"""JSON routes of needs under /api/v1."""

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from backend.errors import NotFound
from backend.matches import repository as match_repository
from backend.matches import views
from backend.needs import repository, service
from backend.needs.models import Need, Visibility
from backend.needs.schemas import NeedIn, NeedOut
from backend.web import get_session, require_admin_token

router = APIRouter(prefix="/api/v1/needs", tags=["needs"])


def to_out(need: Need) -> NeedOut:
    """The public view of a need: a confidential one shows its summary only."""
    hidden = need.visibility == Visibility.CONFIDENTIAL
    return NeedOut(
        id=need.id, organisation_id=need.organisation_id,
        organisation=need.organisation.name, title=need.title, summary=need.summary,
        description=None if hidden else need.description,
        chain=need.chain.code if need.chain else None, keywords=need.keywords, language=need.language,
        trl_min=need.trl_min, trl_max=need.trl_max, budget_min_cny=need.budget_min_cny,
        budget_max_cny=need.budget_max_cny, deadline=need.deadline, visibility=need.visibility,
        status=need.status, match_state=need.match_state.value, is_sample=need.is_sample,
        created_at=need.created_at,
    )


@router.get("")
def list_needs(
    session: Session = Depends(get_session),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0),
) -> dict:
    """Public needs, newest first."""
    rows, total = repository.page(session, repository.listing(), limit=limit, offset=offset)
    return {"items": [to_out(n).model_dump(mode="json") for n in rows], "total": total,
            "limit": limit, "offset": offset}


@router.get("/{need_id}")
def get_need(need_id: int, session: Session = Depends(get_session)) -> dict:
    need = repository.get(session, need_id)
    if need.visibility != Visibility.PUBLIC:
        raise NotFound(f"need {need_id} does not exist")
    return to_out(need).model_dump(mode="json")


@router.get("/{need_id}/matches")
def need_matches(need_id: int, session: Session = Depends(get_session)) -> dict:
    """The ranked capabilities for a public need, each with its explanation."""
    need = repository.get(session, need_id)
    if need.visibility != Visibility.PUBLIC:
        raise NotFound(f"need {need_id} does not exist")
    found = match_repository.for_need(session, need_id)
    return {"need_id": need_id, "match_state": need.match_state.value, "matches": views.to_out(found, True)}


@router.post("", status_code=201, dependencies=[Depends(require_admin_token)])
def create_need(data: NeedIn, session: Session = Depends(get_session)) -> dict:
    """Create a need (admin token); matching runs in the worker after commit."""
    need = service.create(session, data)
    session.flush()
    return to_out(repository.get(session, need.id)).model_dump(mode="json")
