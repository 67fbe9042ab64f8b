"""Engine, sessions and the start-up checks of the database."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend.config import ConfigError, Settings, get_settings


def database_url(settings: Settings | None = None) -> str:
    """The configured URL, starting the embedded server when none is configured."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    from backend import embedded

    return embedded.start(settings.pg_data_dir)


def make_engine(url: str, ef_search: int | None = None) -> Engine:
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    ef = ef_search or get_settings().hnsw_ef_search

    @event.listens_for(engine, "connect")
    def _session_settings(dbapi_conn, _record):  # noqa: ANN001
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET hnsw.ef_search = {int(ef)}")
        dbapi_conn.commit()

    return engine


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine."""
    return make_engine(database_url())


@lru_cache
def session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work for tasks and commands: commit on success, roll back on error."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def check_database(engine: Engine, require_vector: bool = True) -> None:
    """Raise ConfigError with one line if the database is unreachable or lacks pgvector."""
    safe = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            if require_vector:
                available = conn.execute(
                    text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
                ).first()
                if available is None:
                    raise ConfigError(
                        f"database {safe} has no pgvector extension available: "
                        "install pgvector on that server or leave MATCHMAKER_DATABASE_URL unset"
                    )
    except OperationalError as err:
        reason = str(err.orig).strip().splitlines()[0] if err.orig else str(err)
        raise ConfigError(f"cannot reach database {safe}: {reason}") from None


def database_status(engine: Engine) -> dict:
    """Health information: reachability, server version, pgvector version, migration head."""
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
            vector = conn.execute(text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")).scalar()
            try:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            except Exception:  # noqa: BLE001 - an unmigrated database is a state, not an error
                conn.rollback()
                revision = None
        return {"ok": True, "server_version": version, "pgvector": vector, "revision": revision}
    except OperationalError as err:
        return {"ok": False, "error": str(err.orig).strip().splitlines()[0] if err.orig else str(err)}


def scratch_database(base_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `base_url`; return its URL."""
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, name: str) -> None:
    """Drop database `name` on the server of `base_url`, if it exists."""
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
