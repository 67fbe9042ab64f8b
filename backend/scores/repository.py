"""Every query of the scores: the ledger rows they read, the reference data, and the snapshots they write."""

import enum
from datetime import date, datetime

from psycopg.types.json import Jsonb
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from backend.chains.models import IndustryChain
from backend.ledger.kinds import EventKind
from backend.ledger.models import CollaborationEvent
from backend.organisations.models import Organisation
from backend.regions.models import Region
from backend.scores.components import Event, moves
from backend.scores.models import ScoreSnapshot

LOCK = 7_406_011  # transaction advisory lock: one score writer at a time (apply_event and recompute)
SCORED_KINDS = tuple(k.value for k in EventKind if moves(k))
_E = CollaborationEvent
_COLUMNS = (_E.id, _E.kind, _E.occurred_at, _E.region_id, _E.chain_id, _E.organisation_ids, _E.need_id,
            _E.match_id, _E.project_id, _E.data, _E.is_sample)


def lock(session: Session) -> None:
    """Serialise score writers until this transaction ends."""
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK})


def events(session: Session, since: datetime | None = None) -> list[Event]:
    """The ledger events that move a score, from `since` on (every one without it), in id order."""
    query = select(*_COLUMNS).where(_E.kind.in_(SCORED_KINDS)).order_by(_E.id)
    if since is not None:
        query = query.where(_E.occurred_at >= since)
    return [Event(id=r[0], kind=r[1], at=r[2], region_id=r[3], chain_id=r[4], org_ids=tuple(r[5] or ()),
                  need_id=r[6], match_id=r[7], project_id=r[8], data=r[9] or {}, is_sample=r[10])
            for r in session.execute(query)]


def event(session: Session, event_id: int) -> Event | None:
    row = session.execute(select(*_COLUMNS).where(_E.id == event_id)).first()
    if row is None:
        return None
    return Event(id=row[0], kind=row[1], at=row[2], region_id=row[3], chain_id=row[4], org_ids=tuple(row[5] or ()),
                 need_id=row[6], match_id=row[7], project_id=row[8], data=row[9] or {}, is_sample=row[10])


def need_posted_at(session: Session, need_id: int) -> datetime | None:
    return session.scalar(select(func.min(_E.occurred_at)).where(_E.need_id == need_id,
                                                                 _E.kind == EventKind.NEED_POSTED.value))


def need_of_match(session: Session, match_id: int) -> int | None:
    return session.scalar(select(_E.need_id).where(_E.match_id == match_id, _E.kind.like("match.%"),
                                                   _E.need_id.is_not(None)).limit(1))


def project_created(session: Session, project_id: int) -> tuple[datetime, int | None] | None:
    """When the project's `project.created` event happened, and its match."""
    row = session.execute(select(_E.occurred_at, _E.match_id)
                          .where(_E.project_id == project_id, _E.kind == EventKind.PROJECT_CREATED.value)
                          .order_by(_E.occurred_at, _E.id).limit(1)).first()
    return None if row is None else (row[0], row[1])


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region)))


def organisations(session: Session) -> list[tuple[int, str, int | None]]:
    return [(r[0], str(r[1]), r[2]) for r in session.execute(
        select(Organisation.id, Organisation.kind, Organisation.region_id))]


def chains(session: Session) -> list[IndustryChain]:
    return list(session.scalars(select(IndustryChain).order_by(IndustryChain.id)))


def replace_periods(session: Session, periods: list[tuple[date, date]], rows: list[dict]) -> None:
    """Delete every snapshot of these periods and write `rows` instead."""
    for start, end in periods:
        session.execute(delete(ScoreSnapshot).where(ScoreSnapshot.period_start == start,
                                                    ScoreSnapshot.period_end == end))
    if not rows:
        return
    # COPY: thousands of rows per event in a few milliseconds (an executemany sends one statement per row).
    columns = list(rows[0])
    raw = session.connection().connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY score_snapshots ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_copy_value(row[c]) for c in columns])


def _copy_value(value: object) -> object:
    if isinstance(value, dict):
        return Jsonb(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def delete_all(session: Session) -> None:
    session.execute(delete(ScoreSnapshot))


def period_rows(session: Session, start: date, end: date) -> list[ScoreSnapshot]:
    return list(session.scalars(select(ScoreSnapshot).where(ScoreSnapshot.period_start == start,
                                                            ScoreSnapshot.period_end == end)))


def period_values(session: Session, start: date, end: date) -> dict[tuple, dict]:
    """The value and raw value of every snapshot of a period, keyed like the rows the service builds."""
    s = ScoreSnapshot
    query = select(s.region_id, s.chain_id, s.dimension, s.component, s.value, s.raw_value).where(
        s.period_start == start, s.period_end == end)
    return {(r[0], r[1], r[2].value, r[3]): {"value": r[4], "raw_value": r[5]} for r in session.execute(query)}


def scope_rows(session: Session, region_id: int, chain_id: int | None, start: date, end: date,
               ) -> list[ScoreSnapshot]:
    s = ScoreSnapshot
    return list(session.scalars(select(s).where(
        s.region_id == region_id, s.chain_id.is_(None) if chain_id is None else s.chain_id == chain_id,
        s.period_start == start, s.period_end == end)))


def region_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Region.id).where(Region.code == code))
