"""Every query of the scores: the ledger rows they read, the reference data, and the snapshots they write."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import orjson
from sqlalchemy import delete, exists, func, select, text, tuple_
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from backend.ledger.kinds import EventKind
from backend.ledger.models import CollaborationEvent
from backend.matches.models import Match
from backend.needs.models import Need
from backend.partnerships.models import Partnership
from backend.projects.models import JointProject
from backend.regions.models import Region
from backend.scores.components import COMPONENTS, RESPONSE_KINDS, STALE_DAYS, Event, moves
from backend.scores.models import Dimension, RegionTarget, ScoreSnapshot

LOCK = 7_406_011  # transaction advisory lock: one score writer at a time (apply_event and recompute)
SCORED_KINDS = tuple(k.value for k in EventKind if moves(k))


def lock(session: Session) -> None:
    """Serialise score writers until this transaction ends."""
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK})


# Payloads the formulas read; the other kinds' payloads are not loaded.
_DATA_KINDS = [k.value for k in (EventKind.PROJECT_CREATED, EventKind.PROJECT_UPDATED, EventKind.PARTNERSHIP_CREATED,
                                 EventKind.ALERT_RESOLVED)]
# A proposal's payload is read for its score alone: a float column, not a JSON document to decode.
_SELECT = ("SELECT id, kind, occurred_at, region_id, chain_id, organisation_ids, need_id, match_id, project_id, "
           "CASE WHEN kind = ANY(:data_kinds) THEN data END AS data, is_sample, "
           "CASE WHEN kind = :proposed THEN (data ->> 'fused_score')::float END AS score FROM collaboration_events ")
# A need's proposals move its cohort through two facts only: the first proposal and the first qualified one.
# Loading those two instead of all ten (or more) proposals of a need halves what a recompute reads; the first
# ones are found from the covering index (kind, need_id, occurred_at, id) before any row is read.
_EVENTS = text(
    "WITH first_proposal AS MATERIALIZED (SELECT DISTINCT ON (need_id) id FROM collaboration_events "
    "WHERE kind = :proposed AND need_id IS NOT NULL AND occurred_at >= :since ORDER BY need_id, occurred_at, id), "
    "first_qualified AS MATERIALIZED (SELECT DISTINCT ON (need_id) id FROM collaboration_events "
    "WHERE kind = :proposed AND need_id IS NOT NULL AND occurred_at >= :since "
    "AND (data ->> 'fused_score')::float >= :qualified ORDER BY need_id, occurred_at, id) "
    f", counted AS MATERIALIZED ({_SELECT} WHERE kind = ANY(:kinds) AND kind <> :proposed "
    f"AND occurred_at >= :since UNION ALL {_SELECT} WHERE id IN "
    "(SELECT id FROM first_proposal UNION SELECT id FROM first_qualified)), "
    # In the same statement, so from the same snapshot: the events read are exactly the events marked counted.
    "applied AS (INSERT INTO score_applied_events (event_id) SELECT id FROM counted WHERE CAST(:mark AS boolean) "
    "ON CONFLICT DO NOTHING) "
    "SELECT * FROM counted ORDER BY id")


def events(session: Session, since: datetime | None = None, qualified_score: float = 0.5, *,
           mark_applied: bool = False) -> list[Event]:
    """The ledger events that move a score, from `since` on (every one without it), in id order; of a need's
    `match.proposed` events only its first and its first at or above `qualified_score` (all `facts` reads).
    `mark_applied`: record them in `score_applied_events` too (the full recompute)."""
    session.execute(text("SET LOCAL work_mem = '64MB'"))  # the sorts of a 1M-event ledger stay in memory
    rows = session.execute(_EVENTS, {"mark": mark_applied, "kinds": list(SCORED_KINDS),
                                      "proposed": EventKind.MATCH_PROPOSED.value, "data_kinds": _DATA_KINDS,
                                      "qualified": qualified_score, "since": since or datetime(1970, 1, 1, tzinfo=UTC)})
    out = []
    for r in rows.all():
        data = r[9] or ({} if r[11] is None else {"fused_score": r[11]})
        out.append(Event(id=r[0], kind=r[1], at=r[2], region_id=r[3], chain_id=r[4], org_ids=tuple(r[5] or ()),
                         need_id=r[6], match_id=r[7], project_id=r[8], data=data, is_sample=r[10]))
    return out


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region)))


_REFERENCE = ("SELECT 'region', id, code, parent_id, NULL::boolean FROM regions UNION ALL "
              "SELECT 'chain', id, code, parent_id, is_characteristic FROM industry_chains UNION ALL "
              "SELECT 'organisation', id, CAST(kind AS text), region_id, NULL FROM organisations WHERE {orgs}")


def _reference(rows) -> dict[str, list[tuple]]:  # noqa: ANN001
    found: dict[str, list[tuple]] = {"region": [], "chain": [], "organisation": []}
    for r in rows:
        found[r[0]].append(tuple(r[1:]) if r[0] == "chain" else tuple(r[1:4]))
    found["chain"].sort()
    return found


def reference_rows(session: Session, org_ids: set[int] | None = None) -> dict[str, list[tuple]]:
    """In one query: (id, code, parent id) of every region, (id, code, parent id, is characteristic) of every
    chain by id, (id, kind, region id) of every organisation or of `org_ids` only."""
    query = text(_REFERENCE.format(orgs="CAST(:all AS boolean) OR id = ANY(:ids)"))
    return _reference(session.execute(query, {"all": org_ids is None, "ids": sorted(org_ids or ())}))


_TARGETS = ("SELECT r.code, t.component, t.target, t.worst FROM region_score_targets t "
            "JOIN regions r ON r.id = t.region_id")
_EVENTS_BY_ID = ("SELECT id, kind, occurred_at, region_id, chain_id, organisation_ids, need_id, match_id, "
                 "project_id, data, is_sample FROM collaboration_events WHERE id = ANY(%(ids)s) "
                 "AND kind = ANY(%(kinds)s) ORDER BY id")


# A need's proposal counts when it is its first, or its first at or above the qualified score (what `facts` reads).
_COUNTED = (
    "(e.kind <> 'match.proposed' OR (e.need_id IS NOT NULL AND ("
    "NOT EXISTS (SELECT 1 FROM collaboration_events x WHERE x.kind = 'match.proposed' AND x.need_id = e.need_id "
    "AND (x.occurred_at, x.id) < (e.occurred_at, e.id)) "
    "OR (coalesce((e.data ->> 'fused_score')::float, 0) >= %(qualified)s AND NOT EXISTS ("
    "SELECT 1 FROM collaboration_events x WHERE x.kind = 'match.proposed' AND x.need_id = e.need_id "
    "AND (x.occurred_at, x.id) < (e.occurred_at, e.id) AND (x.data ->> 'fused_score')::float >= %(qualified)s)))))")
_MARK_APPLIED = ("INSERT INTO score_applied_events (event_id) SELECT e.id FROM collaboration_events e "
                 f"WHERE e.id = ANY(%(ids)s) AND e.kind = ANY(%(kinds)s) AND {_COUNTED} "
                 "ON CONFLICT DO NOTHING RETURNING event_id")
# The facts an update of these events reads: its needs, matches, projects, firms and pairs, and through the stored
# facts of its matches and projects, their needs and matches.
_EVENT_FACTS = """
WITH e AS (SELECT * FROM collaboration_events WHERE id = ANY(%(ids)s)),
orgs AS (SELECT e.id, o.id AS org, o.kind FROM e CROSS JOIN unnest(e.organisation_ids) AS u(id)
         JOIN organisations o ON o.id = u.id),
