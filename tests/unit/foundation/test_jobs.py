"""Background jobs leave only with the real commit: savepoints neither send nor lose them."""

from sqlalchemy import text
from sqlalchemy.orm import Session

from backend import jobs


def test_jobs_wait_for_the_real_commit_and_a_failed_savepoint_drops_only_its_own(engine, queued_jobs):
    with Session(engine) as session:
        jobs.enqueue(session, "outer.before")
        with session.begin_nested():
            jobs.enqueue(session, "inner.kept")
        assert queued_jobs == []  # releasing a savepoint is not the commit
        try:
            with session.begin_nested():
                jobs.enqueue(session, "inner.lost")
                raise ValueError("refused")
        except ValueError:
            pass
        jobs.enqueue(session, "outer.after")
        session.commit()
    assert [name for name, _args in queued_jobs] == ["outer.before", "inner.kept", "outer.after"]


def test_a_real_rollback_sends_nothing(engine, queued_jobs):
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        jobs.enqueue(session, "never")
        session.rollback()
        session.commit()
    assert queued_jobs == []
