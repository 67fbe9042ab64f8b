"""The Celery application: Redis when configured, else the database through kombu's SQLAlchemy transport."""

from celery import Celery
from celery.schedules import crontab

from backend.config import get_settings


def broker_url() -> str:
    settings = get_settings()
    if settings.broker_url:
        return settings.broker_url
    from backend.db import database_url

    return "sqla+" + database_url(settings)


def uses_database_broker(url: str) -> bool:
    return url.startswith("sqla+")


def make_celery(url: str | None = None) -> Celery:
    url = url or broker_url()
    if uses_database_broker(url):
        from kombu.transport import sqlalchemy as sqla_transport

        # Poll the queue table twice a second instead of the default once a second.
        sqla_transport.Transport.polling_interval = 0.5
    app = Celery("matchmaker", broker=url, include=["workers.tasks"])
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.conf.update(
        beat_schedule_filename=str(settings.data_dir.resolve() / "celerybeat-schedule"),
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_default_queue="matchmaker",
        worker_hijack_root_logger=False,
        beat_schedule={
            "sweep-pending-matching": {"task": "matches.sweep_pending", "schedule": 30.0},
            "clean-consumed-broker-rows": {"task": "broker.cleanup", "schedule": settings.broker_cleanup_seconds},
            # Needs past their deadline: their firms are mailed once (idempotent); 00:15 UTC is 08:15 in Shaoxing.
            "expire-need-deadlines": {"task": "needs.expire_deadlines", "schedule": crontab(hour=0, minute=15)},
            # Every score snapshot rebuilt from the ledger; 18:30 UTC is 02:30 in Shaoxing, a quiet hour.
            "recompute-scores": {"task": "scores.recompute", "schedule": crontab(hour=18, minute=30)},
            # Sensing alerts, after the nightly recompute (score drops read its snapshots): 03:30 in Shaoxing.
            "raise-alerts": {"task": "alerts.raise", "schedule": crontab(hour=19, minute=30)},
            # The multilingual graphs made denser once a table passes dense_graph_from: 04:45 in Shaoxing.
            "densify-graphs": {"task": "matches.densify_graphs", "schedule": crontab(hour=20, minute=45)},
            # The weekly digest of notifications: Monday 00:30 UTC, 08:30 in Shaoxing.
            "weekly-digest": {"task": "notifications.digest",
                              "schedule": crontab(day_of_week="mon", hour=0, minute=30)},
        },
    )
    return app


celery_app = make_celery()