firms AS (SELECT id, org FROM orgs WHERE kind = 'firm'),
labs AS (SELECT id, org FROM orgs WHERE kind IN ('university', 'institute')),
direct AS (SELECT 'need:' || need_id AS key FROM e WHERE need_id IS NOT NULL
           UNION SELECT 'match:' || match_id FROM e WHERE match_id IS NOT NULL
           UNION SELECT 'project:' || project_id FROM e WHERE project_id IS NOT NULL
           UNION SELECT 'firm:' || org FROM firms
           UNION SELECT 'pair:' || firms.org || ':' || labs.org FROM firms JOIN labs ON labs.id = firms.id),
linked AS (SELECT f.value FROM score_facts f JOIN direct d ON d.key = f.key
           WHERE f.key LIKE 'match:%%' OR f.key LIKE 'project:%%'),
second AS (SELECT 'need:' || (value ->> 'need') AS key FROM linked WHERE value ->> 'need' IS NOT NULL
           UNION SELECT 'match:' || (value -> 'created' ->> 2) FROM linked WHERE value -> 'created' ->> 2 IS NOT NULL)
SELECT f.key, f.value FROM score_facts f WHERE f.key IN (SELECT key FROM direct UNION SELECT key FROM second)
"""


# The need of each match a created project of these events came from, from the match's events already counted
# (as the full recompute knows it; these events are, as they were marked first): NULL while none is.
_MATCH_NEEDS = (
    "SELECT m.match_id, (SELECT e.need_id FROM collaboration_events e WHERE e.match_id = m.match_id "
    "AND e.need_id IS NOT NULL AND e.kind LIKE 'match.%%' "
    "AND EXISTS (SELECT 1 FROM score_applied_events a WHERE a.event_id = e.id) LIMIT 1) "
    "FROM (SELECT DISTINCT match_id FROM collaboration_events WHERE id = ANY(%(ids)s) AND kind = 'project.created' "
    "AND match_id IS NOT NULL) m")

# The caller's mode is kept aside in a setting of our own (local to the transaction, as both changes are) and put back.
_GENERIC_PLANS = ("SELECT set_config('plan_cache_mode', 'force_generic_plan', true) FROM (SELECT set_config("
                  "'matchmaker.plan_cache_mode', current_setting('plan_cache_mode'), true)) AS kept")
_CALLERS_PLANS = "SELECT set_config('plan_cache_mode', current_setting('matchmaker.plan_cache_mode'), true)"


def start_update(session: Session, event_ids: list[int], qualified_score: float,
                 ) -> tuple[dict | None, list[Event], list[tuple], dict, dict[str, dict], dict[int, int | None]]:
    """Take the score writers' lock, then read what a per-event update needs first, in one round trip (a
    pipeline: each statement sees what was committed before it ran, so after the lock): the `built` fact (None:
    the state is not built); the events with these ids that move a score and were not counted yet, marked counted
    now (a need's proposal only when it is its first or first qualified one); the admins' targets; the reference
    data with the events' organisations only; the stored facts about the events; and the need of the match of
    each created project (`_MATCH_NEEDS`)."""
    session.flush()
    raw = session.connection().connection.dbapi_connection
    params = {"ids": event_ids, "kinds": list(SCORED_KINDS), "qualified": qualified_score}
    with raw.pipeline():
        cursors = [raw.cursor() for _i in range(8)]
        lock, built, applied, events, targets, reference, facts, match_needs = cursors
        # These statements take the ids as an array, for which the planner keeps choosing a custom plan: planned at
        # every event, which cost more than running them (about 1 ms an event at 1M). Their generic plans are the
        # same index scans; the caller's mode comes back at the end of the pipeline.
        raw.execute(_GENERIC_PLANS, prepare=False)
        lock.execute("SELECT pg_advisory_xact_lock(%(k)s)", {"k": LOCK})
        built.execute("SELECT (SELECT value FROM score_facts WHERE key = 'built')")
        applied.execute(_MARK_APPLIED, params)
        events.execute(_EVENTS_BY_ID, params)
        targets.execute(_TARGETS)
        reference.execute(_REFERENCE.format(orgs="id IN (SELECT unnest(organisation_ids) FROM collaboration_events "
                                                 "WHERE id = ANY(%(ids)s))"), params)
        facts.execute(_EVENT_FACTS, params)
        match_needs.execute(_MATCH_NEEDS, params)
        raw.execute(_CALLERS_PLANS, prepare=False)
    fresh = {r[0] for r in applied.fetchall()}
    found = [Event(id=r[0], kind=r[1], at=r[2], region_id=r[3], chain_id=r[4], org_ids=tuple(r[5] or ()),
                   need_id=r[6], match_id=r[7], project_id=r[8], data=r[9] or {}, is_sample=r[10])
             for r in events.fetchall() if r[0] in fresh]
    return (built.fetchone()[0], found, [tuple(r) for r in targets.fetchall()], _reference(reference.fetchall()),
            dict(facts.fetchall()), dict(match_needs.fetchall()))


def replace_periods(session: Session, periods: list[tuple[date, date]], rows: list[dict]) -> None:
    """Delete every snapshot of these periods and write `rows` instead."""
    for start, end in periods:
        session.execute(delete(ScoreSnapshot).where(ScoreSnapshot.period_start == start,
                                                    ScoreSnapshot.period_end == end))
    if not rows:
        return
    # COPY: thousands of rows in a few milliseconds (an executemany sends one statement per row). The dimension
    # is written as its value and the detail as JSON text (a dict is dumped here, a string is JSON already).
    columns = list(rows[0])
    dimension, detail = columns.index("dimension"), columns.index("detail")
    raw = session.connection().connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY score_snapshots ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            values = list(row.values())
            values[dimension] = values[dimension].value
            if not isinstance(values[detail], str):
                values[detail] = dumps(values[detail])
            copy.write_row(values)


def delete_all(session: Session) -> None:
    session.execute(delete(ScoreSnapshot))


def scope_rows(session: Session, region_id: int, chain_id: int | None, start: date, end: date,
               ) -> list[ScoreSnapshot]:
    s = ScoreSnapshot
    return list(session.scalars(select(s).where(
        s.region_id == region_id, s.chain_id.is_(None) if chain_id is None else s.chain_id == chain_id,
        s.period_start == start, s.period_end == end)))


def region_id(session: Session, code: str) -> int | None:
    return session.scalar(select(Region.id).where(Region.code == code))


# What the dashboard reads besides one scope's rows: series, breakdowns and drill-down lists.

def dimension_series(session: Session, region_id: int, chain_id: int | None, kind: str, first: date, last: date,
                     ) -> list[tuple[date, str, float | None, bool]]:
    """(period start, dimension, score, is sample) of every period of `kind` starting in [first, last]."""
    s = ScoreSnapshot
    query = (select(s.period_start, s.dimension, s.value, s.is_sample)
             .where(s.region_id == region_id, s.chain_id.is_(None) if chain_id is None else s.chain_id == chain_id,
                    s.period == kind, s.component.is_(None), s.period_start >= first, s.period_start <= last)
             .order_by(s.period_start))
    return [(r[0], r[1].value, r[2], r[3]) for r in session.execute(query)]


def dimension_scores(session: Session, region_ids: list[int], chain_id: int | None, start: date, end: date,
                     ) -> dict[int, dict[str, float | None]]:
    """The five dimension scores of several regions in one chain (None: all) and period, by region id."""
    s = ScoreSnapshot
    query = select(s.region_id, s.dimension, s.value).where(
        s.region_id.in_(region_ids), s.chain_id.is_(None) if chain_id is None else s.chain_id == chain_id,
        s.component.is_(None), s.period_start == start, s.period_end == end)
    out: dict[int, dict[str, float | None]] = {}
    for region, dimension, value in session.execute(query):
        out.setdefault(region, {})[dimension.value] = value
    return out


def chain_breakdown(session: Session, region_id: int, start: date, end: date, components: tuple[str, ...],
                    ) -> list[tuple[int, str, str | None, float | None, float | None]]:
    """(chain id, dimension, component or None, value, raw value) of every chain's snapshots of one period:
    the dimension rows and the named components."""
    s = ScoreSnapshot
    query = select(s.chain_id, s.dimension, s.component, s.value, s.raw_value).where(
        s.region_id == region_id, s.chain_id.is_not(None), s.period_start == start, s.period_end == end,
        s.component.is_(None) | s.component.in_(components))
    return [(r[0], r[1].value, r[2], r[3], r[4]) for r in session.execute(query)]


def latest_start(session: Session, region_id: int, kind: str) -> date | None:
    """The newest period of `kind` with snapshots of the region over every chain."""
    s = ScoreSnapshot
    return session.scalar(select(func.max(s.period_start)).where(s.region_id == region_id, s.chain_id.is_(None),
                                                                 s.period == kind))


# Aliases of the ledger, made once: an alias builds a proxy of each of the table's columns, which cost the
# dashboard about 10 ms per page when made per query.
_EARLIER = aliased(CollaborationEvent, name="earlier")
_POSTED = aliased(CollaborationEvent, name="posted")
_REPLY = aliased(CollaborationEvent, name="reply")
_PARTNERSHIP_EVENT = aliased(CollaborationEvent, name="partnership_event")


def _in_scope(event, region_ids: list[int], chain_ids: list[int] | None):  # noqa: ANN001, ANN202 - an alias
    """The ledger's scope rule: the event's region among `region_ids`, its chain among `chain_ids` (None: any)."""
    clauses = [event.region_id.in_(region_ids)]
    if chain_ids is not None:
        clauses.append(event.chain_id.in_(chain_ids))
    return clauses


def _first_of_kind(event, kind: EventKind, key: str):  # noqa: ANN001, ANN202 - an alias
    """No earlier event of the same kind about the same need or project (the first posting, the creation)."""
    earlier = _EARLIER
    return ~exists().where(earlier.kind == kind.value, getattr(earlier, key) == getattr(event, key),
                           tuple_(earlier.occurred_at, earlier.id) < tuple_(event.occurred_at, event.id))


def _page(session: Session, query, total_query, limit: int | None, offset: int) -> tuple[list, int]:  # noqa: ANN001
    """One page of `query` (whose last column is `count(*) OVER ()`) and the number of rows in all."""
    if limit is not None:
        query = query.limit(limit)
    rows = list(session.execute(query.offset(offset)))
    if rows:
        return rows, int(rows[0][-1])
    return rows, int(session.scalar(total_query) or 0) if offset else 0


def stale_needs(session: Session, region_ids: list[int], chain_ids: list[int] | None, since: datetime,
                until: datetime, judged_before: datetime, visible, *, limit: int | None, offset: int = 0,  # noqa: ANN001
                ) -> tuple[list[tuple[Need, datetime, datetime | None]], int]:
    """Needs first posted in [since, until) and at least 14 days before `judged_before`, in scope, with no
    response within 14 days (the `stale_need_share` cohort): (need, posted at, first response or None), oldest
    first, and how many there are. `visible` is the viewer's SQL condition on needs."""
    posted, reply = _POSTED, _REPLY
    responses = tuple(k.value for k in RESPONSE_KINDS)
    window = timedelta(days=STALE_DAYS)
    # The bounds on the reply's time follow from the posting's (a response comes after its need's posting) and let
    # the plan read the period's responses only, not the whole ledger's.
    answered = exists().where(reply.need_id == posted.need_id, reply.kind.in_(responses),
                              reply.occurred_at <= posted.occurred_at + window, reply.occurred_at >= since,
                              reply.occurred_at < until + window)
    # The ledger's few postings of the period first (by time), then the needs: a plan that starts from the needs
    # table would probe the ledger once per need.
    candidates = (select(posted.id, posted.need_id, posted.occurred_at)
                  .where(posted.kind == EventKind.NEED_POSTED.value, posted.need_id.is_not(None),
                         posted.occurred_at >= since, posted.occurred_at < until, posted.occurred_at < judged_before,
                         *_in_scope(posted, region_ids, chain_ids),
                         _first_of_kind(posted, EventKind.NEED_POSTED, "need_id"), ~answered)
                  .cte("stale_candidates").prefix_with("MATERIALIZED"))
    first_reply = (select(func.min(reply.occurred_at)).where(reply.need_id == candidates.c.need_id,
                                                             reply.kind.in_(responses)).scalar_subquery())
    joined = select(Need).join(candidates, candidates.c.need_id == Need.id).where(visible)
    query = (joined.add_columns(candidates.c.occurred_at, first_reply, func.count().over())
             .options(selectinload(Need.organisation), selectinload(Need.chain))
             .order_by(candidates.c.occurred_at, candidates.c.id))
    total = select(func.count()).select_from(joined.with_only_columns(candidates.c.id).subquery())
    rows, count = _page(session, query, total, limit, offset)
    return [(r[0], r[1], r[2]) for r in rows], count


TERMINAL_PROJECT_KINDS = (EventKind.PROJECT_COMPLETED, EventKind.PROJECT_COMMERCIALISED, EventKind.PROJECT_TERMINATED)


def stalled_projects(session: Session, region_ids: list[int], chain_ids: list[int] | None, cutoff: datetime,
                     until: datetime, *, limit: int | None, offset: int = 0,
                     ) -> tuple[list[tuple[JointProject, datetime, datetime | None]], int]:
    """Projects created before `cutoff`, in scope, not finished before `until`, with no milestone done in
    [cutoff, until) (no milestone in 60 days when cutoff is 60 days before until): (project, created at,
    last milestone done before `until` or None), longest stalled first, and how many there are."""
    e = CollaborationEvent
    done = tuple(k.value for k in TERMINAL_PROJECT_KINDS)
    milestone = EventKind.PROJECT_MILESTONE_DONE.value
    # Each project's first creation (its scope), then one pass over its later events up to `until`; both read
    # the covering index (kind, project_id, occurred_at, id) without touching the table.
    created = (select(e.project_id, e.occurred_at.label("created_at"), e.region_id, e.chain_id)
               .where(e.kind == EventKind.PROJECT_CREATED.value, e.project_id.is_not(None), e.occurred_at < cutoff)
               .distinct(e.project_id).order_by(e.project_id, e.occurred_at, e.id)
               .cte("project_created").prefix_with("MATERIALIZED"))
    progress = (select(e.project_id, func.max(e.occurred_at).filter(e.kind == milestone).label("last_done"),
                       func.bool_or(e.kind.in_(done)).label("finished"))
                .where(e.kind.in_([milestone, *done]), e.project_id.is_not(None), e.occurred_at < until)
                .group_by(e.project_id).cte("project_progress").prefix_with("MATERIALIZED"))
    idle_since = func.coalesce(progress.c.last_done, created.c.created_at)
    where = [~func.coalesce(progress.c.finished, False), idle_since < cutoff, created.c.region_id.in_(region_ids)]
    if chain_ids is not None:
        where.append(created.c.chain_id.in_(chain_ids))
    # The page is chosen and counted over ids and times; only its rows are joined to the projects.
    stalled = (select(created.c.project_id, created.c.created_at, progress.c.last_done,
                      idle_since.label("idle_since"), func.count().over().label("total"))
               .select_from(created).outerjoin(progress, progress.c.project_id == created.c.project_id)
               .where(*where).order_by(idle_since, created.c.project_id))
    if limit is not None:
        stalled = stalled.limit(limit)
    page = stalled.offset(offset).subquery("stalled_page")
    query = (select(JointProject, page.c.created_at, page.c.last_done, page.c.total)
             .join(page, page.c.project_id == JointProject.id).order_by(page.c.idle_since, page.c.project_id))
    rows = list(session.execute(query))
    if rows:
        return [(r[0], r[1], r[2]) for r in rows], int(rows[0][-1])
    total = select(func.count()).select_from(stalled.limit(None).offset(None).subquery())
    return [], int(session.scalar(total) or 0) if offset else 0


def need_of_projects(session: Session, project_ids: list[int]) -> dict[int, Need]:
    """The need each project came from (through its match), with its organisation."""
    if not project_ids:
        return {}
    query = (select(JointProject.id, Need).join(Match, Match.id == JointProject.match_id)
             .join(Need, Need.id == Match.need_id).options(joinedload(Need.organisation))
             .where(JointProject.id.in_(project_ids)))
    return {r[0]: r[1] for r in session.execute(query)}


def partnerships(session: Session, region_ids: list[int], chain_ids: list[int] | None, since: datetime,
                 until: datetime, *, limit: int | None, offset: int = 0,
                 ) -> tuple[list[tuple[Partnership, datetime]], int]:
    """Foreign partnerships recorded in [since, until) in scope, newest first, and how many there are."""
    e = _PARTNERSHIP_EVENT
    where = [e.kind == EventKind.PARTNERSHIP_CREATED.value, e.partnership_id.is_not(None), e.occurred_at >= since,
             e.occurred_at < until, *_in_scope(e, region_ids, chain_ids)]
    joined = select(Partnership).join(e, e.partnership_id == Partnership.id).where(*where)
    query = (joined.add_columns(e.occurred_at, func.count().over())
             .options(selectinload(Partnership.local_organisation), selectinload(Partnership.foreign_organisation))
             .order_by(e.occurred_at.desc(), e.id.desc()))
    total = select(func.count()).select_from(joined.with_only_columns(e.id).subquery())
    rows, count = _page(session, query, total, limit, offset)
    return [(r[0], r[1]) for r in rows], count


def regions_by_code(session: Session, codes: list[str]) -> dict[str, Region]:
    if not codes:
        return {}
    return {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(codes)))}


