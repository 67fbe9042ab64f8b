"""Incremental updates and a full recompute agree, whatever the order of the tasks and however often one is
delivered again (property test on random event streams, against the real database)."""

import json
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from backend.ledger.kinds import EventKind as K
from backend.scores import service
from backend.scores.models import ScoreAppliedEvent, ScoreFact, ScorePartial
from backend.scores.repository import load_state
from tests.unit.scores.test_service import AS_OF, rows

START = datetime(2024, 11, 20, 1, 0, tzinfo=UTC)  # streams cross months, quarters and a year

story = st.fixed_dictionaries({
    "need": st.integers(0, 3),
    "cap": st.integers(0, 1),
    "posted": st.integers(0, 120),  # days after START
    "steps": st.lists(st.integers(0, 20), min_size=9, max_size=9),  # days between the steps
    "depth": st.integers(0, 9),  # how far along the funnel the need goes
    "ends": st.sampled_from(["completed", "terminated"]),
    "value": st.sampled_from([0.0, 250_000.0, 1_500_000.0]),
    "level": st.sampled_from(["none", "municipal", "provincial", "national"]),
    "sample": st.booleans(),
    # the first proposal's calibrated score, and a later proposal of the other capability (or none): only a
    # need's first proposal and its first qualified one count, so later ones may move nothing
    "score": st.sampled_from([0.3, 0.6]),
    "second": st.sampled_from([None, 0.2, 0.7]),
})


def _events(world, stories: list[dict], partnerships: list[int], alerts: list[tuple[int, int]] = ()) -> list:  # noqa: ANN001
    """Write the stories' events in time order (as the services would) and return their ids."""
    planned = []
    for s in stories:
        n, c = s["need"], s["cap"]
        t = START + timedelta(days=s["posted"])
        steps = [(K.NEED_POSTED, {"need": n}, {})]
        chain = [
            (K.MATCH_PROPOSED, {"fused_score": s["score"], "rank": 1}),
            (K.MATCH_MESSAGE, {"message_id": 1, "organisation_id": None}),  # moves nothing, queues nothing
            (K.MATCH_UNIVERSITY_INTERESTED, {"from": "proposed"}),
            (K.MATCH_ACCEPTED, {"from": "university_interested"}),
            (K.PROJECT_CREATED, {"contract_value_cny": s["value"], "major_level": "none"}),
            (K.PROJECT_UPDATED, {"contract_value_cny": s["value"] * 2, "major_level": s["level"],
                                 "before": {"contract_value_cny": s["value"], "major_level": "none"}}),
            (K.PROJECT_ACTIVE, {"from": "planned"}),
            (K.PROJECT_COMPLETED if s["ends"] == "completed" else K.PROJECT_TERMINATED, {"from": "active"}),
            (K.PROJECT_COMMERCIALISED, {"from": "completed"}),
        ]
        for kind, data in chain[:s["depth"]]:
            if kind == K.PROJECT_COMMERCIALISED and s["ends"] != "completed":
                break
            steps.append((kind, {"need": n, "cap": c}, data))
        for i, (kind, refs, data) in enumerate(steps):
            planned.append((t + timedelta(days=sum(s["steps"][:i])), kind, refs, data, s["sample"]))
        if s["second"] is not None and s["depth"] >= 1:
            planned.append((t + timedelta(days=sum(s["steps"][:1]) + s["steps"][1] / 4), K.MATCH_PROPOSED,
                            {"need": n, "cap": 1 - c}, {"fused_score": s["second"], "rank": 2}, s["sample"]))
    for days in partnerships:
        planned.append((START + timedelta(days=days), K.PARTNERSHIP_CREATED, {}, {
            "country": "DE", "kind": "joint_rd", "value_cny": 1e5}, False))
    for i, (raised, days) in enumerate(alerts):  # alerts resolved `days` after they were raised
        raised_at = START + timedelta(days=raised)
        planned.append((raised_at + timedelta(days=days), K.ALERT_RESOLVED, {"alert": i % 2}, {
            "alert_id": i + 1, "alert_kind": "stale_need", "raised_at": raised_at.isoformat(), "automatic": False},
            False))
    planned.sort(key=lambda p: p[0])
    return [_alert_resolved(world, at, refs["alert"], data) if kind == K.ALERT_RESOLVED
            else world.emit(kind, at, sample=sample, **refs, **data).id for at, kind, refs, data, sample in planned]


