"""The match lifecycle; every step writes one ledger event in the same transaction."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import access, lifecycle
from backend.accounts.models import Role, User
from backend.auth import Principal
from backend.errors import Conflict, Forbidden, InvalidInput, InvalidTransition
from backend.i18n import localized
from backend.ledger import service as ledger
from backend.ledger.kinds import EventKind
from backend.matches import repository
from backend.matches.models import INACTIVE, TRANSITIONS, DeclineReason, Match, MatchMessage, MatchStatus
from backend.matches.schemas import HistoryOut, MatchDetailOut, MatchPosting, MessageOut, NdaOut
from backend.needs.models import NDA_VERSION, NdaAcceptance, Visibility
from matching.explain import Explanation
from matching.text import clean_text

SIDES = ("firm", "university")
OPEN = (MatchStatus.PROPOSED, MatchStatus.FIRM_INTERESTED, MatchStatus.UNIVERSITY_INTERESTED)
CLOSED = INACTIVE
PROPOSAL_MAX = 2000
MESSAGE_MAX = 5000
NOTE_MAX = 2000

_STAMP = {
    MatchStatus.FIRM_INTERESTED: "firm_interested_at",
    MatchStatus.UNIVERSITY_INTERESTED: "university_interested_at",
    MatchStatus.ACCEPTED: "accepted_at",
    MatchStatus.DECLINED: "declined_at",
    MatchStatus.EXPIRED: "expired_at",
}


def _stored(explanation: Explanation | dict | None) -> dict:
    if explanation is None:
        return {}
    if isinstance(explanation, dict):
        explanation = Explanation.model_validate(explanation)
    return explanation.stored()


def propose(
    session: Session,
    need_id: int,
    capability_id: int,
    *,
    dense_score: float | None = None,
    lexical_score: float | None = None,
    fused_score: float = 0.0,
    rank: int | None = None,
    explanation: Explanation | dict | None = None,
    at: datetime | None = None,
    is_sample: bool = False,
) -> Match:
    """Propose a pair; a pair that exists already is refused. A dict explanation must fit Explanation."""
    if repository.find(session, need_id, capability_id) is not None:
        raise Conflict(f"need {need_id} and capability {capability_id} are already matched")
    at = at or datetime.now(UTC)
    match = Match(
        need_id=need_id, capability_id=capability_id, dense_score=dense_score, lexical_score=lexical_score,
        fused_score=fused_score, rank=rank, explanation=_stored(explanation), proposed_at=at, is_sample=is_sample,
    )
    match.created_at = match.updated_at = at
    session.add(match)
    session.flush()
    _record(session, match, EventKind.MATCH_PROPOSED, at, {"fused_score": fused_score, "rank": rank})
    return match


def propose_again(session: Session, match: Match, *, rank: int | None = None, at: datetime | None = None) -> Match:
    """A withdrawn proposal that a later run ranks high again becomes a proposal again (one ledger event)."""
    lifecycle.check("a match", TRANSITIONS, match.status, MatchStatus.PROPOSED)
    at = at or datetime.now(UTC)
    match.status, match.proposed_at, match.updated_at = MatchStatus.PROPOSED, at, at
    session.flush()
    _record(session, match, EventKind.MATCH_PROPOSED, at, {"fused_score": match.fused_score, "rank": rank})
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
    if to in _STAMP:
        setattr(match, _STAMP[to], at)
    match.updated_at = at
    session.flush()
    data = {"from": previous.value}
    if reason is not None:
        data["reason"] = DeclineReason(reason).value
    _record(session, match, EventKind.of_status("match", to.value), at, data)
    return match


def _record(session: Session, match: Match, kind: EventKind, at: datetime, data: dict) -> None:
    region_id, chain_id, org_ids = repository.context(session, match.need_id, match.capability_id)
    ledger.record(
        session, kind, region_id=region_id, chain_id=chain_id, organisation_ids=org_ids,
        need_id=match.need_id, capability_id=match.capability_id, match_id=match.id,
        data=data, occurred_at=at, is_sample=match.is_sample,
    )


def express_interest(session: Session, match: Match, side: str, *, proposal: str | None = None,
                     at: datetime | None = None) -> Match:
    """Record one side's interest (the university's with a short proposal); the second side's accepts."""
    if side not in SIDES:
        raise Forbidden("only the firm or the university of this match can express interest")
    mine, theirs = {
        "firm": (MatchStatus.FIRM_INTERESTED, MatchStatus.UNIVERSITY_INTERESTED),
        "university": (MatchStatus.UNIVERSITY_INTERESTED, MatchStatus.FIRM_INTERESTED),
    }[side]
    if match.status == mine:
        raise Conflict("your side has already expressed interest; the other side answers next")
    _still_open(session, match)
    text = clean_text(proposal)
    if text and side != "university":
        raise InvalidInput("only the university side writes a proposal", field="proposal")
    if len(text) > PROPOSAL_MAX:
        raise InvalidInput(f"a proposal has at most {PROPOSAL_MAX} characters", field="proposal")
    to = MatchStatus.ACCEPTED if match.status == theirs else mine
    lifecycle.check("a match", TRANSITIONS, match.status, to)
    if text:
        match.proposal = text
    if to == MatchStatus.ACCEPTED:
        setattr(match, _STAMP[mine], at or datetime.now(UTC))
    return transition(session, match, to, at=at)