def regions_by_id(session: Session, ids: set[int]) -> dict[int, Region]:
    if not ids:
        return {}
    return {r.id: r for r in session.scalars(select(Region).where(Region.id.in_(ids)))}


# Admins' targets per region (over the settings file's) and the snapshots a changed target renormalises.

def region_targets(session: Session) -> list[tuple[str, str, float, float]]:
    """(region code, component, target, worst) of every admin target."""
    query = select(Region.code, RegionTarget.component, RegionTarget.target, RegionTarget.worst).join(
        Region, Region.id == RegionTarget.region_id)
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(query)]


def region_target(session: Session, region_id: int, component: str) -> RegionTarget | None:
    return session.scalar(select(RegionTarget).where(RegionTarget.region_id == region_id,
                                                     RegionTarget.component == component))


def region_dimension_rows(session: Session, region_id: int, dimensions: list[Dimension]) -> list[ScoreSnapshot]:
    """Every snapshot of a region in these dimensions (their components and scores), every chain and period."""
    s = ScoreSnapshot
    return list(session.scalars(select(s).where(s.region_id == region_id, s.dimension.in_(dimensions))))


# The stored state of the per-event update (docs/scores.md, "Computation"): partials, facts, applied events.

# `score_partials.rows` is stored as lists in this order (ids of the components' rows, then of the dimensions';
# raw values of the components), to keep it small: the update reads and writes it for every scope it touches.
_ROW_KEYS = (*(c.code for c in COMPONENTS), *(d.value for d in Dimension))
_RAW_KEYS = tuple(c.code for c in COMPONENTS)


