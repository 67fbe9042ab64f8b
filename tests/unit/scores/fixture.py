"""A small hand-computed world for the formulas (no database): docs/scores.md works the same numbers."""

from datetime import UTC, date, datetime

from backend.ledger.kinds import EventKind as K
from backend.scores.components import Event, Reference

CITY, D2, D3, HANGZHOU, GERMANY = 1, 2, 3, 9, 40
FIRM_A, FIRM_B, FIRM_C, FIRM_D = 10, 11, 12, 13
UNI_SHAOXING, UNI_HANGZHOU, FOREIGN = 20, 21, 30
EQUIPMENT, BEARINGS, HYDROGEN = 100, 101, 102
AS_OF = date(2025, 2, 28)

REF = Reference(
    city_id=CITY, district_ids=frozenset({D2, D3}), neighbour_ids=frozenset({HANGZHOU}),
    org_kind={FIRM_A: "firm", FIRM_B: "firm", FIRM_C: "firm", FIRM_D: "firm", UNI_SHAOXING: "university",
              UNI_HANGZHOU: "university", FOREIGN: "foreign_partner"},
    org_region={FIRM_A: D2, FIRM_B: D3, FIRM_C: D2, FIRM_D: D2, UNI_SHAOXING: D3, UNI_HANGZHOU: HANGZHOU,
                FOREIGN: GERMANY},
    chain_ancestry={EQUIPMENT: (EQUIPMENT,), BEARINGS: (BEARINGS, EQUIPMENT), HYDROGEN: (HYDROGEN, EQUIPMENT)},
    characteristic_chains=frozenset({EQUIPMENT, BEARINGS}),  # hydrogen sits below equipment but is not one
    strategic_chains=frozenset({BEARINGS}),
    key_tasks=(("bearing_task", frozenset({BEARINGS})), ("hydrogen_task", frozenset({HYDROGEN}))),
)


def at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 2, 0, tzinfo=UTC)  # 10:00 in Shaoxing


def ev(i: int, event_kind: K, when: datetime, region: int, chain: int | None, orgs: tuple[int, ...] = (), *,
       need: int | None = None, match: int | None = None, project: int | None = None, **data) -> Event:
    return Event(id=i, kind=event_kind.value, at=when, region_id=region, chain_id=chain, org_ids=orgs, need_id=need,
                 match_id=match, project_id=project, data=data)


def baseline() -> list[Event]:
    """January 2025: three needs (one never matched), two accepted matches, one project, one foreign
    partnership; the project completes in February."""
    return [
        ev(1, K.NEED_POSTED, at(1, 2), D2, BEARINGS, (FIRM_A,), need=1),
        ev(2, K.NEED_POSTED, at(1, 2), D3, HYDROGEN, (FIRM_B,), need=2),
        ev(3, K.MATCH_PROPOSED, at(1, 4), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), need=1, match=5,
           fused_score=0.8, rank=1),
        ev(4, K.MATCH_UNIVERSITY_INTERESTED, at(1, 6), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), need=1, match=5),
        ev(5, K.MATCH_ACCEPTED, at(1, 12), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), need=1, match=5),
        ev(6, K.PROJECT_CREATED, at(1, 20), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), match=5, project=7,
           contract_value_cny=1_000_000.0, major_level="provincial"),
        ev(7, K.MATCH_PROPOSED, at(1, 5), D3, HYDROGEN, (FIRM_B, UNI_HANGZHOU), need=2, match=6,
           fused_score=0.7, rank=1),
        ev(8, K.MATCH_ACCEPTED, at(1, 24), D3, HYDROGEN, (FIRM_B, UNI_HANGZHOU), need=2, match=6),
        ev(9, K.PARTNERSHIP_CREATED, at(1, 15), D2, BEARINGS, (FIRM_A, FOREIGN), country="DE",
           kind="joint_rd", value_cny=2_000_000.0),
        ev(10, K.NEED_POSTED, at(1, 8), D2, HYDROGEN, (FIRM_C,), need=3),
        ev(12, K.PROJECT_COMPLETED, at(2, 10), D2, BEARINGS, (FIRM_A, UNI_SHAOXING), match=5, project=7),
    ]
