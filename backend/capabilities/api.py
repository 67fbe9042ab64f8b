"""JSON routes of capabilities under /api/v1."""

from fastapi import APIRouter, Depends, Query

from backend import access
from backend.accounts.models import Role
from backend.auth import Principal, allow, anyone
from backend.capabilities import repository, service
from backend.capabilities.models import Capability
from backend.capabilities.pages import visible_capability
from backend.capabilities.schemas import CapabilityIn, CapabilityOut
from backend.matches import repository as match_repository
from backend.matches import views
from backend.needs.repository import page
from backend.web import Db, IdPath, OffsetQuery

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
def list_capabilities(session: Db, limit: int = Query(default=50, ge=1, le=200), offset: OffsetQuery = 0,
                      viewer: Principal = Depends(anyone())) -> dict:
    rows, total = page(session, repository.listing(access.visible_capabilities_clause(viewer)), limit=limit,
                       offset=offset)
    return {"items": [to_out(c).model_dump(mode="json") for c in rows], "total": total,
            "limit": limit, "offset": offset}


@router.get("/{capability_id}")
def get_capability(capability_id: IdPath, session: Db, viewer: Principal = Depends(anyone())) -> dict:
    return to_out(visible_capability(session, viewer, capability_id)).model_dump(mode="json")


@router.get("/{capability_id}/matches")
def capability_matches(capability_id: IdPath, session: Db, viewer: Principal = Depends(anyone())) -> dict:
    """The ranked needs for a capability, as the caller may see them (confidential: summary only)."""
    cap = visible_capability(session, viewer, capability_id)
    found = match_repository.for_capability(session, capability_id)
    return {"capability_id": capability_id, "match_state": cap.match_state.value,
            "matches": views.to_out(session, viewer, found, False)}


@router.post("", status_code=201)
def create_capability(data: CapabilityIn, session: Db,
                      viewer: Principal = Depends(allow(Role.TECH_TRANSFER_OFFICER))) -> dict:
    """Post a capability for the caller's organisation (admins name it)."""
    cap = service.create(session, service.for_caller(viewer, data))
    return to_out(repository.get(session, cap.id)).model_dump(mode="json")