def _pack(rows: dict | None) -> str | None:
    if rows is None:
        return None
    ids, raw = rows["ids"], rows["raw"]
    crc = rows["crc"]
    return dumps({"i": [ids.get(k) for k in _ROW_KEYS], "r": [raw.get(k) for k in _RAW_KEYS], "s": rows["sample"],
                   "a": rows["activity"], "c": [crc.get(k) for k in _RAW_KEYS]})


def _unpack(stored: str | None) -> dict | None:
    if stored is None:
        return None
    found = loads(stored)
    return {"ids": {k: i for k, i in zip(_ROW_KEYS, found["i"], strict=True) if i is not None},
            "raw": dict(zip(_RAW_KEYS, found["r"], strict=True)), "sample": found["s"], "activity": found["a"],
            "crc": dict(zip(_RAW_KEYS, found["c"], strict=True))}


def dumps(value: object) -> str:
    """Compact JSON text (orjson: encoding and decoding states, rows and documents was the largest part of an
    incremental update's CPU with the standard library's codec, see docs/scores.md). A key that is not a string
    is an error: a state's keys are strings already (`_bump`); a number turned into a string on the way out would be
    read back as a string and then counted apart from the same key added as a number."""
    return orjson.dumps(value).decode()


loads = orjson.loads


class StoredState(dict):
    """A partial's state as read from `score_partials.state`: its histograms (`hist`, most of its bytes) are decoded
    when first read, and written back as they were read when nothing read them (most partials an event changes
    touch only counters: an event's own periods, as against its need's cohort)."""

    __slots__ = ("hist_text",)

    def __missing__(self, key: str) -> dict:
        if key != "hist" or self.hist_text is None:
            raise KeyError(key)
        self["hist"] = found = loads(self.hist_text)
        return found


