"""Every query of needs."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from backend.errors import NotFound
from backend.needs.models import Need, NeedStatus

# Deadlines are days in the region's calendar, not in the server's.
REGION_TZ = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today in Shaoxing: a deadline is passed from the day after it."""
    return datetime.now(REGION_TZ).date()


def within_deadline(day: date | None = None) -> ColumnElement[bool]:
    """SQL condition: the need has no deadline, or its deadline is `day` (today) or later."""
    return or_(Need.deadline.is_(None), Need.deadline >= (day or today()))


def get(session: Session, need_id: int, *, with_org: bool = True) -> Need:
    options = [joinedload(Need.organisation), joinedload(Need.chain)] if with_org else []
    need = session.get(Need, need_id, options=options, populate_existing=bool(options))
    if need is None:
        raise NotFound(f"need {need_id} does not exist")
    return need


def listing(visible: ColumnElement[bool], *, chain_id: int | None = None,
            day: date | None = None) -> Select[tuple[Need]]:
    """Needs on the board: `visible` is the viewer's clause from `backend.access`; open ones within their
    deadline only (a need past its deadline leaves the board by itself)."""
    stmt = (
        select(Need)
        .options(joinedload(Need.organisation), joinedload(Need.chain))
        .where(visible, Need.status == NeedStatus.OPEN, within_deadline(day))
        .order_by(Need.created_at.desc(), Need.id.desc())
    )
    if chain_id is not None:
        stmt = stmt.where(Need.chain_id == chain_id)
    return stmt


def of_organisation(organisation_id: int) -> Select[tuple[Need]]:
    """Every need of one firm, whatever its status, the most recently changed first."""
    return (
        select(Need)
        .options(joinedload(Need.organisation), joinedload(Need.chain))
        .where(Need.organisation_id == organisation_id)
        .order_by(Need.updated_at.desc(), Need.id.desc())
    )


def past_deadline(session: Session, day: date) -> list[Need]:
    """Open needs whose deadline lies before `day` and whose firm has not been told yet (locked)."""
    stmt = (
        select(Need)
        .where(Need.status == NeedStatus.OPEN, Need.deadline < day, Need.deadline_notified_on.is_(None))
        .order_by(Need.id)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(stmt))



@dataclass
class Response:
    """The newest thing the other side did on one of a firm's needs."""

    at: datetime
    kind: str  # "interest" (a university's interest, maybe with a proposal) or "message"
    organisation: str
    match_id: int
    text: str | None


@dataclass
class Activity:
    """What "My needs" shows beside a need."""

    matches: int = 0
    response: Response | None = None
    last_activity: datetime | None = None


def activity(session: Session, needs: list[Need]) -> dict[int, Activity]:
    """Match count, newest response from a university and last activity of each need, in five queries."""
    from backend.capabilities.models import Capability
    from backend.matches.models import INACTIVE, Match, MatchMessage
    from backend.organisations.models import Organisation

    out = {n.id: Activity(last_activity=n.updated_at) for n in needs}
    if not needs:
        return out
    ids = list(out)
    live = Match.status.not_in(INACTIVE)
    for need_id, count, last in session.execute(
        select(Match.need_id, func.count().filter(live), func.max(Match.updated_at))
        .where(Match.need_id.in_(ids)).group_by(Match.need_id)
    ):
        out[need_id].matches = int(count or 0)
        _later(out[need_id], last)
    interests = session.execute(
        select(Match.need_id, Match.id, Match.university_interested_at, Match.proposal, Organisation.name)
        .join(Capability, Capability.id == Match.capability_id)
        .join(Organisation, Organisation.id == Capability.organisation_id)
        .where(Match.need_id.in_(ids), Match.university_interested_at.is_not(None))
        .order_by(Match.need_id, Match.university_interested_at.desc())
        .distinct(Match.need_id)
    )
    for need_id, match_id, at, proposal, org_name in interests:
        out[need_id].response = Response(at, "interest", org_name, match_id, proposal)
    for need_id, last in session.execute(
        select(Match.need_id, func.max(MatchMessage.created_at))
        .join(Match, Match.id == MatchMessage.match_id)
        .where(Match.need_id.in_(ids)).group_by(Match.need_id)
    ):
        _later(out[need_id], last)
    # The newest message of the other side (the firm's own messages are activity, not a response).
    messages = session.execute(
        select(Match.need_id, Match.id, MatchMessage.created_at, MatchMessage.body, Organisation.name)
        .join(Match, Match.id == MatchMessage.match_id)
        .join(Need, Need.id == Match.need_id)
        .outerjoin(Organisation, Organisation.id == MatchMessage.organisation_id)
        .where(Match.need_id.in_(ids), MatchMessage.organisation_id.is_distinct_from(Need.organisation_id))
        .order_by(Match.need_id, MatchMessage.created_at.desc(), MatchMessage.id.desc())
        .distinct(Match.need_id)
    )
    for need_id, match_id, at, body, org_name in messages:
        entry = out[need_id]
        if entry.response is None or at > entry.response.at:
            entry.response = Response(at, "message", org_name or "", match_id, body)
    for entry in out.values():
        if entry.response is not None:
            _later(entry, entry.response.at)
    return out


def _later(entry: Activity, at: datetime | None) -> None:
    if at is not None and (entry.last_activity is None or at > entry.last_activity):
        entry.last_activity = at


__all__ = ["Activity", "Response", "activity", "get", "listing", "of_organisation", "past_deadline",
           "today", "within_deadline"]
