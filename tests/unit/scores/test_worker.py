"""A real Celery worker updates the scores after the event's transaction commits."""

from sqlalchemy import func, select

from backend.base import MatchState
from backend.db import session_scope
from backend.needs.models import Need
from backend.scores import service
from backend.scores.models import ScoreSnapshot
from tests.common.factories import create_need
from tests.unit.workers.test_tasks import _wait_for, _worker


def _rows() -> list[tuple]:
    with session_scope() as s:
        return sorted((r.region_id, r.chain_id or 0, r.dimension.value, r.component or "", r.period_start,
                       r.value, r.raw_value, r.trend, r.is_sample) for r in s.scalars(select(ScoreSnapshot)))


def test_a_posted_need_reaches_the_scores_through_a_worker(committed):
    from workers.app import celery_app

    with session_scope() as s:  # the stored state of an empty ledger, whatever an earlier test's worker left
        service.recompute(s)
    with _worker(celery_app):
        with session_scope() as s:  # no capability exists: matching proposes nothing, only need.posted scores
            need_id = create_need(s, title="主轴热变形补偿", description="高速主轴热变形导致加工精度下降。").id

        def scored_and_matched() -> int:
            with session_scope() as s:
                if s.get(Need, need_id).match_state != MatchState.DONE:
                    return 0
                return s.scalar(select(func.count()).select_from(ScoreSnapshot))

        assert _wait_for(scored_and_matched) > 0
    incremental = _rows()
    with session_scope() as s:
        service.recompute(s)
    assert _rows() == incremental