def load_state(stored: str) -> StoredState:
    """A stored state: two JSON documents on two lines, the state without its histograms, then the histograms (a
    state written as one document, before they were apart, reads too)."""
    head, _newline, hist = stored.partition("\n")
    st = StoredState(loads(head))
    st.hist_text = hist or None
    return st


def dump_state(st: dict) -> str:
    """The text `load_state` reads (JSON text holds no raw newline); histograms nobody read go back unchanged."""
    hist = dict.pop(st, "hist", None)
    try:
        if hist is None:
            return f"{dumps(st)}\n{getattr(st, 'hist_text', None) or '{}'}"
        return f"{dumps(st)}\n{dumps(hist)}"
    finally:
        if hist is not None:
            st["hist"] = hist

def facts_of(session: Session, keys: list[str]) -> dict[str, dict]:
    if not keys:
        return {}
    session.flush()
    raw = session.connection().connection.dbapi_connection
    return dict(raw.execute("SELECT key, value FROM score_facts WHERE key IN "
                            "(SELECT jsonb_array_elements_text(%s::jsonb))", (dumps(list(keys)),)).fetchall())


def partials_of(session: Session, keys: list[str], rows_keys: list[str] = (),
                ) -> dict[str, tuple[dict | None, dict | None]]:
    """(state, rows) of the stored partials with these keys, and (None, rows) of those of `rows_keys`."""
    if not keys and not rows_keys:
        return {}
    session.flush()
    raw = session.connection().connection.dbapi_connection
    found = raw.execute(
        "SELECT key, CASE WHEN key IN (SELECT jsonb_array_elements_text(%s::jsonb)) THEN state END, rows "
        "FROM score_partials WHERE key IN (SELECT jsonb_array_elements_text(%s::jsonb))",
        (dumps(list(keys)), dumps([*keys, *rows_keys])))
    return {r[0]: (None if r[1] is None else load_state(r[1]), _unpack(r[2])) for r in found}


