"""Real Celery workers run the real tasks against the real database."""

import socket
import time

import pytest
from sqlalchemy import func, select, text

from backend.base import MatchState
from backend.db import get_engine, session_scope
from backend.matches.models import Match
from backend.needs.models import Need
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_need, create_org


def _worker(app):  # noqa: ANN001
    from celery.contrib.testing.worker import start_worker

    return start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30)


def _wait_for(predicate, timeout: float = 90.0):  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"condition not met within {timeout}s")


def _post_need_and_wait(app) -> list[Match]:  # noqa: ANN001
    with session_scope() as s:
        lab = create_org(s, kind=OrgKind.UNIVERSITY, region="330100", name="示例工业大学")
        cap = create_capability(s, lab, title="风电滚子磨削烧伤检测",
                                description="风电滚子精密磨削工艺优化，磨削烧伤在线检测，圆度控制。")
        cap_id = cap.id
    with _worker(app):
        with session_scope() as s:
            need_id = create_need(s, title="风电滚子磨削后表面烧伤",
                                  description="风电滚子磨削后出现烧伤，圆度超差。").id

        def matched():
            with session_scope() as s:
                need = s.get(Need, need_id)
                return need.match_state == MatchState.DONE and need

        _wait_for(matched)
    with session_scope() as s:
        found = list(s.scalars(select(Match).where(Match.need_id == need_id)))
        assert cap_id in {m.capability_id for m in found}
        return found


def test_a_saved_need_is_matched_by_a_worker_on_the_database_broker(committed):
    from workers.app import celery_app, uses_database_broker

    assert uses_database_broker(celery_app.conf.broker_url)
    matches = _post_need_and_wait(celery_app)
    assert "shared_terms" in matches[0].explanation and "summary" not in matches[0].explanation


def test_the_same_round_trip_through_redis_when_it_runs(committed):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379 (CI machines have one; a fresh laptop need not)")
    from backend import jobs
    from workers.app import make_celery

    redis_app = make_celery("redis://127.0.0.1:6379/15")
    redis_app.loader.import_default_modules()
    assert "matches.match_need" in redis_app.tasks
    original = jobs.dispatch
    jobs.dispatch = lambda name, args: redis_app.send_task(name, args=list(args))
    try:
        assert _post_need_and_wait(redis_app)
    finally:
        jobs.dispatch = original


def test_broker_cleanup_deletes_consumed_messages(committed):
    from kombu import Connection

    from workers import tasks
    from workers.app import celery_app

    with Connection(celery_app.conf.broker_url) as conn:
        queue = conn.SimpleQueue("cleanup-test")
        queue.put({"hello": "风电"})
        message = queue.get(timeout=10)
        message.ack()
        queue.close()
    with get_engine().begin() as conn:
        hidden = conn.execute(text("SELECT count(*) FROM kombu_message WHERE visible = false")).scalar()
    assert hidden >= 1  # the transport only hides what it delivered
    assert tasks.broker_cleanup() == hidden
    with get_engine().begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM kombu_message WHERE visible = false")).scalar() == 0


def test_a_failure_leaves_the_posting_visible_as_pending_retry(committed):
    from backend.matches import matching

    with session_scope() as s:
        need_id = create_need(s).id
    with session_scope() as s:
        matching.mark_failed(s, matching.match_need, need_id, "model exploded")
    with session_scope() as s:
        need = s.get(Need, need_id)
        assert need.match_state == MatchState.FAILED and "exploded" in need.match_error
    assert matching.sweep_pending() >= 1
    with session_scope() as s:
        assert s.get(Need, need_id).match_state == MatchState.DONE
        assert s.scalar(select(func.count()).select_from(Need)) == 1


def test_a_worker_process_knows_every_table_on_its_own():
    import subprocess
    import sys

    from backend.config import ROOT

    code = ("import workers.tasks; from backend.base import Base; "
            "from sqlalchemy.orm import configure_mappers; configure_mappers(); "
            "print(sorted(Base.metadata.tables))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "partnerships" in result.stdout and "collaboration_events" in result.stdout
