"""Background jobs are sent only after the transaction that asked for them commits."""

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session


def _send_with_celery(name: str, args: tuple) -> None:
    from workers.app import celery_app

    celery_app.send_task(name, args=list(args))


# Tests that do not run a worker swap this for a list's append; everything else sends to Celery.
dispatch: Callable[[str, tuple], None] = _send_with_celery


def enqueue(session: Session, name: str, *args: object) -> None:
    """Queue task `name` to run once this session commits."""
    session.info.setdefault("pending_jobs", []).append((name, args))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the jobs wait for the real commit
    jobs = session.info.pop("pending_jobs", [])
    for name, args in jobs:
        try:
            dispatch(name, args)
        except Exception as err:  # noqa: BLE001 - a broker outage must not lose the committed data
            import logging

            logging.getLogger(__name__).warning("could not queue %s%s: %s (the sweeper retries)", name, args, err)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction) -> None:  # noqa: ANN001 - a SessionTransaction
    if transaction.nested:
        marks = session.info.setdefault("job_marks", {})
        marks[id(transaction)] = len(session.info.get("pending_jobs", []))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:  # noqa: ANN001
    """A rolled-back savepoint drops the jobs queued inside it; a real rollback drops them all."""
    mark = session.info.get("job_marks", {}).pop(id(previous_transaction), None)
    if previous_transaction.nested and mark is not None:
        del session.info.get("pending_jobs", [])[mark:]
    elif not previous_transaction.nested:
        session.info.pop("pending_jobs", None)
        session.info.pop("job_marks", None)