def reserve_snapshot_ids(session: Session, n: int) -> int:
    """Take `n` consecutive snapshot ids from the sequence (score writers hold the lock); return the first."""
    last = session.scalar(text(
        "SELECT setval(pg_get_serial_sequence('score_snapshots', 'id'), "
        "nextval(pg_get_serial_sequence('score_snapshots', 'id')) + :n - 1)"), {"n": n})
    return int(last) - n + 1


# Each statement takes one JSON document (an array parameter costs more to send than the document to parse).
_PUT_FACTS = ("INSERT INTO score_facts (key, value) SELECT u.key, u.value FROM jsonb_each(%s::jsonb) AS u "
              "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")
# The partials go as one array per column of one statement: inside one JSON document a state would be encoded
# twice here and parsed once more by the server, and one statement per partial (tens in one pipeline) cost
# about 60 µs each in the driver.
_PUT_PARTIALS = (
    "INSERT INTO score_partials (key, period, period_start, region_id, chain_id, state, rows) "
    "SELECT * FROM unnest(%b::text[], %b::text[], %b::date[], %b::int[], %b::int[], %b::text[], %b::text[]) "
    "ON CONFLICT (key) DO UPDATE SET state = EXCLUDED.state, rows = EXCLUDED.rows")
_PUT_ROWS = "UPDATE score_partials p SET rows = u.value FROM jsonb_each_text(%s::jsonb) AS u WHERE p.key = u.key"
_UPDATE_SNAPSHOTS = (
    "UPDATE score_snapshots s SET value = u.value, raw_value = u.raw_value, target = u.target, "
    "previous_raw_value = u.previous_raw_value, trend = u.trend, detail = u.detail::jsonb, is_sample = u.is_sample, "
    "computed_at = now() FROM jsonb_to_recordset(%s::jsonb) AS u(id int, value float8, raw_value float8, "
    "target float8, previous_raw_value float8, trend float8, detail text, is_sample boolean) WHERE s.id = u.id")
