"""The time an alert took to resolve reaches the sensing score: the same snapshot from the per-event update
and from the nightly recompute."""

from datetime import timedelta

from sqlalchemy import select

from backend.accounts.models import Role
from backend.alerts import service
from backend.ledger.models import CollaborationEvent
from backend.organisations.models import OrgKind
from backend.scores import service as scores
from backend.scores.components import local_day, period_of
from backend.scores.models import Dimension, ScoreSnapshot
from tests.common.factories import create_capability, create_org
from tests.common.portal import create_user
from tests.unit.alerts.conftest import NOW, alerts_of, post_need, region_id


def _sensing(session, region: str, component: str | None, start):  # noqa: ANN001, ANN202
    s = ScoreSnapshot
    return session.scalar(select(s).where(
        s.region_id == region_id(session, region), s.chain_id.is_(None), s.period == "month", s.period_start == start,
        s.dimension == Dimension.SENSING, s.component.is_(None) if component is None else s.component == component))


def test_a_resolved_alert_moves_median_days_to_resolve_alert_in_the_update_and_the_recompute(db_session,
                                                                                              queued_jobs):
    analyst = create_user(db_session, Role.GOVERNMENT_ANALYST)
    create_capability(db_session, create_org(db_session, kind=OrgKind.UNIVERSITY, region="330602", name="感大学"))
    firm = create_org(db_session, region="330624")
    post_need(db_session, firm, days=20)
    post_need(db_session, firm, days=30, title="另一个久未响应的需求")
    service.run_daily(db_session, now=NOW)
    first, second = alerts_of(db_session)
    service.resolve(db_session, first.id, "已协调", by_user_id=analyst.id, now=NOW + timedelta(days=2))
    service.resolve(db_session, second.id, "已协调", by_user_id=analyst.id, now=NOW + timedelta(days=6))
    resolved = list(db_session.scalars(select(CollaborationEvent.id).where(
        CollaborationEvent.kind == "alert.resolved").order_by(CollaborationEvent.id)))
    assert len(resolved) == 2
    day = local_day(NOW + timedelta(days=6))
    for event_id in resolved:  # what the queued scores.apply_event task does after the commit
        scores.apply_event(db_session, event_id, as_of=day)
    months = {period_of("month", local_day(NOW + timedelta(days=d))).start for d in (2, 6)}
    incremental = {m: _sensing(db_session, "330624", "median_days_to_resolve_alert", m) for m in months}
    if len(months) == 1:  # both resolved in the same month: the median of 2 and 6 days
        row = next(iter(incremental.values()))
        assert row.raw_value == 4.0 and row.detail == {"resolved_alerts": 2, "automatic": 0}
        assert row.value == round(100 * (30 - 4) / (30 - 3), 2)  # target 3 days, worst 30
    else:
        assert sorted(r.raw_value for r in incremental.values()) == [2.0, 6.0]
    district_score = _sensing(db_session, "330624", None, min(months))
    assert district_score.value is not None
    assert _sensing(db_session, "330600", "median_days_to_resolve_alert", min(months)) is not None  # the city too
    before = {m: (r.raw_value, r.value) for m, r in incremental.items()}
    scores.recompute(db_session, as_of=day)
    db_session.expire_all()
    assert {m: (r.raw_value, r.value) for m, r in
            ((m, _sensing(db_session, "330624", "median_days_to_resolve_alert", m)) for m in months)} == before
