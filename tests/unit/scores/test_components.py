"""Each formula against the hand-computed fixture in fixture.py, and which components each event kind moves."""

from datetime import UTC, date, datetime

import pytest

from backend.ledger.kinds import EventKind as K
from backend.scores.components import (
    BY_CODE,
    COMPONENTS,
    MOVES,
    Period,
    Target,
    composite,
    compute_period,
    dimension_score,
    facts,
    local_day,
    moves,
    normalise,
    period_of,
)
from backend.scores.models import Dimension
from tests.unit.scores.fixture import (
    AS_OF,
    BEARINGS,
    CITY,
    D2,
    D3,
    FIRM_A,
    FIRM_B,
    FIRM_C,
    FIRM_D,
    FOREIGN,
    HYDROGEN,
    REF,
    UNI_HANGZHOU,
    UNI_SHAOXING,
    at,
    baseline,
    ev,
)

JANUARY = period_of("month", date(2025, 1, 1))
FEBRUARY = period_of("month", date(2025, 2, 1))


def raw(events, period: Period = JANUARY, scope=(CITY, None)) -> dict[str, float | None]:  # noqa: ANN001
    values = compute_period(period, events, facts(events), REF, as_of=AS_OF)[scope]
    return {code: (None if v.raw is None else round(v.raw, 4)) for code, v in values.items()}


def test_periods_are_calendar_months_quarters_and_years_in_shaoxing_time():
    assert period_of("quarter", date(2025, 5, 17)) == Period("quarter", date(2025, 4, 1), date(2025, 6, 30))
    assert period_of("year", date(2024, 2, 29)).end == date(2024, 12, 31)
    assert period_of("month", date(2024, 2, 3)).end == date(2024, 2, 29)
    assert JANUARY.previous() == Period("month", date(2024, 12, 1), date(2024, 12, 31))
    assert JANUARY.next() == FEBRUARY
    # 16:30 UTC on 31 January is already 1 February in Shaoxing
    assert local_day(datetime(2025, 1, 31, 16, 30, tzinfo=UTC)) == date(2025, 2, 1)


def test_shared_cooperation_for_the_city():
    v = raw(baseline())
    assert v["accepted_matches"] == 2 and v["joint_projects"] == 1
    # pairs (A, Shaoxing university) and (B, Hangzhou university); active firms A, B, C (C only posted a need)
    assert v["pairs_per_100_firms"] == round(100 * 2 / 3, 4)
    assert v["collaborating_firm_share"] == round(100 * 2 / 3, 4)
    assert v["cross_district_collaborations"] == 2  # the match and the project of A (D2) with D3's university
    assert v["neighbour_city_collaborations"] == 1  # B with the Hangzhou university
    assert v["foreign_partnerships"] == 1 and v["foreign_partnership_value"] == 2_000_000


def test_foreign_partnerships_are_broken_down_by_country():
    detail = compute_period(JANUARY, baseline(), facts(baseline()), REF, as_of=AS_OF)[(CITY, None)]
    assert detail["foreign_partnerships"].detail == {"by_country": {"DE": {"count": 1, "value_cny": 2_000_000.0}}}


def test_innovation_promotion_follows_the_cohort_of_needs_posted_in_the_period():
    v = raw(baseline())
    assert v["matched_need_share"] == round(100 * 2 / 3, 4)  # needs 1 and 2 of 1, 2, 3
    assert v["need_to_project_conversion"] == round(100 / 3, 4)  # need 1's project
    assert v["median_days_to_acceptance"] == 16  # 10 and 22 days
    assert v["project_completion_share"] is None  # no project ended in January: no data, not 0
    assert v["commercialised_projects"] == 0 and v["contract_value"] == 1_000_000
    funnel = compute_period(JANUARY, baseline(), facts(baseline()), REF, as_of=AS_OF)[(CITY, None)][
        "need_to_project_conversion"].detail
    assert funnel["reached"] == {"posted": 3, "matched": 2, "responded": 2, "accepted": 2, "project": 1,
                                 "completed": 1, "commercialised": 0}
    assert funnel["median_days"]["posted_to_matched"] == 2.5  # 2 and 3 days
    assert funnel["conversion"]["project_to_completed"] == 100.0
    assert funnel["conversion"]["completed_to_commercialised"] == 0.0
    assert raw(baseline(), FEBRUARY)["project_completion_share"] == 100.0