_SET_TRENDS = ("UPDATE score_snapshots s SET previous_raw_value = u.previous_raw_value, trend = u.trend "
               "FROM jsonb_to_recordset(%s::jsonb) AS u(id int, previous_raw_value float8, trend float8) "
               "WHERE s.id = u.id")


class UpdateWriter:
    """The writes of one per-event update, sent as soon as each is ready on one pipeline (`update_writer`): the
    server works through each statement while the update goes on computing the next (on a two-core machine the
    server's writes and the process's encoding and trends then overlap instead of adding up)."""

    def __init__(self, raw) -> None:  # noqa: ANN001
        self.raw = raw
        self.expected: list[tuple] = []

    def _send(self, statement: str, params: tuple, expected: int | None = None) -> None:
        cursor = self.raw.cursor()
        cursor.execute(statement, params)
        self.expected.append((cursor, expected))

    def snapshots(self, snapshots: list[dict]) -> None:
        """Snapshots by id: dicts of id, value, raw_value, target, previous_raw_value, trend, detail as JSON text,
        is_sample."""
        if snapshots:
            self._send(_UPDATE_SNAPSHOTS, (dumps(snapshots),), len(snapshots))

    def partials(self, partials: list[dict]) -> None:
        """Partials: dicts of key, period, period_start, region_id, chain_id, state, rows."""
        if partials:
            self._send(_PUT_PARTIALS, (
                [p["key"] for p in partials], [p["period"] for p in partials], [p["period_start"] for p in partials],
                [p["region_id"] for p in partials], [p["chain_id"] for p in partials],
                [dump_state(p["state"]) for p in partials], [_pack(p["rows"]) for p in partials]))

    def facts(self, facts: dict[str, dict]) -> None:
        if facts:
            self._send(_PUT_FACTS, (dumps(facts),))

    def rows(self, rows: dict[str, dict]) -> None:
        """The rows of other partials, by key."""
        if rows:
            self._send(_PUT_ROWS, (dumps({k: _pack(v) for k, v in rows.items()}),))

    def trends(self, trends: list[dict]) -> None:
        """Trends by id: dicts of id, previous_raw_value, trend."""
        if trends:
            self._send(_SET_TRENDS, (dumps(trends),), len(trends))

    def consistent(self) -> bool:
        """Whether every snapshot the stored state names was there (False: the state and the snapshots disagree,
        and only a full recompute can tell which is right); once the pipeline is done."""
        return all(expected is None or cursor.rowcount == expected for cursor, expected in self.expected)