def _still_open(session: Session, match: Match) -> None:
    """Interest needs both postings still on offer: an open need and an active capability."""
    from backend.capabilities.models import Capability, CapabilityStatus
    from backend.needs.models import Need, NeedStatus

    need_status = session.scalar(select(Need.status).where(Need.id == match.need_id))
    cap_status = session.scalar(select(Capability.status).where(Capability.id == match.capability_id))
    if need_status not in (NeedStatus.OPEN, NeedStatus.IN_PROGRESS):
        raise InvalidTransition(f"the need is {need_status.value}; this match can no longer be taken up")
    if cap_status != CapabilityStatus.ACTIVE:
        raise InvalidTransition(f"the capability is {cap_status.value}; this match can no longer be taken up")


def decline(session: Session, match: Match, side: str, reason: DeclineReason | str | None,
            note: str | None = None, *, at: datetime | None = None) -> Match:
    """One side (or an admin) declines the pair with a coded reason; it never comes back."""
    if side not in (*SIDES, "admin"):
        raise Forbidden("only the firm or the university of this match can decline it")
    if reason is None or reason == "":
        raise InvalidInput("declining a match needs a reason", field="reason")
    try:
        reason = DeclineReason(reason)
    except ValueError:
        raise InvalidInput("choose one of the offered reasons", field="reason") from None
    note = clean_text(note)
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"a note has at most {NOTE_MAX} characters", field="note")
    lifecycle.check("a match", TRANSITIONS, match.status, MatchStatus.DECLINED)
    match.declined_by = side
    return transition(session, match, MatchStatus.DECLINED, reason=reason, note=note or None, at=at)


def post_message(session: Session, match: Match, author_user_id: int | None, organisation_id: int | None,
                 body: str | None) -> MatchMessage:
    """Add a message to the thread both sides share (control characters stripped, 1–5,000 characters)."""
    text = clean_text(body)
    if not text:
        raise InvalidInput("a message must not be empty", field="body")
    if len(text) > MESSAGE_MAX:
        raise InvalidInput(f"a message has at most {MESSAGE_MAX} characters", field="body")
    if match.status in CLOSED:
        raise Conflict(f"this match is {match.status.value}; its thread is closed")
    message = MatchMessage(match_id=match.id, author_id=author_user_id, organisation_id=organisation_id, body=text)
    session.add(message)
    session.flush()
    _record(session, match, EventKind.MATCH_MESSAGE, datetime.now(UTC),
            {"message_id": message.id, "organisation_id": organisation_id})
    return message


def confirm_nda(session: Session, match: Match, user_id: int | None) -> NdaAcceptance:
    """A tech-transfer officer of the capability's organisation confirms the non-disclosure statement of an
    accepted match on a confidential need (once per need, user and statement version)."""
    need = match.need
    if need.visibility != Visibility.CONFIDENTIAL:
        raise InvalidInput("only a confidential need asks for the non-disclosure statement")
    user = session.get(User, user_id) if user_id is not None else None
    if (user is None or user.role != Role.TECH_TRANSFER_OFFICER
            or user.organisation_id != match.capability.organisation_id):
        raise Forbidden("only a technology-transfer officer of the capability's organisation confirms the "
                        "non-disclosure statement")
    if match.status != MatchStatus.ACCEPTED:
        raise InvalidTransition("the non-disclosure statement can be confirmed once both sides have accepted "
                                f"the match; it is {match.status.value}")
    found = session.scalar(select(NdaAcceptance).where(
        NdaAcceptance.need_id == need.id, NdaAcceptance.user_id == user.id,
        NdaAcceptance.statement_version == NDA_VERSION))
    if found is not None:
        return found
    acceptance = NdaAcceptance(need_id=need.id, match_id=match.id, user_id=user.id, statement_version=NDA_VERSION)
    session.add(acceptance)
    session.flush()
    _record(session, match, EventKind.NEED_NDA_CONFIRMED, datetime.now(UTC),
            {"statement_version": NDA_VERSION, "user_id": user.id})
    return acceptance