def test_intelligent_sensing():
    v = raw(baseline())
    assert v["median_days_to_first_response"] == 13  # 4 days (interest) and 22 days (acceptance)
    assert v["stale_need_share"] == round(100 * 2 / 3, 4)  # need 2 answered after 22 days, need 3 never
    # on 20 January, need 3 (posted on 8 January) is not yet 14 days old: only needs 1 and 2 are judged
    early = compute_period(JANUARY, baseline(), facts(baseline()), REF, as_of=date(2025, 1, 20))
    assert early[(CITY, None)]["stale_need_share"].raw == 50.0


def test_the_share_of_needs_with_a_qualified_match_within_7_days():
    # need 1 (posted 2 Jan): 0.8 on 4 Jan; need 2 (2 Jan): 0.7 on 5 Jan; need 3 (8 Jan): no proposal
    v = raw(baseline())
    assert v["qualified_match_within_7_days"] == round(100 * 2 / 3, 4)
    details = compute_period(JANUARY, baseline(), facts(baseline()), REF, as_of=AS_OF)[(CITY, None)]
    assert details["qualified_match_within_7_days"].detail == {"qualified": 2, "judged": 3}
    # need 3 gets a proposal below the threshold on day 1, then a qualified one on day 9: too late
    late = [*baseline(), ev(40, K.MATCH_PROPOSED, at(1, 9), D2, HYDROGEN, (FIRM_C, UNI_SHAOXING), need=3, match=8,
                            fused_score=0.49, rank=1),
            ev(41, K.MATCH_PROPOSED, at(1, 17), D2, HYDROGEN, (FIRM_C, UNI_HANGZHOU), need=3, match=9,
               fused_score=0.9, rank=1)]
    assert raw(late)["qualified_match_within_7_days"] == round(100 * 2 / 3, 4)
    assert raw(late)["matched_need_share"] == 100.0  # matched all the same
    # the threshold is the platform's setting: at 0.75 only need 1 qualifies
    strict = compute_period(JANUARY, baseline(), facts(baseline(), qualified_score=0.75), REF, as_of=AS_OF)
    assert round(strict[(CITY, None)]["qualified_match_within_7_days"].raw, 4) == round(100 / 3, 4)
    # a need is judged once it is 7 days old: on 8 January none is (2 Jan + 7 = 9 Jan), on 9 January two are
    early = compute_period(JANUARY, baseline(), facts(baseline()), REF, as_of=date(2025, 1, 8))
    assert early[(CITY, None)]["qualified_match_within_7_days"].raw is None
    on_ninth = compute_period(JANUARY, baseline(), facts(baseline()), REF, as_of=date(2025, 1, 9))
    assert on_ninth[(CITY, None)]["qualified_match_within_7_days"].detail == {"qualified": 2, "judged": 2}


def test_the_median_days_to_resolve_an_alert_counts_the_alerts_resolved_in_the_period():
    resolved = [ev(60 + i, K.ALERT_RESOLVED, at(1, 20), region, BEARINGS, alert_id=i, alert_kind="stale_need",
                   raised_at=at(1, 20 - days).isoformat(), automatic=i == 2)
                for i, (region, days) in enumerate([(D2, 2), (D2, 6), (D3, 7)])]
    late = ev(70, K.ALERT_RESOLVED, at(2, 3), D2, BEARINGS, alert_id=9, alert_kind="chain_gap",
              raised_at=at(1, 5).isoformat(), automatic=False)  # resolved in February: not January's
    events = [*baseline(), *resolved, late]
    assert raw(events)["median_days_to_resolve_alert"] == 6  # 2, 6 and 7 days
    assert raw(events, scope=(D2, None))["median_days_to_resolve_alert"] == 4
    assert raw(events, FEBRUARY)["median_days_to_resolve_alert"] == 29
    detail = compute_period(JANUARY, events, facts(events), REF, as_of=AS_OF)[(CITY, None)]
    assert detail["median_days_to_resolve_alert"].detail == {"resolved_alerts": 3, "automatic": 1}
    assert raw(baseline())["median_days_to_resolve_alert"] is None  # no alert resolved: no data, not 0


def test_strategic_planning():
    v = raw(baseline())
    assert v["major_projects"] == 1
    assert v["key_task_coverage"] == 100.0  # bearings (match 5, project 7) and hydrogen (match 6)
    assert v["strategic_chain_need_share"] == round(100 / 3, 4)
    assert raw(baseline(), scope=(D2, None))["key_task_coverage"] == 50.0
    # a single chain scope judges only the tasks of that chain
    assert raw(baseline(), scope=(CITY, HYDROGEN))["key_task_coverage"] == 100.0