SETS = {"chains", "posting", "collab", "pair", "projects"}  # lists whose order does not count


def _tidy(value, name: str = ""):  # noqa: ANN001, ANN202
    """A stored state or fact without what does not count: empty values, snapshot ids and detail fingerprints,
    the order of sets."""
    if isinstance(value, dict):
        return {k: _tidy(v, k) for k, v in value.items() if v not in (None, [], {}) and k not in ("ids", "i", "c")}
    if isinstance(value, list) and name in SETS:
        return sorted(value, key=repr)
    return value


def state(session) -> tuple:  # noqa: ANN001
    """The stored state of the per-event update: partials (with the raw values written from them), facts and
    applied events (a platform partial without activity is the same as none)."""
    partials = {}
    for r in session.scalars(select(ScorePartial)):
        stored = load_state(r.state)
        found = {"state": {**stored, "hist": stored["hist"]}, "rows": json.loads(r.rows) if r.rows else None}
        if r.region_id is not None or found["state"]["activity"]:
            partials[r.key] = _tidy(found)
    facts = {r.key: _tidy(r.value) for r in session.scalars(select(ScoreFact)) if _tidy(r.value) or r.key == "built"}
    applied = set(session.scalars(select(ScoreAppliedEvent.event_id)))
    return partials, facts, applied


def _alert_resolved(world, at, firm: int, data: dict) -> int:  # noqa: ANN001
    from backend.ledger import service as ledger

    return ledger.record(world.session, K.ALERT_RESOLVED, region_id=world.firms[firm].region_id,
                         chain_id=world.need_chains[firm], data=data, occurred_at=at).id


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(stories=st.lists(story, min_size=1, max_size=4, unique_by=lambda s: s["need"]),
       partnerships=st.lists(st.integers(0, 150), max_size=2),
       alerts=st.lists(st.tuples(st.integers(0, 120), st.integers(0, 40)), max_size=2), data=st.data())
def test_incremental_updates_agree_with_a_full_recompute(world, stories, partnerships, alerts, data):
    session = world.session
    savepoint = session.begin_nested()
    try:
        rnd = data.draw(st.randoms(use_true_random=False))
        ids = _events(world, stories, partnerships, alerts)
        nightly = data.draw(st.sampled_from([None, *range(len(ids))]))  # a recompute after that many events
        delivered: list[int] = []
        pending: list[int] = []
        for i, event_id in enumerate(ids):  # each task runs after its event committed, in any order, some twice
            pending.append(event_id)
            while pending and rnd.random() < 0.5:
                delivered.append(pending.pop(rnd.randrange(len(pending))))
                service.apply_event(session, delivered[-1], as_of=AS_OF)
            if delivered and rnd.random() < 0.3:
                service.apply_event(session, rnd.choice(delivered), as_of=AS_OF)
            if i == nightly:  # the nightly recompute rebuilds the state; pending tasks still arrive afterwards
                service.recompute(session, as_of=AS_OF)
        rnd.shuffle(pending)
        for event_id in pending + rnd.sample(ids, k=min(3, len(ids))):
            service.apply_event(session, event_id, as_of=AS_OF)
        session.expire_all()
        incremental, kept = rows(session), state(session)
        assert incremental  # every stream posts a need: something was computed
        service.recompute(session, as_of=AS_OF)
        session.expire_all()
        assert rows(session) == incremental
        assert state(session) == kept
    finally:
        savepoint.rollback()
