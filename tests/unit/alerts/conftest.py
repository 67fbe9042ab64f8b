"""Helpers of the alert tests: needs, projects and score snapshots at chosen times, and the job's clock."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from backend.alerts.models import Alert
from backend.needs import service as needs
from backend.needs.schemas import NeedIn
from backend.regions.models import Region
from backend.scores.models import Dimension, ScoreSnapshot
from tests.common.factories import create_org

NOW = datetime.now(UTC).replace(microsecond=0)


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)


def post_need(session, org=None, *, days: int = 20, **fields):  # noqa: ANN001, ANN003
    """A need posted `days` days before NOW."""
    org = org or create_org(session)
    data = {"organisation_id": org.id, "title": "主轴热变形补偿", "description": "高速主轴温升导致定位漂移。",
            "chain": "bearings"} | fields
    return needs.create(session, NeedIn(**data), at=days_ago(days))


def alerts_of(session, kind=None) -> list[Alert]:  # noqa: ANN001
    stmt = select(Alert).order_by(Alert.id)
    if kind is not None:
        stmt = stmt.where(Alert.kind == kind)
    return list(session.scalars(stmt))


def region_id(session, code: str) -> int:  # noqa: ANN001
    return session.scalar(select(Region.id).where(Region.code == code))


def dimension_score(session, code: str, month: date, value: float, previous: float | None,  # noqa: ANN001
                    dimension: Dimension = Dimension.SENSING) -> ScoreSnapshot:
    """A monthly dimension score (all chains) of a region, with its trend against `previous`."""
    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    row = ScoreSnapshot(region_id=region_id(session, code), chain_id=None, dimension=dimension, component=None,
                        period="month", period_start=month, period_end=end, value=value, raw_value=value,
                        trend=None if previous is None else value - previous, detail={})
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def now() -> datetime:
    return NOW