def test_characteristic_development_location_quotient():
    # activity with a chain in January: 4 of 7 events in characteristic chains on the platform
    assert raw(baseline())["characteristic_lq"] == 1.0
    assert raw(baseline(), scope=(D2, None))["characteristic_lq"] == round((4 / 5) / (4 / 7), 4)  # 1.4
    assert raw(baseline(), scope=(D3, None))["characteristic_lq"] == 0.0
    assert raw(baseline())["characteristic_project_share"] == 100.0
    assert raw(baseline(), scope=(CITY, BEARINGS))["characteristic_lq"] is None  # a share of chains


def test_the_location_quotient_is_kept_to_one_decimal_more_than_the_page_shows():
    # 6,000 needs in district 2's characteristic chain, 4,000 in district 3's other: one more characteristic need in
    # district 3 moves the platform's share by 0.004 points, which must not rewrite district 2's row (it did for
    # every district at every event, before the rounding)
    events = [ev(i, K.NEED_POSTED, at(1, 2), D2, BEARINGS, (FIRM_A,), need=i) for i in range(6000)]
    events += [ev(i, K.NEED_POSTED, at(1, 2), D3, HYDROGEN, (FIRM_B,), need=i) for i in range(6000, 10_000)]
    more = [*events, ev(10_000, K.NEED_POSTED, at(1, 3), D3, BEARINGS, (FIRM_B,), need=10_000)]

    def lq(evs: list, scope: tuple) -> object:
        return compute_period(JANUARY, evs, facts(evs), REF, as_of=AS_OF)[scope]["characteristic_lq"]

    before, after = lq(events, (D2, None)), lq(more, (D2, None))
    assert before.raw == after.raw == 1.667  # 100 % / 60 %, and 100 % / 60.004 %
    assert before.detail == after.detail == {"region_share": 100.0, "platform_share": 60.0}
    # on a small platform the same need moves every district's quotient, as it should
    assert lq(baseline(), (D2, None)).raw != lq([*baseline(), ev(99, K.NEED_POSTED, at(1, 3), D3, BEARINGS,
                                                                  (FIRM_B,), need=99)], (D2, None)).raw


def test_districts_and_chains_are_scopes_of_their_own():
    d2, d3 = raw(baseline(), scope=(D2, None)), raw(baseline(), scope=(D3, None))
    assert (d2["accepted_matches"], d3["accepted_matches"]) == (1, 1)
    assert (d2["pairs_per_100_firms"], d3["pairs_per_100_firms"]) == (50.0, 100.0)
    assert (d2["stale_need_share"], d3["stale_need_share"]) == (50.0, 100.0)
    # bearings is below equipment: the equipment chain adds up its children
    bearings = raw(baseline(), scope=(CITY, BEARINGS))
    assert bearings["accepted_matches"] == 1 and raw(baseline(), scope=(CITY, 100))["accepted_matches"] == 2


def test_no_data_is_none_never_zero_division_or_nan():
    assert compute_period(JANUARY, [], facts([]), REF, as_of=AS_OF) == {}
    only_partnership = [ev(1, K.PARTNERSHIP_CREATED, at(1, 3), D2, None, (FIRM_A, FOREIGN), country="DE",
                           kind="licensing", value_cny=0.0)]
    v = raw(only_partnership)
    assert v["matched_need_share"] is None and v["median_days_to_acceptance"] is None
    assert v["stale_need_share"] is None and v["characteristic_lq"] is None and v["key_task_coverage"] == 0.0
    assert v["collaborating_firm_share"] == 100.0 and v["pairs_per_100_firms"] == 0.0


def test_min_max_normalisation_against_targets():
    assert normalise(3, Target(6, 0)) == 50.0
    assert normalise(9, Target(6, 0)) == 100.0  # beyond the target stays at 100
    assert normalise(20, Target(3, 30)) == round(100 * 10 / 27, 2)  # lower is better: 30 days 0, 3 days 100
    assert normalise(45, Target(3, 30)) == 0.0
    assert normalise(None, Target(6, 0)) is None and normalise(1, Target(5, 5)) is None


