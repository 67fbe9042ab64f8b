"""Score targets per region, set by an admin: stored, written to the ledger, used by the computation, and
renormalising the region's scores at once; checked with clear messages; for admins only."""

from datetime import date

from sqlalchemy import select

from backend.accounts.models import Role
from backend.ledger.kinds import EventKind as K
from backend.ledger.models import CollaborationEvent
from backend.scores import service
from backend.scores.models import Dimension, RegionTarget, ScoreSnapshot
from tests.common.portal import create_user, csrf_token, post_form, sign_in
from tests.unit.scores.conftest import world  # noqa: F401 - the scores' small real world
from tests.unit.scores.test_dashboard import AS_OF, busy_year, row_cells

MARCH = "/dashboard?region=330600&period=month&at=2025-03-01&lang=en"


def _admin(client, session):  # noqa: ANN001, ANN202
    user = create_user(session, Role.ADMIN)
    sign_in(client, user)
    return user


def _snapshots(session) -> dict:  # noqa: ANN001
    rows = session.scalars(select(ScoreSnapshot))
    return {(r.region_id, r.chain_id, r.dimension, r.component, r.period_start, r.period): (r.value, r.raw_value,
                                                                                          r.target, r.trend)
            for r in rows}


def test_an_admin_sets_a_target_and_the_dashboard_value_changes(client, db_session, world):  # noqa: F811
    busy_year(world)
    admin = _admin(client, db_session)
    before = row_cells(client.get(MARCH).text, "Accepted matches")
    assert (before[0], before[2]) == ("1", "2.8")  # one accepted match against the city's monthly target of 36

    page = client.get("/admin/targets?region=330600&lang=en")
    assert page.status_code == 200 and 'name="accepted_matches.target" ' in page.text and 'value="36"' in page.text
    saved = post_form(client, "/admin/targets", {"region": "330600", "accepted_matches.target": "2",
                                                 "accepted_matches.worst": "0"})
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/targets?region=330600"

    after = row_cells(client.get(MARCH).text, "Accepted matches")
    assert (after[0], after[2]) == ("1", "50")
    stored = db_session.scalar(select(RegionTarget))
    assert (stored.component, stored.target, stored.worst, stored.updated_by_id) == ("accepted_matches", 2, 0, admin.id)
    event = db_session.scalar(select(CollaborationEvent).where(CollaborationEvent.kind == K.SCORE_TARGET_SET.value))
    assert event.data == {"region_code": "330600", "component": "accepted_matches",
                          "before": {"target": 36.0, "worst": 0.0}, "target": 2.0, "worst": 0.0,
                          "by_user_id": admin.id}
    # the quarter's target is three months', and a district keeps the settings file's
    quarter = service.read(db_session, "330600", "quarter", date(2025, 1, 1))
    cooperation = next(d for d in quarter.dimensions if d.dimension == Dimension.COOPERATION.value)
    accepted = next(c for c in cooperation.components if c.code == "accepted_matches")
    assert (accepted.raw_value, accepted.target, accepted.value) == (2.0, 6.0, round(100 * 2 / 6, 2))
    district = service.read(db_session, "330681", "month", date(2025, 3, 1))
    accepted = next(c for d in district.dimensions for c in d.components if c.code == "accepted_matches")
    assert accepted.target == 6.0

    # renormalising gave exactly what a full recompute (incremental updates use the same settings) gives
    renormalised = _snapshots(db_session)
    service.recompute(db_session, as_of=AS_OF)
    assert _snapshots(db_session) == renormalised


def test_the_settings_file_value_again_removes_the_admin_target(client, db_session, world):  # noqa: F811
    busy_year(world)
    _admin(client, db_session)
    post_form(client, "/admin/targets", {"region": "330624", "stale_need_share.target": "20",
                                         "stale_need_share.worst": "80"})
    assert db_session.scalar(select(RegionTarget.component)) == "stale_need_share"
    assert "set by an admin" in client.get("/admin/targets?region=330624&lang=en").text
    post_form(client, "/admin/targets", {"region": "330624", "stale_need_share.target": "10",
                                         "stale_need_share.worst": "100"})
    assert db_session.scalar(select(RegionTarget)) is None
    kinds = db_session.scalars(select(CollaborationEvent.data).where(
        CollaborationEvent.kind == K.SCORE_TARGET_SET.value).order_by(CollaborationEvent.id)).all()
    assert [(d["target"], d["worst"]) for d in kinds] == [(20.0, 80.0), (None, None)]


def test_bad_numbers_are_refused_with_clear_messages_and_nothing_is_saved(client, db_session, world):  # noqa: F811
    busy_year(world)
    _admin(client, db_session)
    page = post_form(client, "/admin/targets?lang=en", {
        "region": "330600", "accepted_matches.target": "many", "accepted_matches.worst": "0",
        "joint_projects.target": "-3", "joint_projects.worst": "0",
        "matched_need_share.target": "120", "matched_need_share.worst": "0",
        "median_days_to_acceptance.target": "90", "median_days_to_acceptance.worst": "14",
        "contract_value.target": "5", "contract_value.worst": "5",
        "commercialised_projects.target": "", "commercialised_projects.worst": "0",
    })
    assert page.status_code == 422
    text = page.text
    assert "Nothing was saved: correct the numbers marked below." in text
    assert "Enter a number, such as 12 or 0.5." in text and 'value="many"' in text
    assert "Enter zero or more." in text and "A percentage is at most 100." in text
    assert "The target must be below the value that scores 0: less is better here." in text
    assert "The target must be above the value that scores 0: more is better here." in text
    assert "Enter a number." in text
    assert db_session.scalar(select(RegionTarget)) is None
    assert db_session.scalar(select(CollaborationEvent).where(
        CollaborationEvent.kind == K.SCORE_TARGET_SET.value)) is None
    unknown = post_form(client, "/admin/targets", {"region": "330100", "accepted_matches.target": "2",
                                                   "accepted_matches.worst": "0"})
    assert unknown.status_code == 303 and unknown.headers["location"] == "/admin/targets"  # Hangzhou is not scored


def test_only_admins_set_targets_and_every_post_needs_its_csrf_token(client, db_session):
    assert client.get("/admin/targets", follow_redirects=False).status_code in (303, 401)
    sign_in(client, create_user(db_session, Role.GOVERNMENT_ANALYST))
    assert client.get("/admin/targets").status_code == 403
    refused = post_form(client, "/admin/targets", {"region": "330600", "accepted_matches.target": "2",
                                                   "accepted_matches.worst": "0"})
    assert refused.status_code == 403
    assert db_session.scalar(select(RegionTarget)) is None
    csrf_token(client)
    no_token = client.post("/admin/targets", data={"region": "330600"}, follow_redirects=False)
    assert no_token.status_code == 403
