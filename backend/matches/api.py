"""JSON routes of matches under /api/v1: the same services and rules as the match page."""

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from backend.accounts.models import Role
from backend.auth import Principal, allow
from backend.errors import Forbidden
from backend.matches import service
from backend.matches.schemas import DeclineIn, InterestIn, MatchDetailOut, MessageIn, MessageOut
from backend.web import Db, IdPath

router = APIRouter(prefix="/api/v1/matches", tags=["matches"])

READERS = allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER, Role.GOVERNMENT_ANALYST)
SIDES = allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER)


def _side(side: str | None) -> str:
    if side is None:
        raise Forbidden("only the firm and the university of this match can do this")
    return side


@router.get("/{match_id}", response_model=MatchDetailOut)
def match_detail(match_id: IdPath, session: Db, viewer: Principal = Depends(READERS)) -> MatchDetailOut:
    """A match as its page shows it (its two organisations and admins only; anyone else: 404)."""
    match, side = service.open_for(session, viewer, match_id)
    return service.detail(session, viewer, match, side)


@router.post("/{match_id}/interest", response_model=MatchDetailOut)
def interest(match_id: IdPath, data: InterestIn, session: Db, viewer: Principal = Depends(SIDES)) -> MatchDetailOut:
    """Express your side's interest (the university side with a short `proposal`); both sides: accepted."""
    match, side = service.open_for(session, viewer, match_id)
    service.express_interest(session, match, _side(side), proposal=data.proposal)
    return service.detail(session, viewer, match, side)


@router.post("/{match_id}/decline")
def decline(match_id: IdPath, data: DeclineIn, session: Db,
            viewer: Principal = Depends(SIDES)) -> dict:
    """Decline a pair with a coded reason (one of its two organisations, or an admin); it never comes back."""
    match, side = service.open_for(session, viewer, match_id)
    who = side or ("admin" if viewer.is_admin else _side(side))
    match = service.decline(session, match, who, data.reason, data.note)
    return {"id": match.id, "status": match.status.value, "decline_reason": match.decline_reason.value,
            "declined_by": match.declined_by}


@router.post("/{match_id}/messages", status_code=201, response_model=MessageOut)
def post_message(match_id: IdPath, data: MessageIn, session: Db, viewer: Principal = Depends(SIDES)):
    """Add a message to the match's thread (1–5,000 characters)."""
    match, side = service.open_for(session, viewer, match_id)
    _side(side)
    message = service.post_message(session, match, viewer.user_id, viewer.organisation_id, data.body)
    out = MessageOut(id=message.id, body=message.body, created_at=message.created_at, side=side, mine=True)
    return JSONResponse(out.model_dump(mode="json"), status_code=201)
