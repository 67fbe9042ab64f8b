"""Alerts of the sensing score: the daily job raises them, analysts assign and resolve them.

What raises an alert (docs/scores.md, "Alerts"):
- **stale need**: an open need that has had no response at all and is stale by the score's own rule
  (`scores.components.is_stale`: no response within 14 days of its posting);
- **stalled project**: an active project whose last milestone done (with none, the day it became active) is
  at least `alert_stalled_project_days` (60) days old;
- **chain gap**: a chain with open needs and no active capability in it or in a chain below it;
- **score drop**: a monthly dimension score of the city or a district (all chains) that fell by more than
  `alert_score_drop_points` from the month before, looked at for the last complete month.

The job is idempotent: at most one alert per kind and subject is open (a partial unique index), so running it
again raises nothing new. When the cause of an open alert has gone (the need got a response, a milestone was
ticked off, a capability was published, a recompute no longer shows the drop), the job resolves it itself
(`resolved_automatically`), so the list holds live problems only; its time still counts as resolution time.
A subject an analyst resolved is not raised again for `REARM_DAYS` days (a score drop of a month: never).

Every change of an alert writes one ledger event in the same transaction (`alert.raised`, `alert.assigned`,
`alert.resolved`); `alert.resolved` carries `raised_at`, which feeds `median_days_to_resolve_alert`.
Functions flush, never commit.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from backend.accounts.models import Role, User
from backend.alerts import repository
from backend.alerts.models import Alert, AlertKind, AlertStatus
from backend.config import get_settings
from backend.errors import Conflict, InvalidInput
from backend.i18n import _
from backend.ledger import service as ledger
from backend.ledger.kinds import EventKind
from backend.scores.components import LOCAL, STALE_DAYS, is_stale, local_day
from backend.scores.service import load_settings

LOCK = 7_406_021  # transaction advisory lock: one alert job at a time
REARM_DAYS = 30


@dataclass
class Finding:
    """A cause the job found: the alert it raises if none of its kind and subject is open."""

    kind: AlertKind
    subject: str
    region_id: int | None
    chain_id: int | None = None
    need_id: int | None = None
    project_id: int | None = None
    dimension: str | None = None
    period_start: date | None = None
    detail: dict = field(default_factory=dict)
    is_sample: bool = False


@dataclass
class RunResult:
    raised: Counter = field(default_factory=Counter)  # by kind
    resolved: int = 0

    @property
    def total_raised(self) -> int:
        return sum(self.raised.values())


def today_in_shaoxing(now: datetime | None = None) -> date:
    return local_day(now or datetime.now(UTC))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL).astimezone(UTC)


def stale_needs(session: Session, today: date) -> list[Finding]:
    out = []
    for need in repository.open_needs(session, _local_midnight(today - timedelta(days=STALE_DAYS - 1))):
        if need.responded_at is None and is_stale(need.posted_at, None, today):
            out.append(Finding(AlertKind.STALE_NEED, f"need:{need.id}", need.region_id, need.chain_id,
                               need_id=need.id, is_sample=need.is_sample,
                               detail={"posted_on": local_day(need.posted_at).isoformat(),
                                       "days": (today - local_day(need.posted_at)).days}))
    return out


def stalled_projects(session: Session, today: date) -> list[Finding]:
    limit = get_settings().alert_stalled_project_days
    out = []
    for project in repository.active_projects(session):
        last = project.last_milestone_on or local_day(project.since)
        days = (today - last).days
        if days >= limit:
            out.append(Finding(AlertKind.STALLED_PROJECT, f"project:{project.id}", project.region_id,
                               project.chain_id, project_id=project.id, is_sample=project.is_sample,
                               detail={"days": days, "since": last.isoformat(),
                                       "milestone_done": project.last_milestone_on is not None}))
    return out


def chain_gaps(session: Session, city_id: int | None) -> list[Finding]:
    parents = repository.chain_parents(session)
    covered: set[int] = set()
    for chain_id in repository.chains_with_active_capabilities(session):
        at, seen = chain_id, set()
        while at is not None and at not in seen:  # a capability covers its chain and every chain above it
            seen.add(at)
            covered.add(at)
            at = parents.get(at)
    return [Finding(AlertKind.CHAIN_GAP, f"chain:{d.chain_id}", city_id, d.chain_id, is_sample=d.all_sample,
                    detail={"open_needs": d.open_needs})
            for d in repository.chains_with_open_needs(session) if d.chain_id not in covered]


def score_drops(session: Session, today: date, region_ids: list[int], open_keys: set[tuple]) -> list[Finding]:
    threshold = get_settings().alert_score_drop_points
    month = repository.last_complete_month(session, today)
    out = []
    for s in repository.dimension_scores(session, region_ids, open_keys, month):
        if s.trend is not None and -s.trend > threshold:
            out.append(Finding(AlertKind.SCORE_DROP, f"score:{s.region_id}:{s.dimension}:{s.period_start}",
                               s.region_id, dimension=s.dimension, period_start=s.period_start,
                               is_sample=s.is_sample,
                               detail={"value": s.value, "previous": s.previous, "drop": round(-s.trend, 2),
                                       "threshold": threshold}))
    return out


def detect(session: Session, today: date) -> dict[AlertKind, dict[str, Finding]]:
    """Every cause present today, by kind and subject."""
    city_id, districts = repository.home_regions(session, load_settings().home_city)
    open_drops = {(a.region_id, a.dimension, a.period_start)
                  for a in repository.open_alerts(session, AlertKind.SCORE_DROP)}
    found = [*stale_needs(session, today), *stalled_projects(session, today), *chain_gaps(session, city_id),
             *score_drops(session, today, [r for r in [city_id, *districts] if r is not None], open_drops)]
    out: dict[AlertKind, dict[str, Finding]] = {kind: {} for kind in AlertKind}
    for f in found:
        out[f.kind][f.subject] = f
    return out


def run_daily(session: Session, now: datetime | None = None) -> RunResult:
    """The daily job: resolve the open alerts whose cause went away, raise one per new cause (idempotent)."""
    now = now or datetime.now(UTC)
    today = today_in_shaoxing(now)
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK})
    found = detect(session, today)
    result = RunResult()
    for alert in repository.open_alerts(session):
        if alert.subject not in found[alert.kind]:
            if _close(session, alert.id, now=now, by_user_id=None, note=None, automatic=True) is not None:
                result.resolved += 1
    rearm = now - timedelta(days=REARM_DAYS)
    for kind, findings in found.items():
        quiet = repository.quiet_subjects(session, kind, None if kind == AlertKind.SCORE_DROP else rearm)
        for finding in findings.values():
            if finding.subject not in quiet and raise_alert(session, finding, now=now) is not None:
                result.raised[kind.value] += 1
    session.flush()
    return result


def raise_alert(session: Session, finding: Finding, *, now: datetime) -> int | None:
    """Open an alert for `finding` unless one of its kind and subject is open; its id (None: nothing new)."""
    values = {"kind": finding.kind, "subject": finding.subject, "region_id": finding.region_id,
              "chain_id": finding.chain_id, "need_id": finding.need_id, "project_id": finding.project_id,
              "dimension": finding.dimension, "period_start": finding.period_start, "detail": finding.detail,
              "raised_at": now, "is_sample": finding.is_sample, "resolved_automatically": False}
    alert_id = repository.insert_open(session, values)
    if alert_id is not None:
        ledger.record(session, EventKind.ALERT_RAISED, region_id=finding.region_id, chain_id=finding.chain_id,
                      data={"alert_id": alert_id, "alert_kind": finding.kind.value, "subject": finding.subject},
                      occurred_at=now, is_sample=finding.is_sample)
    return alert_id


def _close(session: Session, alert_id: int, *, now: datetime, by_user_id: int | None, note: str | None,
           automatic: bool) -> Alert | None:
    alert = repository.close_open(session, alert_id, {
        "resolved_at": now, "resolved_by_id": by_user_id, "resolution_note": note,
        "resolved_automatically": automatic})
    if alert is not None:
        ledger.record(session, EventKind.ALERT_RESOLVED, region_id=alert.region_id, chain_id=alert.chain_id,
                      data={"alert_id": alert.id, "alert_kind": alert.kind.value,
                            "raised_at": alert.raised_at.isoformat(), "automatic": automatic,
                            "by_user_id": by_user_id},
                      occurred_at=now, is_sample=alert.is_sample)
    return alert


def _open(session: Session, alert_id: int) -> Alert:
    alert = repository.get(session, alert_id, for_update=True)
    if alert.status != AlertStatus.OPEN:
        raise Conflict(_("This alert is resolved already."))
    return alert


def assign(session: Session, alert_id: int, assignee_id: int, *, by_user_id: int | None,
           now: datetime | None = None) -> bool:
    """Give an open alert to an analyst; False when it is theirs already (nothing changes, nothing written)."""
    alert = _open(session, alert_id)
    assignee = session.get(User, assignee_id)
    if assignee is None or not assignee.is_active or assignee.role != Role.GOVERNMENT_ANALYST:
        raise InvalidInput(_("Choose one of the analysts offered."), field="assignee_id")
    if alert.assignee_id == assignee_id:
        return False
    previous = alert.assignee_id
    alert.assignee_id, alert.assigned_at = assignee_id, now or datetime.now(UTC)
    session.flush()
    ledger.record(session, EventKind.ALERT_ASSIGNED, region_id=alert.region_id, chain_id=alert.chain_id,
                  data={"alert_id": alert.id, "alert_kind": alert.kind.value, "assignee_id": assignee_id,
                        "previous_assignee_id": previous, "by_user_id": by_user_id},
                  occurred_at=alert.assigned_at, is_sample=alert.is_sample)
    return True


def resolve(session: Session, alert_id: int, note: str, *, by_user_id: int | None,
            now: datetime | None = None) -> Alert:
    """An analyst closes an open alert with a note."""
    _open(session, alert_id)
    note = note.strip()
    if not note:
        raise InvalidInput(_("Say in a few words what was done."), field="note")
    closed = _close(session, alert_id, now=now or datetime.now(UTC), by_user_id=by_user_id, note=note,
                    automatic=False)
    if closed is None:  # pragma: no cover - the row lock of _open keeps it open until here
        raise Conflict(_("This alert is resolved already."))
    session.flush()
    return closed


def sample_history(session: Session, today: date) -> int:
    """Alerts of the sample data's past, as if the daily job had run every day: each sample need that went
    stale and was answered later got its alert on its 14th day, resolved automatically when the answer came
    (those still waiting are raised by today's `run_daily`). Returns how many such alerts were written."""
    written, seen = 0, repository.subjects(session, AlertKind.STALE_NEED)
    for need in repository.open_needs(session, _local_midnight(today - timedelta(days=STALE_DAYS - 1)),
                                      any_status=True, sample_only=True):
        if need.responded_at is None or f"need:{need.id}" in seen or not is_stale(need.posted_at, need.responded_at,
                                                                                    today):
            continue
        raised_at = _local_midnight(local_day(need.posted_at) + timedelta(days=STALE_DAYS)) + timedelta(hours=8)
        finding = Finding(AlertKind.STALE_NEED, f"need:{need.id}", need.region_id, need.chain_id, need_id=need.id,
                          is_sample=True, detail={"posted_on": local_day(need.posted_at).isoformat(),
                                                  "days": STALE_DAYS})
        alert_id = raise_alert(session, finding, now=raised_at)
        if alert_id is not None and _close(session, alert_id, now=max(need.responded_at, raised_at), by_user_id=None,
                                           note=None, automatic=True) is not None:
            written += 1
    session.flush()
    return written


def sample_today(session: Session, today: date | None = None) -> RunResult:
    """Today's alerts of freshly loaded sample data: one run of the daily job, on `today` (noon in Shaoxing)
    when the sample was built for another day. Call it after the scores are computed (score drops read them)."""
    now = datetime.now(UTC)
    if today is not None and today != today_in_shaoxing(now):
        now = datetime.combine(today, time(12), LOCAL).astimezone(UTC)
    return run_daily(session, now=now)
