"""In-app notifications: every ledger event that concerns an organisation tells its members, in the same
transaction as the event (so none is lost and none is sent for a change that rolled back).
An alert assigned to a government analyst tells that analyst alone (`alert.assigned` names them).

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
from backend.notifications.models import Notification, OutboxMail, Preference

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
    "alert.assigned": ("assignee", lazy("An alert was assigned to you")),
}


def words(kind: str) -> str:
    from backend.i18n import gettext

    return gettext(RULES[kind][1]) if kind in RULES else kind


def _url(ev: CollaborationEvent) -> str:
    if ev.kind.startswith("alert."):
        return f"/dashboard/alerts/{(ev.data or {})['alert_id']}"
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


# Mail topics a user chooses for: off, at once ("immediate") or in the weekly digest. Deadline notices and
# verification results are mailed by their own services already.
TOPICS = {"match.proposed": "new_match", "match.firm_interested": "response",
          "match.university_interested": "response", "match.accepted": "acceptance", "match.declined": "response",
          "match.message": "message", "project.created": "project", "project.active": "project",
          "project.completed": "project", "project.commercialised": "project", "project.terminated": "project",
          "project.milestone_done": "project", "alert.assigned": "alert"}
TOPIC_WORDS = {"new_match": lazy("New matches"), "response": lazy("Responses and declines"),
               "acceptance": lazy("Accepted matches"), "message": lazy("Messages in match threads"),
               "project": lazy("Joint project changes"), "alert": lazy("Alerts assigned to you")}
# Topics only some roles can receive (the others do not see them among their settings).
TOPIC_ROLES = {"alert": frozenset({"government_analyst", "admin"})}
MODES = {"off": lazy("off"), "immediate": lazy("by mail at once"), "digest": lazy("in a weekly digest")}
DEFAULT_MODE = "immediate"
# The calibrated match score from which a new match is mailed by default: "possibly relevant" and above
# (matching.calibration.BANDS; the calibration curve in the README shows how often such pairs are relevant).
DEFAULT_MIN_SCORE = 0.2


def preferences(session: Session, user_id: int) -> dict[str, tuple[str, float | None]]:
    """Each topic's (mode, lowest match score); topics without a row get the defaults."""
    stored = {p.topic: (p.mode, p.min_score) for p in session.scalars(
        select(Preference).where(Preference.user_id == user_id))}
    return {t: stored.get(t, (DEFAULT_MODE, DEFAULT_MIN_SCORE if t == "new_match" else None)) for t in TOPIC_WORDS}


def topics_for(role: str | None) -> dict[str, str]:
    """The topics a user of this role chooses for on the settings page."""
    return {t: words for t, words in TOPIC_WORDS.items() if t not in TOPIC_ROLES or role in TOPIC_ROLES[t]}


def set_preference(session: Session, user_id: int, topic: str, mode: str, min_score: float | None = None) -> None:
    from backend.errors import InvalidInput

    if topic not in TOPIC_WORDS:
        raise InvalidInput(f"unknown notification topic {topic!r}", field="topic")
    if mode not in MODES:
        raise InvalidInput(f"unknown mode {mode!r}", field=topic)
    if min_score is not None and not 0 <= min_score <= 1:
        raise InvalidInput("a match score lies between 0 and 1", field="min_score")
    row = session.get(Preference, (user_id, topic)) or Preference(user_id=user_id, topic=topic)
    row.mode, row.min_score = mode, min_score
    session.add(row)
    session.flush()


def unsubscribe_token(user_id: int, topic: str) -> str:
    from itsdangerous import URLSafeSerializer

    from backend.config import get_settings

    return URLSafeSerializer(get_settings().secret_key, salt="unsubscribe").dumps([user_id, topic])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    from itsdangerous import BadSignature, URLSafeSerializer

    from backend.config import get_settings

    try:
        user_id, topic = URLSafeSerializer(get_settings().secret_key, salt="unsubscribe").loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return (int(user_id), str(topic)) if topic in TOPIC_WORDS else None


def _queue_mail(session: Session, *, to: str, locale: str, subject: str, text: str, html: str, kind: str,
                key: str) -> bool:
    """One outbox mail per key (event, recipient, channel): a redelivered or repeated event mails nobody twice."""
    from backend import jobs
    from backend.config import get_settings

    mail_id = session.execute(insert(OutboxMail).values(
        recipient=to, subject=subject[:300], body_text=text, body_html=html, kind=kind, locale=locale,
        attempts=0, dedupe_key=key).on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMail.id)).scalar()
    if mail_id is not None and not get_settings().mail_to_outbox:
        jobs.enqueue(session, "mail.send", mail_id)
    return mail_id is not None


