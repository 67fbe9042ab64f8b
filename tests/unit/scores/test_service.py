"""Score snapshots in the database: the incremental update per event, the full recompute, trends, targets."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text

from backend.ledger.kinds import EventKind as K
from backend.regions.models import Region
from backend.scores import service
from backend.scores.models import Dimension, ScoreSnapshot

AS_OF = date(2025, 12, 31)


def when(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 3, 0, tzinfo=UTC)


def rows(session) -> list[tuple]:  # noqa: ANN001
    """Every snapshot, without its id and time of computation, in a stable order."""
    found = session.scalars(select(ScoreSnapshot))
    return sorted((r.region_id, r.chain_id or 0, r.dimension.value, r.component or "", r.period, r.period_start,
                   r.period_end, r.value, r.raw_value, r.target, r.previous_raw_value, r.trend,
                   json.dumps(r.detail, sort_keys=True), r.is_sample) for r in found)


def snapshot(session, region_code: str, component: str | None, period: str, start: date,  # noqa: ANN001
             chain_id: int | None = None, dimension: Dimension | None = None) -> ScoreSnapshot | None:
    region_id = session.scalar(select(Region.id).where(Region.code == region_code))
    query = select(ScoreSnapshot).where(ScoreSnapshot.region_id == region_id, ScoreSnapshot.period == period,
                                        ScoreSnapshot.period_start == start,
                                        ScoreSnapshot.chain_id.is_(None) if chain_id is None
                                        else ScoreSnapshot.chain_id == chain_id)
    query = query.where(ScoreSnapshot.component.is_(None) if component is None
                        else ScoreSnapshot.component == component)
    if dimension is not None:
        query = query.where(ScoreSnapshot.dimension == dimension)
    return session.scalar(query)


def test_an_empty_ledger_writes_no_snapshot(db_session):
    assert service.recompute(db_session, as_of=AS_OF) == 0
    assert db_session.scalar(select(func.count()).select_from(ScoreSnapshot)) == 0


def test_world_creation_moves_no_score(world):
    assert service.recompute(world.session, as_of=AS_OF) == 0


def test_one_posted_need_writes_its_district_and_the_city_for_each_period_and_chain(world):
    event = world.emit(K.NEED_POSTED, when(3, 4), need=0)
    written = service.apply_event(world.session, event.id, as_of=AS_OF)
    # 2 regions (Xinchang, Shaoxing) x 3 chain scopes (all, bearings, equipment) x 3 periods x (23 + 5) rows
    assert written == 2 * 3 * 3 * 28
    need_share = snapshot(world.session, "330624", "matched_need_share", "month", date(2025, 3, 1))
    assert (need_share.raw_value, need_share.value, need_share.target) == (0.0, 0.0, 90.0)
    accepted = snapshot(world.session, "330600", "accepted_matches", "quarter", date(2025, 1, 1))
    assert (accepted.raw_value, accepted.target) == (0.0, 36 * 3)  # the city's monthly target, three months
    stale = snapshot(world.session, "330624", "stale_need_share", "year", date(2025, 1, 1))
    assert (stale.raw_value, stale.value) == (100.0, 0.0)  # no response in 14 days: the worst
    sensing = snapshot(world.session, "330624", None, "month", date(2025, 3, 1), dimension=Dimension.SENSING)
    # stale 0 and no qualified match within 7 days 0; the medians have no data yet
    assert sensing.value == 0.0 and sensing.detail == {"components": 2}
    response = snapshot(world.session, "330624", "median_days_to_first_response", "month", date(2025, 3, 1))
    assert response.raw_value is None and response.value is None
    assert snapshot(world.session, "330681", None, "month", date(2025, 3, 1), dimension=Dimension.SENSING) is None


def test_a_redelivered_event_counts_once(world):
    posted = world.emit(K.NEED_POSTED, when(3, 4), need=0)
    proposed = world.emit(K.MATCH_PROPOSED, when(3, 5), need=0, cap=0, fused_score=0.7, rank=1)
    accepted = world.emit(K.MATCH_ACCEPTED, when(3, 9), need=0, cap=0, **{"from": "firm_interested"})
    for event in (accepted, posted, proposed):  # each event's task, the acceptance's first
        service.apply_event(world.session, event.id, as_of=AS_OF)
    first = rows(world.session)
    service.apply_event(world.session, accepted.id, as_of=AS_OF)
    service.apply_event(world.session, accepted.id, as_of=AS_OF)
    assert rows(world.session) == first
    count = snapshot(world.session, "330600", "accepted_matches", "month", date(2025, 3, 1))
    assert count.raw_value == 1.0
    assert snapshot(world.session, "330600", "cross_district_collaborations", "month", date(2025, 3, 1)
                    ).raw_value == 1.0  # Xinchang firm, Yuecheng college
    service.recompute(world.session, as_of=AS_OF)
    assert rows(world.session) == first


def test_a_need_reaching_a_later_stage_rewrites_the_funnel_row_and_not_the_matched_share(world):
    world.emit(K.NEED_POSTED, when(3, 4), need=0)
    world.emit(K.MATCH_PROPOSED, when(3, 5), need=0, cap=0, fused_score=0.7, rank=1)
    service.recompute(world.session, as_of=AS_OF)

    def where(component: str) -> tuple:  # a rewritten row is a new row version, at a new place
        row = snapshot(world.session, "330600", component, "month", date(2025, 3, 1))
        return world.session.execute(text("SELECT ctid::text FROM score_snapshots WHERE id = :i"),
                                     {"i": row.id}).scalar(), row.detail

    matched, funnel = where("matched_need_share"), where("need_to_project_conversion")
    accepted = world.emit(K.MATCH_ACCEPTED, when(3, 9), need=0, cap=0, **{"from": "firm_interested"})
    service.apply_event(world.session, accepted.id, as_of=AS_OF)
    world.session.expire_all()
    assert where("matched_need_share") == matched and matched[1] == {"matched": 1, "posted": 1}
    moved = where("need_to_project_conversion")
    assert moved[0] != funnel[0] and (funnel[1]["reached"]["accepted"], moved[1]["reached"]["accepted"]) == (0, 1)
    incremental = rows(world.session)
    service.recompute(world.session, as_of=AS_OF)
    assert rows(world.session) == incremental


def test_trends_compare_with_the_previous_period_even_when_it_is_updated_later(world):
    postings = [world.emit(K.NEED_POSTED, when(1, 10), need=0), world.emit(K.NEED_POSTED, when(2, 10), need=1)]
    february = world.emit(K.MATCH_PROPOSED, when(2, 11), need=1, cap=1, fused_score=0.7, rank=1)
    service.apply_events(world.session, [postings[1].id, february.id], as_of=AS_OF)
    share = snapshot(world.session, "330600", "matched_need_share", "month", date(2025, 2, 1))
    january_row = snapshot(world.session, "330600", "matched_need_share", "month", date(2025, 1, 1))
    # January has no counted event yet: no snapshot, and no trend (a full recompute would read January's posting)
    assert (share.value, share.trend, january_row) == (100.0, None, None)
    january = world.emit(K.MATCH_PROPOSED, when(1, 12), need=0, cap=0, fused_score=0.7, rank=1)
    third = world.emit(K.NEED_POSTED, when(1, 11), need=2)  # January: one of two needs matched
    service.apply_events(world.session, [postings[0].id, january.id, third.id], as_of=AS_OF)
    world.session.expire_all()
    share = snapshot(world.session, "330600", "matched_need_share", "month", date(2025, 2, 1))
    # January: 50 % matched against a 90 % target is 55.56 points; February gained 44.44
    assert (share.value, share.previous_raw_value, share.trend) == (100.0, 50.0, 44.44)


def test_sample_events_count_and_are_flagged(world):
    event = world.emit(K.NEED_POSTED, when(5, 4), need=1, sample=True)
    service.apply_event(world.session, event.id, as_of=AS_OF)
    found = snapshot(world.session, "330681", "strategic_chain_need_share", "month", date(2025, 5, 1))
    assert found.is_sample and found.raw_value == 100.0  # hydrogen drones are on the strategic list


def test_stored_documents_keep_their_text_and_refuse_keys_that_are_not_strings():
    from backend.scores import repository

    state = {"days": {"739252": [1, 1, 0]}, "countries": {"DE": [1, 200]}, "note": "绍兴"}
    assert repository.dumps(state) == '{"days":{"739252":[1,1,0]},"countries":{"DE":[1,200]},"note":"绍兴"}'
    assert repository.loads(repository.dumps(state)) == state
    with pytest.raises(TypeError):  # a number as a key would come back as a string, apart from its twin
        repository.dumps({739252: [1, 1, 0]})


def test_an_event_that_moves_nothing_writes_nothing(world):
    event = world.emit(K.NEED_EDITED, when(5, 4), need=1, fields=["title"])
    assert service.apply_event(world.session, event.id, as_of=AS_OF) == 0
    assert service.apply_event(world.session, 10**9, as_of=AS_OF) == 0  # a missing event: nothing to do


def test_a_project_update_moves_the_period_the_project_started_in(world):
    world.emit(K.NEED_POSTED, when(1, 3), need=0)
    world.emit(K.MATCH_PROPOSED, when(1, 4), need=0, cap=0, fused_score=0.7, rank=1)
    world.emit(K.PROJECT_CREATED, when(1, 20), need=0, cap=0, contract_value_cny=1e6, major_level="none")
    service.recompute(world.session, as_of=AS_OF)
    update = world.emit(K.PROJECT_UPDATED, when(4, 2), need=0, cap=0, contract_value_cny=2.5e6,
                        major_level="provincial",
                        before={"contract_value_cny": 1e6, "major_level": "none"})
    service.apply_event(world.session, update.id, as_of=AS_OF)
    world.session.expire_all()
    value = snapshot(world.session, "330600", "contract_value", "month", date(2025, 1, 1))
    major = snapshot(world.session, "330600", "major_projects", "quarter", date(2025, 1, 1))
    assert (value.raw_value, major.raw_value) == (2.5e6, 1.0)
    conversion = snapshot(world.session, "330624", "need_to_project_conversion", "month", date(2025, 1, 1))
    assert conversion.raw_value == 100.0
    incremental = rows(world.session)
    service.recompute(world.session, as_of=AS_OF)
    assert rows(world.session) == incremental


def test_targets_scale_with_the_period_and_regions_override_them():
    settings = service.load_settings()
    month, year = (service.periods_of(date(2025, 3, 1))[i] for i in (0, 2))
    assert settings.target("330624", "accepted_matches", month).target == 6
    assert settings.target("330624", "accepted_matches", year).target == 72
    assert settings.target("330600", "accepted_matches", month).target == 36
    assert settings.target("330600", "stale_need_share", year).target == 10  # a share does not scale
    assert settings.target("330624", "median_days_to_acceptance", month).worst == 90


def test_the_nightly_recompute_is_scheduled_and_both_tasks_are_registered():
    from celery.schedules import crontab

    from workers.app import celery_app

    entry = celery_app.conf.beat_schedule["recompute-scores"]
    assert entry["task"] == "scores.recompute" and isinstance(entry["schedule"], crontab)
    celery_app.loader.import_default_modules()
    assert {"scores.apply_event", "scores.recompute"} <= set(celery_app.tasks)


def test_read_gives_the_five_dimensions_with_their_components_or_none(world):
    assert service.read(world.session, "330624", "month", date(2025, 3, 1)) is None  # no data yet
    world.emit(K.NEED_POSTED, when(3, 4), need=0, sample=True)
    world.emit(K.MATCH_PROPOSED, when(3, 5), need=0, cap=0, fused_score=0.7, rank=1)
    service.recompute(world.session, as_of=AS_OF)
    scores = service.read(world.session, "330624", "month", date(2025, 3, 20))
    assert scores.is_sample and (scores.period_start, scores.period_end) == (date(2025, 3, 1), date(2025, 3, 31))
    assert [d.dimension for d in scores.dimensions] == [d.value for d in Dimension]
    promotion = next(d for d in scores.dimensions if d.dimension == "promotion")
    matched = next(c for c in promotion.components if c.code == "matched_need_share")
    assert (matched.raw_value, matched.value, matched.unit) == (100.0, 100.0, "percent")
    sensing = next(d for d in scores.dimensions if d.dimension == "sensing")
    qualified = next(c for c in sensing.components if c.code == "qualified_match_within_7_days")
    assert (qualified.raw_value, qualified.detail) == (100.0, {"qualified": 1, "judged": 1})  # 0.7 >= 0.5, 1 day
    assert not sensing.waiting
    known = [d.value for d in scores.dimensions if d.value is not None]
    assert scores.composite == round(sum(known) / len(known), 2)  # equal weights


def test_the_events_of_one_transaction_are_applied_in_one_pass(world):
    ids = [world.emit(K.NEED_POSTED, when(1, 3), need=0).id,
           world.emit(K.MATCH_PROPOSED, when(6, 5), need=0, cap=1, fused_score=0.7, rank=1).id]
    service.apply_events(world.session, [*ids, ids[0], 10**9], as_of=AS_OF)
    batched = rows(world.session)
    service.recompute(world.session, as_of=AS_OF)
    assert rows(world.session) == batched


def test_only_a_needs_first_and_first_qualified_proposals_update_the_scores(world):
    posted = world.emit(K.NEED_POSTED, when(3, 4), need=0)
    weak = world.emit(K.MATCH_PROPOSED, when(3, 5), need=0, cap=0, fused_score=0.3, rank=1)
    for event in (posted, weak):
        service.apply_event(world.session, event.id, as_of=AS_OF)
    qualified = snapshot(world.session, "330624", "qualified_match_within_7_days", "month", date(2025, 3, 1))
    assert qualified.raw_value == 0.0  # matched on day 1, but below the qualified score
    strong = world.emit(K.MATCH_PROPOSED, when(3, 6), need=0, cap=1, fused_score=0.7, rank=1)
    assert service.apply_event(world.session, strong.id, as_of=AS_OF) > 0  # the first qualified one
    world.session.expire_all()
    qualified = snapshot(world.session, "330624", "qualified_match_within_7_days", "month", date(2025, 3, 1))
    assert (qualified.raw_value, qualified.detail) == (100.0, {"qualified": 1, "judged": 1})
    # a later proposal, qualified or not, is neither first nor first qualified: nothing to do
    later = world.emit(K.MATCH_PROPOSED, when(3, 7), need=0, cap=0, fused_score=0.9, rank=1)
    assert service.apply_event(world.session, later.id, as_of=AS_OF) == 0
    incremental = rows(world.session)
    service.recompute(world.session, as_of=AS_OF)
    assert rows(world.session) == incremental


def test_an_update_that_finds_its_snapshots_gone_rebuilds_them_with_a_full_recompute(world):
    from backend.scores import repository

    service.apply_event(world.session, world.emit(K.NEED_POSTED, when(3, 4), need=0).id, as_of=AS_OF)
    repository.delete_all(world.session)  # the snapshots emptied apart from the state they were written from
    proposed = world.emit(K.MATCH_PROPOSED, when(3, 5), need=0, cap=0, fused_score=0.7, rank=1)
    assert service.apply_event(world.session, proposed.id, as_of=AS_OF) == 2 * 3 * 3 * 28
    rebuilt = rows(world.session)
    service.recompute(world.session, as_of=AS_OF)
    assert rows(world.session) == rebuilt


def test_the_first_round_trip_runs_generic_plans_and_leaves_the_plan_mode_as_it_was(world):
    # Its statements take the event ids as an array, for which the server would plan a custom plan at every event
    # (it cost more than running them at 1M). psycopg prepares a statement from its sixth execution on one
    # connection; a prepared statement without the forced mode runs custom plans at least five times more.
    for n in range(4):
        world.emit(K.NEED_POSTED, when(4, 1 + n), need=n % 4)
    service.recompute(world.session, as_of=AS_OF)

    def propose(n: int) -> None:
        proposal = world.emit(K.MATCH_PROPOSED, when(4, 6 + n), need=n % 4, cap=n % 2, fused_score=0.7, rank=1)
        service.apply_event(world.session, proposal.id, as_of=AS_OF)

    def mode() -> str:
        return world.session.scalar(text("SELECT current_setting('plan_cache_mode')"))

    for n in range(10):
        propose(n)
    assert mode() == "auto"
    plans = world.session.execute(text(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
        "WHERE statement LIKE 'INSERT INTO score_applied_events%'")).all()
    assert len(plans) == 1 and plans[0].generic_plans >= 3 and plans[0].custom_plans == 0
    # A caller's own mode, not the default, is what the update leaves behind
    world.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    propose(10)
    assert mode() == "force_custom_plan"
