"""JSON routes of matches under /api/v1."""

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from backend.matches import repository, service
from backend.matches.models import MatchStatus
from backend.matches.schemas import DeclineIn
from backend.web import get_session, require_admin_token

router = APIRouter(prefix="/api/v1/matches", tags=["matches"])


@router.post("/{match_id}/decline", dependencies=[Depends(require_admin_token)])
def decline(match_id: int, data: DeclineIn, session: Session = Depends(get_session)) -> dict:
    """Decline a pair with a coded reason; it never comes back."""
    match = service.transition(session, repository.get(session, match_id), MatchStatus.DECLINED,
                               reason=data.reason, note=data.note)
    return {"id": match.id, "status": match.status.value, "decline_reason": match.decline_reason.value}