def _mail_text(kind_words: list[tuple[str, str]], topic: str, user_id: int) -> tuple[str, str]:
    """Plain text and HTML of a notification mail in the current locale (lines of (words, link))."""
    from markupsafe import escape

    from backend.config import get_settings
    from backend.i18n import gettext

    base = get_settings().base_url.rstrip("/")
    stop = f"{base}/unsubscribe/{unsubscribe_token(user_id, topic)}"
    settings_link = base + "/account/notifications"
    lines = [f"- {words}: {base}{link}" for words, link in kind_words]
    text = "\n".join([*lines, "", gettext("Stop these mails (no sign-in needed): %(link)s", link=stop),
                      gettext("Change what you receive: %(link)s", link=settings_link)])
    items = "".join(f'<li><a href="{escape(base + link)}">{escape(words)}</a></li>' for words, link in kind_words)
    stop_words, change_words = escape(gettext("Stop these mails")), escape(gettext("Change what you receive"))
    html = (f"<ul>{items}</ul><p><a href=\"{escape(stop)}\">{stop_words}</a> · "
            f"<a href=\"{escape(base)}/account/notifications\">{change_words}</a></p>")
    return text, html


def _mail_now(session: Session, ev: CollaborationEvent, users: list[tuple[int, str, str]]) -> None:
    from backend import i18n

    topic = TOPICS.get(ev.kind)
    if topic is None:
        return
    score = (ev.data or {}).get("fused_score")
    for user_id, email, locale in users:
        mode, min_score = preferences(session, user_id)[topic]
        if mode != "immediate" or (topic == "new_match" and score is not None and score < (min_score or 0)):
            continue
        token = i18n.current_locale.set(locale if locale in i18n.KNOWN_LOCALES else i18n.DEFAULT_LOCALE)
        try:
            subject = words(ev.kind)
            text, html = _mail_text([(words(ev.kind), _url(ev))], topic, user_id)
        finally:
            i18n.current_locale.reset(token)
        _queue_mail(session, to=email, locale=locale, subject=subject, text=text, html=html, kind=ev.kind,
                    key=f"{ev.id}:{user_id}:email")


def notify(session: Session, events: list[CollaborationEvent]) -> int:
    """One unread notification per member of the organisations each event concerns (idempotent), and the
    mails the members asked for."""
    rows = []
    for ev in events:
        if ev.kind not in RULES:
            continue
        if RULES[ev.kind][0] == "assignee":
            # An analyst gave an alert to an analyst: a person's act, told even when the alert is about sample data.
            who = User.id == (ev.data or {}).get("assignee_id")
        elif ev.is_sample:
            continue
        else:
            orgs = _organisations(session, ev)
            if not orgs:
                continue
            who = User.organisation_id.in_(orgs)
        users = session.execute(select(User.id, User.email, User.locale)
                                .where(who, User.is_active)).tuples().all()
        rows += [{"user_id": u, "event_id": ev.id, "kind": ev.kind, "url": _url(ev)} for u, _e, _l in users]
        _mail_now(session, ev, list(users))
    if rows:
        session.execute(insert(Notification).values(rows).on_conflict_do_nothing(
            index_elements=["user_id", "event_id"]))
    return len(rows)


def digest(session: Session, now: datetime | None = None) -> int:
    """The weekly digest: one mail per user listing the week's notifications of their digest topics."""
    from backend import i18n

    now = now or datetime.now(UTC)
    week = now.strftime("%G-W%V")
    sent = 0
    digest_users = set(session.scalars(select(Preference.user_id).where(Preference.mode == "digest")))
    for user in session.scalars(select(User).where(User.id.in_(digest_users), User.is_active)):
        topics = {t for t, (mode, _s) in preferences(session, user.id).items() if mode == "digest"}
        kinds = [k for k, t in TOPICS.items() if t in topics]
        rows = list(session.scalars(select(Notification).where(
            Notification.user_id == user.id, Notification.kind.in_(kinds), Notification.digested_at.is_(None))
            .order_by(Notification.created_at)))
        if not rows:
            continue
        token = i18n.current_locale.set(user.locale if user.locale in i18n.KNOWN_LOCALES else i18n.DEFAULT_LOCALE)
        try:
            subject = i18n.gettext("Your week on Matchmaker: %(n)s updates", n=len(rows))
            text, html = _mail_text([(words(r.kind), r.url) for r in rows], sorted(topics)[0], user.id)
        finally:
            i18n.current_locale.reset(token)
        if _queue_mail(session, to=user.email, locale=user.locale, subject=subject, text=text, html=html,
                       kind="digest", key=f"digest:{week}:{user.id}:email"):
            sent += 1
        for r in rows:
            r.digested_at = now
    session.flush()
    return sent


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
