"""The daily job raises one alert per cause, never twice, resolves those whose cause went away, and writes one
ledger event per change of an alert."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.accounts.models import Role
from backend.alerts import service
from backend.alerts.models import AlertKind, AlertStatus
from backend.ledger.models import CollaborationEvent
from backend.matches import service as matches
from backend.organisations.models import OrgKind
from backend.projects import service as projects
from backend.projects.models import ProjectStatus
from backend.scores.models import Dimension
from tests.common.factories import create_capability, create_org
from tests.common.portal import create_user
from tests.unit.alerts.conftest import NOW, alerts_of, days_ago, dimension_score, post_need, region_id


def alert_events(session, kind: str | None = None) -> list[CollaborationEvent]:  # noqa: ANN001
    stmt = select(CollaborationEvent).where(CollaborationEvent.kind.like("alert.%")).order_by(CollaborationEvent.id)
    if kind is not None:
        stmt = stmt.where(CollaborationEvent.kind == kind)
    return list(session.scalars(stmt))


def _lab(session):  # noqa: ANN001
    return create_org(session, kind=OrgKind.UNIVERSITY, region="330602", name="感应大学")


def test_a_need_without_a_response_for_14_days_raises_one_alert_and_a_rerun_raises_none(db_session):
    create_capability(db_session, _lab(db_session))  # bearings has a capability: no chain gap in this test
    stale = post_need(db_session, days=20)
    post_need(db_session, days=10, title="还不满14天的需求")
    first = service.run_daily(db_session, now=NOW)
    assert first.raised == {"stale_need": 1}
    [alert] = alerts_of(db_session, AlertKind.STALE_NEED)
    assert (alert.need_id, alert.subject, alert.status) == (stale.id, f"need:{stale.id}", AlertStatus.OPEN)
    assert alert.detail["days"] == 20
    [raised] = alert_events(db_session)
    assert (raised.kind, raised.data["alert_id"], raised.region_id) == ("alert.raised", alert.id, alert.region_id)
    again = service.run_daily(db_session, now=NOW)
    assert again.total_raised == 0 and again.resolved == 0
    assert len(alerts_of(db_session)) == 1 and len(alert_events(db_session)) == 1


def test_a_late_response_resolves_the_stale_alert_by_itself_once(db_session):
    lab = _lab(db_session)
    cap = create_capability(db_session, lab)
    need = post_need(db_session, days=30)
    service.run_daily(db_session, now=NOW)
    match = matches.propose(db_session, need.id, cap.id, fused_score=0.8)
    matches.express_interest(db_session, match, "university", proposal="我们做过类似的主轴热补偿。")
    result = service.run_daily(db_session, now=NOW + timedelta(days=1))
    assert result.resolved == 1 and result.total_raised == 0
    [alert] = alerts_of(db_session, AlertKind.STALE_NEED)
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_automatically and alert.resolved_by_id is None
    [resolved] = alert_events(db_session, "alert.resolved")
    assert resolved.data["automatic"] is True and resolved.data["alert_id"] == alert.id
    assert service.run_daily(db_session, now=NOW + timedelta(days=2)).resolved == 0
    assert len(alert_events(db_session, "alert.resolved")) == 1


def test_an_active_project_without_a_milestone_for_60_days_is_stalled_until_one_is_ticked_off(db_session):
    firm, lab = create_org(db_session), _lab(db_session)
    stalled = projects.create(db_session, title="停滞的项目", party_ids=[firm.id, lab.id], at=days_ago(90))
    projects.transition(db_session, stalled, ProjectStatus.ACTIVE, at=days_ago(80))
    moving = projects.create(db_session, title="推进中的项目", party_ids=[firm.id, lab.id], at=days_ago(90))
    projects.transition(db_session, moving, ProjectStatus.ACTIVE, at=days_ago(80))
    projects.complete_milestone(db_session, projects.add_milestone(db_session, moving, "样机"),
                                on=(NOW - timedelta(days=10)).date())
    projects.create(db_session, title="计划中的项目", party_ids=[firm.id, lab.id], at=days_ago(90))  # not active
    assert service.run_daily(db_session, now=NOW).raised == {"stalled_project": 1}
    [alert] = alerts_of(db_session, AlertKind.STALLED_PROJECT)
    assert alert.project_id == stalled.id and alert.detail["days"] >= 80
    projects.complete_milestone(db_session, projects.add_milestone(db_session, stalled, "中期检查"),
                                on=NOW.date())
    assert service.run_daily(db_session, now=NOW).resolved == 1
    assert alerts_of(db_session, AlertKind.STALLED_PROJECT)[0].status == AlertStatus.RESOLVED


def test_a_chain_with_open_needs_and_no_active_capability_raises_one_alert(db_session):
    lab = _lab(db_session)
    create_capability(db_session, lab)  # bearings is covered
    post_need(db_session, days=1)
    cnc = post_need(db_session, days=1, chain="cnc_machine_tools", title="数控机床颤振")
    post_need(db_session, days=2, chain="cnc_machine_tools", title="数控机床误差补偿")
    assert service.run_daily(db_session, now=NOW).raised == {"chain_gap": 1}
    [alert] = alerts_of(db_session, AlertKind.CHAIN_GAP)
    assert alert.chain_id == cnc.chain_id and alert.detail == {"open_needs": 2}
    assert service.run_daily(db_session, now=NOW).total_raised == 0
    create_capability(db_session, lab, chain="cnc_machine_tools", title="机床动力学")
    assert service.run_daily(db_session, now=NOW).resolved == 1


def test_a_capability_below_the_chain_covers_it_but_not_the_reverse(db_session):
    lab = _lab(db_session)
    create_capability(db_session, lab)  # bearings sits below high-end equipment
    post_need(db_session, days=1, chain="equipment")
    service.run_daily(db_session, now=NOW)
    assert alerts_of(db_session, AlertKind.CHAIN_GAP) == []


def test_a_score_that_drops_more_than_the_threshold_raises_one_alert(db_session):
    month = (NOW.date().replace(day=1) - timedelta(days=1)).replace(day=1)  # the last complete month
    dimension_score(db_session, "330602", month, 40.0, 62.5)  # 22.5 points down
    dimension_score(db_session, "330624", month, 55.0, 60.0)  # 5 points: below the threshold of 10
    dimension_score(db_session, "330602", month, 70.0, 50.0, Dimension.PLANNING)  # up
    assert service.run_daily(db_session, now=NOW).raised == {"score_drop": 1}
    [alert] = alerts_of(db_session, AlertKind.SCORE_DROP)
    assert (alert.region_id, alert.dimension, alert.period_start) == (region_id(db_session, "330602"), "sensing",
                                                                      month)
    assert alert.detail["drop"] == 22.5 and alert.detail["threshold"] == 10.0
    assert service.run_daily(db_session, now=NOW).total_raised == 0


def test_assign_and_resolve_write_one_ledger_event_each_and_a_resolved_subject_stays_quiet(db_session):
    analyst = create_user(db_session, Role.GOVERNMENT_ANALYST)
    other = create_user(db_session, Role.GOVERNMENT_ANALYST)
    create_capability(db_session, _lab(db_session))
    post_need(db_session, days=20)
    service.run_daily(db_session, now=NOW)
    [alert] = alerts_of(db_session)
    assert service.assign(db_session, alert.id, analyst.id, by_user_id=other.id) is True
    assert service.assign(db_session, alert.id, analyst.id, by_user_id=other.id) is False  # no change, no event
    service.assign(db_session, alert.id, other.id, by_user_id=other.id)
    assigned = alert_events(db_session, "alert.assigned")
    assert [(e.data["assignee_id"], e.data["previous_assignee_id"]) for e in assigned] == [
        (analyst.id, None), (other.id, analyst.id)]
    service.resolve(db_session, alert.id, "已联系企业，建议补充技术参数。", by_user_id=other.id,
                    now=NOW + timedelta(days=3))
    assert [e.kind for e in alert_events(db_session)] == ["alert.raised", "alert.assigned", "alert.assigned",
                                                          "alert.resolved"]
    resolved = alert_events(db_session, "alert.resolved")[0]
    assert resolved.data["automatic"] is False and resolved.data["by_user_id"] == other.id
    # The need is still stale, but an analyst has just dealt with it: no new alert for 30 days.
    assert service.run_daily(db_session, now=NOW + timedelta(days=4)).total_raised == 0
    assert service.run_daily(db_session, now=NOW + timedelta(days=40)).raised == {"stale_need": 1}


def test_only_analysts_can_be_given_an_alert_and_a_resolved_alert_cannot_change(db_session):
    from backend.errors import Conflict, InvalidInput

    firm_user = create_user(db_session, Role.FIRM_MEMBER)
    create_capability(db_session, _lab(db_session))
    post_need(db_session, days=20)
    service.run_daily(db_session, now=NOW)
    [alert] = alerts_of(db_session)
    with pytest.raises(InvalidInput):
        service.assign(db_session, alert.id, firm_user.id, by_user_id=None)
    service.resolve(db_session, alert.id, "done", by_user_id=None)
    with pytest.raises(Conflict):
        service.resolve(db_session, alert.id, "again", by_user_id=None)
    assert len(alert_events(db_session, "alert.resolved")) == 1


def test_the_sample_history_resolves_each_late_answered_need_once(db_session):
    lab = _lab(db_session)
    cap = create_capability(db_session, lab)
    org = create_org(db_session, is_sample=True)
    from backend.needs import service as needs
    from backend.needs.schemas import NeedIn

    late = needs.create(db_session, NeedIn(organisation_id=org.id, title="样例需求", description="样例描述。",
                                           chain="bearings"), at=days_ago(60), is_sample=True)
    match = matches.propose(db_session, late.id, cap.id, fused_score=0.7, at=days_ago(55))
    matches.express_interest(db_session, match, "university", proposal="可以合作。", at=days_ago(35))
    today = NOW.date()
    assert service.sample_history(db_session, today) == 1
    [alert] = alerts_of(db_session, AlertKind.STALE_NEED)
    assert alert.is_sample and alert.status == AlertStatus.RESOLVED
    assert (alert.resolved_at - alert.raised_at).days in (10, 11)  # raised on day 14, answered on day 25
    assert service.sample_history(db_session, today) == 0  # a second load writes nothing twice
    assert db_session.scalar(select(func.count()).select_from(CollaborationEvent).where(
        CollaborationEvent.kind == "alert.resolved")) == 1


def test_sample_today_runs_the_job_on_the_day_the_sample_was_built_for(db_session):
    from backend.scores.components import local_day

    create_capability(db_session, _lab(db_session))
    post_need(db_session, days=30)
    built_for = local_day(NOW - timedelta(days=5))  # a day in Shaoxing, as the job counts days
    assert service.sample_today(db_session, built_for).raised == {"stale_need": 1}
    [alert] = alerts_of(db_session)
    assert local_day(alert.raised_at) == built_for
    assert alert.detail["days"] in (25, 26)  # posted 30 days before now, judged five days earlier
