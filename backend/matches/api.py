"""JSON routes of matches under /api/v1."""

from fastapi import APIRouter, Depends

from backend import access
from backend.accounts.models import Role
from backend.auth import Principal, allow
from backend.errors import NotFound
from backend.matches import repository, service
from backend.matches.models import MatchStatus
from backend.matches.schemas import DeclineIn
from backend.web import Db, IdPath

router = APIRouter(prefix="/api/v1/matches", tags=["matches"])


@router.post("/{match_id}/decline")
def decline(match_id: IdPath, data: DeclineIn, session: Db,
            viewer: Principal = Depends(allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER))) -> dict:
    """Decline a pair with a coded reason (one of its two organisations, or an admin); it never comes back."""
    match = repository.get(session, match_id)
    firm_id, lab_id = repository.sides(session, match)
    if not access.can_open_match(viewer, firm_id, lab_id):
        raise NotFound(f"match {match_id} does not exist")
    match = service.transition(session, match, MatchStatus.DECLINED, reason=data.reason, note=data.note)
    return {"id": match.id, "status": match.status.value, "decline_reason": match.decline_reason.value}