@contextmanager
def update_writer(session: Session) -> Iterator[UpdateWriter]:
    """One round trip for the writes of a per-event update (a pipeline, synchronised when the block ends)."""
    session.flush()
    raw = session.connection().connection.dbapi_connection
    with raw.pipeline():
        yield UpdateWriter(raw)


def clear_state(session: Session) -> None:
    """Empty the stored state of the per-event update (the full recompute rebuilds it)."""
    session.execute(text("TRUNCATE score_partials, score_facts, score_applied_events"))


def replace_state(session: Session, partials: list[tuple], facts: dict[str, dict], day: date) -> None:
    """Write the stored state the full recompute built on `day` (after `clear_state`): partials, facts (marked
    built, with the day: `Reference.state_day`)."""
    raw = session.connection().connection.dbapi_connection
    with raw.cursor() as cursor:
        with cursor.copy("COPY score_partials (key, period, period_start, region_id, chain_id, state, rows) FROM STDIN"
                         ) as copy:
            for row in partials:
                copy.write_row((*row[:5], dump_state(row[5]), _pack(row[6])))
        with cursor.copy("COPY score_facts (key, value) FROM STDIN") as copy:
            copy.write_row(("built", dumps({"day": day.toordinal()})))
            for key, value in facts.items():
                copy.write_row((key, dumps(value)))
