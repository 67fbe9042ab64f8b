"""Every query of the alerts: what the daily job looks at, and the alerts themselves."""

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, and_, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from backend import postings
from backend.accounts.models import Role, User
from backend.alerts.models import Alert, AlertKind, AlertStatus
from backend.capabilities.models import Capability, CapabilityStatus
from backend.chains.models import IndustryChain
from backend.errors import NotFound
from backend.ledger.kinds import EventKind
from backend.ledger.models import CollaborationEvent
from backend.needs.models import Need, NeedStatus
from backend.organisations.models import Organisation
from backend.projects.models import JointProject, Milestone, ProjectStatus
from backend.regions.models import Region
from backend.scores.components import LOCAL, RESPONSE_KINDS
from backend.scores.models import ScoreSnapshot

_E = CollaborationEvent
OPEN_ONLY = text("status = 'open'")  # the predicate of the partial unique index uq_alerts_open_subject


@dataclass(frozen=True)
class OpenNeed:
    id: int
    region_id: int | None
    chain_id: int | None
    posted_at: datetime
    responded_at: datetime | None
    is_sample: bool


def open_needs(session: Session, posted_before: datetime, *, any_status: bool = False,
               sample_only: bool = False) -> list[OpenNeed]:
    """Open needs (every posted one with `any_status`) posted before `posted_before`, with when they were posted
    and first answered (from the ledger)."""
    posted = (select(_E.need_id, func.min(_E.occurred_at).label("at"))
              .where(_E.kind == EventKind.NEED_POSTED.value, _E.need_id.is_not(None)).group_by(_E.need_id)
              .subquery())
    answered = (select(_E.need_id, func.min(_E.occurred_at).label("at"))
                .where(_E.kind.in_([k.value for k in RESPONSE_KINDS]), _E.need_id.is_not(None))
                .group_by(_E.need_id).subquery())
    posted_at = func.coalesce(posted.c.at, Need.created_at)
    stmt = (select(Need.id, func.coalesce(Need.region_id, Organisation.region_id), Need.chain_id, posted_at,
                   answered.c.at, Need.is_sample)
            .join(Organisation, Organisation.id == Need.organisation_id)
            .outerjoin(posted, posted.c.need_id == Need.id)
            .outerjoin(answered, answered.c.need_id == Need.id)
            .where(posted_at < posted_before).order_by(Need.id))
    if any_status:
        stmt = stmt.where(Need.status != NeedStatus.DRAFT)
    else:
        stmt = stmt.where(Need.status == NeedStatus.OPEN)
    if sample_only:
        stmt = stmt.where(Need.is_sample)
    rows = session.execute(stmt)
    return [OpenNeed(*row) for row in rows]


@dataclass(frozen=True)
class ActiveProject:
    id: int
    region_id: int
    chain_id: int | None
    since: datetime  # when the project became active (its ledger event, else its start or creation)
    last_milestone_on: date | None
    is_sample: bool


def active_projects(session: Session) -> list[ActiveProject]:
    active = (select(_E.project_id, func.max(_E.occurred_at).label("at"))
              .where(_E.kind == EventKind.PROJECT_ACTIVE.value, _E.project_id.is_not(None))
              .group_by(_E.project_id).subquery())
    done = (select(Milestone.project_id, func.max(Milestone.done_on).label("on"))
            .where(Milestone.done_on.is_not(None)).group_by(Milestone.project_id).subquery())
    rows = session.execute(
        select(JointProject.id, JointProject.region_id, JointProject.chain_id, active.c.at, JointProject.started_on,
               JointProject.created_at, done.c.on, JointProject.is_sample)
        .outerjoin(active, active.c.project_id == JointProject.id)
        .outerjoin(done, done.c.project_id == JointProject.id)
        .where(JointProject.status == ProjectStatus.ACTIVE).order_by(JointProject.id))
    out = []
    for pid, region_id, chain_id, active_at, started_on, created_at, last_done, sample in rows:
        since = active_at or (datetime.combine(started_on, time(12), LOCAL) if started_on else created_at)
        out.append(ActiveProject(pid, region_id, chain_id, since, last_done, sample))
    return out


@dataclass(frozen=True)
class ChainDemand:
    chain_id: int
    open_needs: int
    all_sample: bool


def chains_with_open_needs(session: Session) -> list[ChainDemand]:
    rows = session.execute(
        select(Need.chain_id, func.count(), func.bool_and(Need.is_sample))
        .where(Need.status == NeedStatus.OPEN, Need.chain_id.is_not(None))
        .group_by(Need.chain_id).order_by(Need.chain_id))
    return [ChainDemand(*row) for row in rows]


def chains_with_active_capabilities(session: Session) -> set[int]:
    return set(session.scalars(select(Capability.chain_id).distinct().where(
        Capability.status == CapabilityStatus.ACTIVE, Capability.chain_id.is_not(None))))


def chain_parents(session: Session) -> dict[int, int | None]:
    return dict(session.execute(select(IndustryChain.id, IndustryChain.parent_id)).tuples().all())


def home_regions(session: Session, city_code: str) -> tuple[int | None, list[int]]:
    """The home city's id and its districts' ids."""
    city = session.scalar(select(Region.id).where(Region.code == city_code))
    if city is None:
        return None, []
    return city, list(session.scalars(select(Region.id).where(Region.parent_id == city)))