def test_a_dimension_is_the_mean_of_its_known_components_and_the_composite_is_weighted():
    assert dimension_score([50.0, None, 100.0]) == 75.0
    assert dimension_score([None, None]) is None
    assert composite({"sensing": 40.0, "planning": 80.0, "promotion": None}, {"sensing": 1, "planning": 3,
                                                                                "promotion": 1}) == 70.0
    assert composite({}, {"sensing": 1}) is None


def test_every_dimension_has_components_and_every_moved_component_exists():
    assert {c.dimension for c in COMPONENTS} == set(Dimension)
    assert all(code in BY_CODE for codes in MOVES.values() for code in codes)


# One or two extra January events of each kind, added to the baseline; every kind must move exactly the
# components MOVES declares (the union over its variants) and never another.
VARIANTS: dict[K, list] = {
    K.NEED_POSTED: [ev(50, K.NEED_POSTED, at(1, 9), D2, HYDROGEN, (FIRM_D,), need=4)],
    K.MATCH_PROPOSED: [ev(50, K.MATCH_PROPOSED, at(1, 9), D2, HYDROGEN, (FIRM_C, UNI_SHAOXING), need=3, match=8,
                          fused_score=0.6, rank=1)],
    K.MATCH_UNIVERSITY_INTERESTED: [ev(50, K.MATCH_UNIVERSITY_INTERESTED, at(1, 10), D2, HYDROGEN,
                                       (FIRM_C, UNI_SHAOXING), need=3, match=8)],
    K.MATCH_ACCEPTED: [ev(50, K.MATCH_ACCEPTED, at(1, 11), D2, HYDROGEN, (FIRM_C, UNI_SHAOXING), need=3, match=8),
                       ev(50, K.MATCH_ACCEPTED, at(1, 11), D2, HYDROGEN, (FIRM_C, UNI_HANGZHOU), need=3,
                          match=9)],
    K.PROJECT_CREATED: [ev(50, K.PROJECT_CREATED, at(1, 21), D2, HYDROGEN, (FIRM_C, UNI_SHAOXING), match=8,
                           project=11, contract_value_cny=500_000.0, major_level="national"),
                        ev(50, K.PROJECT_CREATED, at(1, 21), D2, HYDROGEN, (FIRM_C, UNI_HANGZHOU), match=9,
                           project=12, contract_value_cny=0.0, major_level="none"),
                        ev(50, K.PROJECT_CREATED, at(1, 26), D3, HYDROGEN, (FIRM_B, UNI_HANGZHOU), match=6,
                           project=13, contract_value_cny=0.0, major_level="none")],  # need 2 reaches a project
    K.PROJECT_UPDATED: [ev(50, K.PROJECT_UPDATED, at(1, 25), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), match=5,
                           project=7, before={"contract_value_cny": 1e6, "major_level": "provincial"},
                           contract_value_cny=1_200_000.0, major_level="none")],
    K.PROJECT_COMPLETED: [ev(50, K.PROJECT_COMPLETED, at(1, 28), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), match=5,
                             project=7, **{"from": "active"})],
    K.PROJECT_TERMINATED: [ev(50, K.PROJECT_TERMINATED, at(1, 28), D2, BEARINGS, (FIRM_A, UNI_SHAOXING),
                              match=5, project=7, **{"from": "active"})],
    K.PROJECT_COMMERCIALISED: [ev(50, K.PROJECT_COMMERCIALISED, at(1, 29), D2, BEARINGS, (FIRM_A, UNI_SHAOXING),
                                  match=5, project=7, **{"from": "completed"})],
    K.PARTNERSHIP_CREATED: [ev(50, K.PARTNERSHIP_CREATED, at(1, 16), D2, HYDROGEN, (FIRM_D, FOREIGN),
                               country="JP", kind="licensing", value_cny=10.0)],
    K.ALERT_RESOLVED: [ev(50, K.ALERT_RESOLVED, at(1, 20), D2, BEARINGS, alert_id=1, alert_kind="stale_need",
                          raised_at=at(1, 16).isoformat(), automatic=False, by_user_id=7)],
}
QUIET = [  # kinds that move no component, on the entities of the baseline
    ev(50, K.NEED_DRAFTED, at(1, 3), D2, BEARINGS, (FIRM_D,), need=9),
    ev(50, K.NEED_EDITED, at(1, 3), D2, BEARINGS, (FIRM_A,), need=1, fields=["title"]),
    ev(50, K.NEED_REOPENED, at(1, 3), D2, BEARINGS, (FIRM_A,), need=1),
    ev(50, K.NEED_IN_PROGRESS, at(1, 3), D2, BEARINGS, (FIRM_A,), need=1),
    ev(50, K.NEED_SOLVED, at(1, 3), D2, BEARINGS, (FIRM_A,), need=1),
    ev(50, K.NEED_CLOSED, at(1, 3), D2, HYDROGEN, (FIRM_C,), need=3),
    ev(50, K.NEED_DEADLINE_PASSED, at(1, 3), D2, HYDROGEN, (FIRM_C,), need=3),
    ev(50, K.NEED_NDA_CONFIRMED, at(1, 13), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), need=1, match=5),
    ev(50, K.CAPABILITY_DRAFTED, at(1, 3), D3, BEARINGS, (UNI_SHAOXING,)),
    ev(50, K.CAPABILITY_POSTED, at(1, 3), D3, BEARINGS, (UNI_SHAOXING,)),
    ev(50, K.CAPABILITY_EDITED, at(1, 3), D3, BEARINGS, (UNI_SHAOXING,)),
    ev(50, K.CAPABILITY_RETIRED, at(1, 3), D3, BEARINGS, (UNI_SHAOXING,)),
    ev(50, K.MATCH_FIRM_INTERESTED, at(1, 10), D2, HYDROGEN, (FIRM_C, UNI_SHAOXING), need=3, match=8),
    ev(50, K.MATCH_DECLINED, at(1, 10), D2, HYDROGEN, (FIRM_C, UNI_SHAOXING), need=3, match=8),
    ev(50, K.MATCH_EXPIRED, at(1, 10), D2, HYDROGEN, (FIRM_C, UNI_SHAOXING), need=3, match=8),
    ev(50, K.MATCH_WITHDRAWN, at(1, 10), D2, HYDROGEN, (FIRM_C, UNI_SHAOXING), need=3, match=8),
    ev(50, K.MATCH_MESSAGE, at(1, 10), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), need=1, match=5),
    ev(50, K.PROJECT_ACTIVE, at(1, 22), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), match=5, project=7),
    ev(50, K.PROJECT_MILESTONE_ADDED, at(1, 22), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), match=5, project=7),
    ev(50, K.PROJECT_MILESTONE_DONE, at(1, 23), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), project=7),
    ev(50, K.ORGANISATION_VERIFIED, at(1, 3), D2, None, (FIRM_D,)),
    ev(50, K.ORGANISATION_REJECTED, at(1, 3), D2, None, (FIRM_D,)),
    ev(50, K.ALERT_RAISED, at(1, 16), D2, BEARINGS, alert_id=1, alert_kind="stale_need", subject="need:1"),
    ev(50, K.ALERT_ASSIGNED, at(1, 17), D2, BEARINGS, alert_id=1, alert_kind="stale_need", assignee_id=7),
    ev(50, K.SCORE_TARGET_SET, at(1, 17), CITY, None, region_code="330600", component="accepted_matches",
       before={"target": 36.0, "worst": 0.0}, target=2.0, worst=0.0, by_user_id=7),
]


