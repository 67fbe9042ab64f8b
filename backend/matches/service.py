"""The match lifecycle; every step writes one ledger event in the same transaction."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from backend import lifecycle
from backend.errors import Conflict, InvalidInput
from backend.ledger import service as ledger
from backend.matches import repository
from backend.matches.models import TRANSITIONS, DeclineReason, Match, MatchStatus

_STAMP = {
    MatchStatus.FIRM_INTERESTED: "firm_interested_at",
    MatchStatus.UNIVERSITY_INTERESTED: "university_interested_at",
    MatchStatus.ACCEPTED: "accepted_at",
    MatchStatus.DECLINED: "declined_at",
    MatchStatus.EXPIRED: "expired_at",
}


def propose(
    session: Session,
    need_id: int,
    capability_id: int,
    *,
    dense_score: float | None = None,
    lexical_score: float | None = None,
    fused_score: float = 0.0,
    rank: int | None = None,
    explanation: dict | None = None,
    at: datetime | None = None,
    is_sample: bool = False,
) -> Match:
    """Propose a pair; a pair that exists already is refused."""
    if repository.find(session, need_id, capability_id) is not None:
        raise Conflict(f"need {need_id} and capability {capability_id} are already matched")
    at = at or datetime.now(UTC)
    match = Match(
        need_id=need_id, capability_id=capability_id, dense_score=dense_score, lexical_score=lexical_score,
        fused_score=fused_score, rank=rank, explanation=explanation or {}, proposed_at=at, is_sample=is_sample,
    )
    match.created_at = match.updated_at = at
    session.add(match)
    session.flush()
    _record(session, match, "match.proposed", at, {"fused_score": fused_score, "rank": rank})
    return match


def transition(
    session: Session,
    match: Match,
    to: MatchStatus,
    *,
    reason: DeclineReason | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> Match:
    """Move a match one step along its lifecycle, or refuse with a clear message."""
    to = MatchStatus(to)
    lifecycle.check("a match", TRANSITIONS, match.status, to)
    if to == MatchStatus.DECLINED:
        if reason is None:
            raise InvalidInput("declining a match needs a reason", field="reason")
        match.decline_reason = DeclineReason(reason)
        match.decline_note = (note or "").strip() or None
    at = at or datetime.now(UTC)
    previous = match.status
    match.status = to
    setattr(match, _STAMP[to], at)
    match.updated_at = at
    session.flush()
    data = {"from": previous.value}
    if reason is not None:
        data["reason"] = DeclineReason(reason).value
    _record(session, match, f"match.{to.value}", at, data)
    return match


def _record(session: Session, match: Match, kind: str, at: datetime, data: dict) -> None:
    region_id, chain_id, org_ids = repository.context(session, match.need_id, match.capability_id)
    ledger.record(
        session, kind, region_id=region_id, chain_id=chain_id, organisation_ids=org_ids,
        need_id=match.need_id, capability_id=match.capability_id, match_id=match.id,
        data=data, occurred_at=at, is_sample=match.is_sample,
    )


def express_interest(session: Session, match: Match, side: str, *, at: datetime | None = None) -> Match:
    """Record one side's interest; the second side's interest accepts the match."""
    mine, theirs = {
        "firm": (MatchStatus.FIRM_INTERESTED, MatchStatus.UNIVERSITY_INTERESTED),
        "university": (MatchStatus.UNIVERSITY_INTERESTED, MatchStatus.FIRM_INTERESTED),
    }[side]
    if match.status == theirs:
        setattr(match, _STAMP[mine], at or datetime.now(UTC))
        return transition(session, match, MatchStatus.ACCEPTED, at=at)
    return transition(session, match, mine, at=at)
