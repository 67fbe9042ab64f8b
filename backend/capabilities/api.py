"""JSON routes of capabilities under /api/v1."""

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from backend.capabilities import repository, service
from backend.capabilities.models import Capability
from backend.capabilities.schemas import CapabilityIn, CapabilityOut
from backend.matches import repository as match_repository
from backend.matches import views
from backend.needs.repository import page
from backend.web import get_session, require_admin_token

router = APIRouter(prefix="/api/v1/capabilities", tags=["capabilities"])


def to_out(cap: Capability) -> CapabilityOut:
    return CapabilityOut(
        id=cap.id, organisation_id=cap.organisation_id, organisation=cap.organisation.name, kind=cap.kind,
        title=cap.title, description=cap.description, chain=cap.chain.code if cap.chain else None,
        keywords=cap.keywords, language=cap.language, team=cap.team, trl=cap.trl,
        patent_numbers=cap.patent_numbers, status=cap.status, match_state=cap.match_state.value,
        is_sample=cap.is_sample, created_at=cap.created_at,
    )


@router.get("")
def list_capabilities(
    session: Session = Depends(get_session),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0),
) -> dict:
    rows, total = page(session, repository.listing(), limit=limit, offset=offset)
    return {"items": [to_out(c).model_dump(mode="json") for c in rows], "total": total,
            "limit": limit, "offset": offset}


@router.get("/{capability_id}")
def get_capability(capability_id: int, session: Session = Depends(get_session)) -> dict:
    return to_out(repository.get(session, capability_id)).model_dump(mode="json")


@router.get("/{capability_id}/matches")
def capability_matches(capability_id: int, session: Session = Depends(get_session)) -> dict:
    """The ranked needs for a capability (confidential needs show their summary only)."""
    cap = repository.get(session, capability_id)
    found = match_repository.for_capability(session, capability_id)
    return {"capability_id": capability_id, "match_state": cap.match_state.value,
            "matches": views.to_out(found, False)}


@router.post("", status_code=201, dependencies=[Depends(require_admin_token)])
def create_capability(data: CapabilityIn, session: Session = Depends(get_session)) -> dict:
    cap = service.create(session, data)
    return to_out(repository.get(session, cap.id)).model_dump(mode="json")
