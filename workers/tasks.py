"""Celery tasks: each opens its own transaction and calls a service."""

import logging

from celery import shared_task
from sqlalchemy import text

import backend.models  # noqa: F401 - a worker process must know every mapped table
from backend.db import get_engine, session_scope
from workers.app import broker_url, uses_database_broker

log = logging.getLogger(__name__)
SWEEP_LOCK = 7_406_001  # advisory lock key of the matching sweep


@shared_task(name="matches.match_need", acks_late=True, bind=True, max_retries=5)
def match_need(self, need_id: int) -> int:
    """Embed a need if needed and write its best matches."""
    from backend.matches import matching

    return _run(self, matching.match_need, need_id)


@shared_task(name="matches.match_capability", acks_late=True, bind=True, max_retries=5)
def match_capability(self, capability_id: int) -> int:
    """Embed a capability if needed and write the needs it fits."""
    from backend.matches import matching

    return _run(self, matching.match_capability, capability_id)


@shared_task(name="matches.sweep_pending", acks_late=True)
def sweep_pending(limit: int = 100) -> int:
    """Retry every posting whose matching is pending or failed; the safety net for lost jobs."""
    from backend.matches import matching

    with get_engine().connect() as conn:
        # One sweep at a time across all workers; the schedule sends one every 30 s.
        if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SWEEP_LOCK}).scalar():
            return 0
        try:
            return matching.sweep_pending(limit=limit)
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SWEEP_LOCK})


@shared_task(name="matches.densify_graphs", acks_late=True)
def densify_graphs() -> list[str]:
    """Nightly: a posting table past dense_graph_from gets its dense multilingual graph, built concurrently
    (one build at a time across workers: the function holds an advisory lock)."""
    from backend.matches import graphs

    return graphs.densify(get_engine())


@shared_task(name="needs.expire_deadlines", acks_late=True)
def expire_deadlines() -> int:
    """Daily: tell each firm whose open need passed its deadline that it can extend it or close the need."""
    from backend.needs import service

    with session_scope() as session:
        return service.expire_deadlines(session)


@shared_task(name="scores.apply_event", acks_late=True, bind=True, max_retries=5)
def score_events(self, event_ids: list[int] | int) -> int:
    """Count the ledger events of one transaction into the stored score partials and update the snapshots they
    move (each event is recorded as counted: a redelivered task counts nothing twice)."""
    from backend.scores import service

    ids = [event_ids] if isinstance(event_ids, int) else list(event_ids)
    try:
        with session_scope() as session:
            return service.apply_events(session, ids)
    except Exception as err:
        log.warning("scores for events %s not updated: %s (the nightly recompute catches up)", ids[:10], err)
        raise self.retry(exc=err, countdown=min(300, 5 * 2**self.request.retries)) from err


@shared_task(name="scores.recompute", acks_late=True)
def recompute_scores() -> int:
    """Nightly: rebuild every score snapshot from the ledger alone."""
    from backend.scores import service

    with session_scope() as session:
        return service.recompute(session)


@shared_task(name="alerts.raise", acks_late=True)
def raise_alerts() -> int:
    """Daily: raise the sensing alerts (stale needs, stalled projects, chain gaps, score drops) and resolve the
    ones whose cause went away; idempotent, so a redelivered task raises nothing twice."""
    from backend.alerts import service

    with session_scope() as session:
        return service.run_daily(session).total_raised


@shared_task(name="broker.cleanup")
def broker_cleanup() -> int:
    """Delete messages the SQLAlchemy transport has delivered (it only hides them)."""
    if not uses_database_broker(broker_url()):
        return 0
    with get_engine().begin() as conn:
        exists = conn.execute(text("SELECT to_regclass('kombu_message')")).scalar()
        if not exists:
            return 0
        return conn.execute(text("DELETE FROM kombu_message WHERE visible = false")).rowcount


def _run(task, fn, posting_id: int) -> int:  # noqa: ANN001
    try:
        with session_scope() as session:
            return fn(session, posting_id)
    except Exception as err:
        from backend.matches import matching

        log.warning("matching %s(%s) failed: %s", fn.__name__, posting_id, err)
        with session_scope() as session:
            matching.mark_failed(session, fn, posting_id, str(err))
        raise task.retry(exc=err, countdown=min(60, 5 * 2**task.request.retries)) from err


@shared_task(name="mail.send", acks_late=True, bind=True, max_retries=6)
def send_mail(self, mail_id: int) -> bool:
    """Deliver one outbox mail by SMTP; a failure is retried with backoff and stays visible in the outbox."""
    from backend import mail

    try:
        with session_scope() as session:
            return mail.deliver(session, mail_id)
    except Exception as err:
        log.warning("mail %s not sent: %s", mail_id, err)
        with session_scope() as session:
            from backend.notifications.models import OutboxMail

            row = session.get(OutboxMail, mail_id)
            if row is not None:
                row.attempts += 1
                row.last_error = str(err)[:2000]
        raise self.retry(exc=err, countdown=min(3600, 30 * 2**self.request.retries)) from err


@shared_task(name="imports.run", acks_late=True)
def run_import(job_id: int) -> int:
    """Write the rows of an uploaded sheet, a chunk per transaction; a redelivered task resumes where it was."""
    from backend.imports import service

    job = service.run(session_scope, job_id)
    return job.done_rows if job is not None else 0


@shared_task(name="notifications.digest", acks_late=True)
def weekly_digest() -> int:
    """Mail each user who chose the weekly digest the week's notifications (once per week and person)."""
    from backend.notifications import service

    with session_scope() as session:
        return service.digest(session)
