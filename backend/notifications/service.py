"""In-app notifications: every ledger event that concerns an organisation tells its members, in the same
transaction as the event (so none is lost and none is sent for a change that rolled back).

The service listens to the session instead of being called by every domain service: a new
`CollaborationEvent` in a flush becomes one notification per member of the organisations it concerns,
minus the side that acted where the event says so. Sample-data events notify nobody.
"""

from datetime import UTC, datetime

from sqlalchemy import event, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from backend.accounts.models import User
from backend.i18n import lazy
from backend.ledger.models import CollaborationEvent
from backend.notifications.models import Notification

# What each kind of event says, and to whom: "both" sides (or every organisation named), or the side
# that did not act ("firm" tells the university and the reverse).
RULES: dict[str, tuple[str, str]] = {
    "match.proposed": ("both", lazy("A new match was proposed")),
    "match.firm_interested": ("university", lazy("A firm is interested in a match with your capability")),
    "match.university_interested": ("firm", lazy("A university responded to your need")),
    "match.accepted": ("both", lazy("A match was accepted by both sides")),
    "match.declined": ("both", lazy("A match was declined")),
    "match.message": ("other", lazy("A new message in a match thread")),
    "project.created": ("both", lazy("A joint project was started")),
    "project.active": ("both", lazy("A joint project is under way")),
    "project.completed": ("both", lazy("A joint project was completed")),
    "project.commercialised": ("both", lazy("A joint project was commercialised")),
    "project.terminated": ("both", lazy("A joint project was terminated")),
    "project.milestone_done": ("both", lazy("A project milestone was ticked off")),
    "need.deadline_passed": ("both", lazy("A need passed its deadline: extend or close it")),
    "organisation.verified": ("both", lazy("Your organisation was verified: your postings can be published")),
    "organisation.rejected": ("both", lazy("Your organisation's registration was rejected")),
}


def words(kind: str) -> str:
    from backend.i18n import gettext

    return gettext(RULES[kind][1]) if kind in RULES else kind


def _url(ev: CollaborationEvent) -> str:
    if ev.match_id is not None:
        return f"/matches/{ev.match_id}"
    if ev.project_id is not None:
        return f"/projects/{ev.project_id}"
    if ev.need_id is not None:
        return f"/needs/{ev.need_id}"
    return "/me"


def _organisations(session: Session, ev: CollaborationEvent) -> list[int]:
    """The organisations to tell: the side that did not act, or every organisation the event names."""
    who = RULES[ev.kind][0]
    orgs = list(ev.organisation_ids or [])
    if who == "other":
        acting = (ev.data or {}).get("organisation_id")
        return [o for o in orgs if o != acting]
    if who in ("firm", "university") and ev.match_id is not None:
        from backend.matches.models import Match
        from backend.matches.repository import sides

        firm, lab = sides(session, session.get(Match, ev.match_id))
        return [lab] if who == "university" else [firm]
    return orgs


def notify(session: Session, events: list[CollaborationEvent]) -> int:
    """One unread notification per member of the organisations each event concerns (idempotent)."""
    rows = []
    for ev in events:
        if ev.is_sample or ev.kind not in RULES:
            continue
        orgs = _organisations(session, ev)
        if not orgs:
            continue
        for user_id in session.scalars(select(User.id).where(User.organisation_id.in_(orgs), User.is_active)):
            rows.append({"user_id": user_id, "event_id": ev.id, "kind": ev.kind, "url": _url(ev)})
    if rows:
        session.execute(insert(Notification).values(rows).on_conflict_do_nothing(
            index_elements=["user_id", "event_id"]))
    return len(rows)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:  # noqa: ANN001
    fresh = [obj for obj in session.new if isinstance(obj, CollaborationEvent)]
    if fresh:
        session.info.setdefault("events_to_notify", []).extend(fresh)


@event.listens_for(Session, "after_flush_postexec")
def _notify(session: Session, _context) -> None:  # noqa: ANN001
    """Right after the flush that wrote the events, in the same transaction (and savepoint)."""
    pending = session.info.pop("events_to_notify", [])
    if pending:
        notify(session, pending)


def unread(session: Session, user_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0)


def of_user(session: Session, user_id: int, *, limit: int, offset: int) -> tuple[list[Notification], int]:
    stmt = select(Notification).where(Notification.user_id == user_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id.desc())
                                .limit(limit).offset(offset)))
    return rows, int(total)


def mark_read(session: Session, user_id: int, notification_id: int | None = None) -> int:
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return session.execute(stmt.values(read_at=datetime.now(UTC))).rowcount or 0