def last_complete_month(session: Session, before: date) -> date | None:
    """The start of the latest month with snapshots that ended before `before`."""
    s = ScoreSnapshot
    return session.scalar(select(func.max(s.period_start)).where(s.period == "month", s.period_end < before))


@dataclass(frozen=True)
class DimensionScore:
    region_id: int
    dimension: str
    period_start: date
    value: float | None
    previous: float | None  # the previous month's value (value - trend)
    trend: float | None
    is_sample: bool


def dimension_scores(session: Session, region_ids: list[int], keys: set[tuple[int, str, date]],
                     month: date | None) -> list[DimensionScore]:
    """Monthly dimension scores (all chains) of these regions in `month`, and those of the (region, dimension,
    month) `keys` (the open score-drop alerts, looked at again)."""
    s = ScoreSnapshot
    wanted = []
    if month is not None and region_ids:
        wanted.append(and_(s.period_start == month, s.region_id.in_(region_ids)))
    for region_id, dimension, start in keys:
        wanted.append(and_(s.period_start == start, s.region_id == region_id, s.dimension == dimension))
    if not wanted:
        return []
    rows = session.execute(
        select(s.region_id, s.dimension, s.period_start, s.value, s.trend, s.is_sample)
        .where(s.period == "month", s.chain_id.is_(None), s.component.is_(None), or_(*wanted)))
    return [DimensionScore(r[0], r[1].value, r[2], r[3], None if r[3] is None or r[4] is None else r[3] - r[4],
                           r[4], r[5]) for r in rows]


def open_alerts(session: Session, kind: AlertKind | None = None) -> list[Alert]:
    stmt = select(Alert).where(Alert.status == AlertStatus.OPEN).order_by(Alert.id)
    if kind is not None:
        stmt = stmt.where(Alert.kind == kind)
    return list(session.scalars(stmt))


def quiet_subjects(session: Session, kind: AlertKind, since: datetime | None) -> set[str]:
    """Subjects an analyst resolved since `since` (every one ever, when None): not raised again yet."""
    stmt = select(Alert.subject).where(Alert.kind == kind, Alert.status == AlertStatus.RESOLVED,
                                       Alert.resolved_automatically.is_(False))
    if since is not None:
        stmt = stmt.where(Alert.resolved_at >= since)
    return set(session.scalars(stmt))


def subjects(session: Session, kind: AlertKind) -> set[str]:
    """Every subject of this kind that has had an alert."""
    return set(session.scalars(select(Alert.subject).distinct().where(Alert.kind == kind)))


def insert_open(session: Session, values: dict) -> int | None:
    """Insert an open alert unless one of its kind and subject is open already; its id, or None."""
    return session.execute(insert(Alert).values(status=AlertStatus.OPEN, **values)
                           .on_conflict_do_nothing(index_elements=["kind", "subject"], index_where=OPEN_ONLY)
                           .returning(Alert.id)).scalar()


def close_open(session: Session, alert_id: int, values: dict) -> Alert | None:
    """Resolve the alert if it is still open (one writer wins); the alert, or None."""
    found = session.execute(update(Alert).where(Alert.id == alert_id, Alert.status == AlertStatus.OPEN)
                            .values(status=AlertStatus.RESOLVED, **values).returning(Alert.id)
                            .execution_options(synchronize_session=False)).scalar()
    if found is None:
        return None
    alert = session.get(Alert, alert_id)
    session.refresh(alert)
    return alert


def get(session: Session, alert_id: int, *, for_update: bool = False) -> Alert:
    alert = session.get(Alert, alert_id, with_for_update=for_update)
    if alert is None:
        raise NotFound(f"alert {alert_id} does not exist")
    return alert


def listing(status: AlertStatus | None, kind: AlertKind | None) -> Select[tuple[Alert]]:
    stmt = select(Alert)
    if status is not None:
        stmt = stmt.where(Alert.status == status)
    if kind is not None:
        stmt = stmt.where(Alert.kind == kind)
    return stmt.order_by(Alert.raised_at.desc(), Alert.id.desc())


def page(session: Session, stmt: Select, *, limit: int, offset: int) -> tuple[list[Alert], int]:
    return postings.page(session, stmt, limit=limit, offset=offset)


def count_open(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Alert).where(Alert.status == AlertStatus.OPEN)) or 0)


def analysts(session: Session) -> list[User]:
    """The active government analysts, who can be given an alert."""
    return list(session.scalars(select(User).where(User.role == Role.GOVERNMENT_ANALYST, User.is_active)
                                .order_by(User.full_name, User.email)))


def users(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def needs(session: Session, ids: set[int]) -> dict[int, Need]:
    if not ids:
        return {}
    return {n.id: n for n in session.scalars(select(Need).where(Need.id.in_(ids)))}


def projects(session: Session, ids: set[int]) -> dict[int, JointProject]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(JointProject).where(JointProject.id.in_(ids)))}


def chains(session: Session, ids: set[int]) -> dict[int, IndustryChain]:
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(IndustryChain).where(IndustryChain.id.in_(ids)))}


def regions(session: Session, ids: set[int]) -> dict[int, Region]:
    if not ids:
        return {}
    return {r.id: r for r in session.scalars(select(Region).where(Region.id.in_(ids)))}