def side_of(viewer: Principal, match: Match) -> str | None:
    """'firm' or 'university' when the viewer's organisation is a side of the match."""
    return access.party_of(viewer, match, match.need.organisation_id, match.capability.organisation_id)


def open_for(session: Session, viewer: Principal, match_id: int) -> tuple[Match, str | None]:
    """The match with both postings, for one of its two organisations or an admin; anyone else: 404."""
    match = repository.detail(session, match_id)
    if not access.can_open_match(viewer, match.need.organisation_id, match.capability.organisation_id):
        raise repository.missing(match_id)
    return match, side_of(viewer, match)


def actions(session: Session, viewer: Principal, match: Match, side: str | None, *,
            nda_needed: bool, has_project: bool) -> list[str]:
    """What the viewer may do on the match now: interest, decline, message, nda, project."""
    out: list[str] = []
    theirs = {"firm": MatchStatus.UNIVERSITY_INTERESTED, "university": MatchStatus.FIRM_INTERESTED}
    if side and (match.status == MatchStatus.PROPOSED or match.status == theirs[side]):
        out.append("interest")
    if (side or viewer.is_admin) and match.status in OPEN:
        out.append("decline")
    if side and match.status not in CLOSED:
        out.append("message")
    if side == "university" and viewer.role == Role.TECH_TRANSFER_OFFICER and nda_needed \
            and match.status == MatchStatus.ACCEPTED:
        out.append("nda")
    if side and match.status == MatchStatus.ACCEPTED and not has_project:
        out.append("project")
    return out


def detail(session: Session, viewer: Principal, match: Match, side: str | None) -> MatchDetailOut:
    """The match as its page and the API show it to this viewer (a confidential need as its summary until the
    viewer may read it; then its explanation quotes shared terms)."""

    need, cap = match.need, match.capability
    visible = access.can_see_need(viewer, need)
    readable = visible and access.can_read_need(session, viewer, need)
    need_out = MatchPosting(
        id=need.id, url=f"/needs/{need.id}" if visible else None, language=need.language,
        title=need.title if readable else None, description=need.description if readable else None,
        summary=need.summary if visible and not readable else None,
        organisation=localized(need.organisation) if readable else None,
        chain=localized(need.chain) or None if visible else None,
        trl_min=need.trl_min, trl_max=need.trl_max, confidential=not readable, readable=readable,
        visibility=need.visibility.value)
    cap_visible = access.can_see_capability(viewer, cap) or side is not None
    cap_out = MatchPosting(
        id=cap.id, url=f"/capabilities/{cap.id}", language=cap.language,
        title=cap.title if cap_visible else None, description=cap.description if cap_visible else None,
        organisation=localized(cap.organisation), chain=localized(cap.chain) or None,
        trl_min=cap.trl, trl_max=cap.trl, kind=cap.kind, readable=cap_visible)
    explanation = Explanation.read(match.explanation)
    if not readable:
        explanation = explanation.redacted()
    nda_needed = need.visibility == Visibility.CONFIDENTIAL and not access.owns_need(viewer, need)
    confirmed = nda_needed and access.nda_confirmed(session, viewer, need.id)
    project_id = repository.project_of(session, match.id)
    firm_name = localized(need.organisation) if readable else None
    messages = [
        MessageOut(id=m.id, body=m.body, created_at=m.created_at,
                   side="firm" if m.organisation_id == need.organisation_id else
                   ("university" if m.organisation_id == cap.organisation_id else None),
                   organisation=(firm_name if m.organisation_id == need.organisation_id else localized(org) or None),
                   mine=viewer.member_of(m.organisation_id))
        for m, org in repository.messages(session, match.id)
    ]
    return MatchDetailOut(
        id=match.id, status=match.status, side=side, need=need_out, capability=cap_out, explanation=explanation,
        fused_score=match.fused_score, proposal=match.proposal,
        history=HistoryOut(
            proposed_at=match.proposed_at, firm_interested_at=match.firm_interested_at,
            university_interested_at=match.university_interested_at, accepted_at=match.accepted_at,
            declined_at=match.declined_at, declined_by=match.declined_by, decline_reason=match.decline_reason,
            decline_note=match.decline_note, expired_at=match.expired_at),
        nda=NdaOut(required=nda_needed, confirmed=confirmed, version=NDA_VERSION),
        actions=actions(session, viewer, match, side, nda_needed=nda_needed and not confirmed,
                        has_project=project_id is not None),
        messages=messages, project_id=project_id)