def _all_raw(events) -> dict:  # noqa: ANN001
    out = compute_period(JANUARY, events, facts(events), REF, as_of=AS_OF)
    return {scope: {code: v.raw for code, v in values.items() if code != "_sample"} for scope, values in out.items()}


def _moved(extra) -> set[str]:  # noqa: ANN001
    before, after = _all_raw(baseline()), _all_raw([*baseline(), extra])
    return {code for scope in before.keys() & after.keys() for code in before[scope]
            if before[scope][code] != after[scope][code]}


@pytest.mark.parametrize("kind", sorted(VARIANTS), ids=str)
def test_each_event_kind_moves_its_components_and_only_those(kind):
    moved = [_moved(extra) for extra in VARIANTS[kind]]
    assert all(m <= moves(kind) for m in moved), [m - moves(kind) for m in moved]
    assert set().union(*moved) == moves(kind)


@pytest.mark.parametrize("extra", QUIET, ids=lambda e: e.kind)
def test_the_other_kinds_move_nothing(extra):
    assert not moves(extra.kind)
    assert _moved(extra) == set()


def test_every_kind_is_either_a_mover_or_quiet():
    assert set(VARIANTS) | {K(e.kind) for e in QUIET} == set(K)
    assert set(VARIANTS) == set(MOVES)
