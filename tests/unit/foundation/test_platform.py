"""Settings, health, the embedded database, and clear one-line start-up errors."""

import os
import subprocess
import sys
import textwrap

import psycopg
import pytest

from backend.config import ROOT, ConfigError, Settings, get_settings
from backend.db import check_database, database_status, make_engine

CLI = [sys.executable, "-m", "backend.cli"]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")} | env
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=ROOT, env=full, timeout=120)


def test_healthz_reports_the_database(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"]["server_version"].startswith("18")
    assert body["database"]["pgvector"] and body["database"]["revision"]


def test_health_of_an_unreachable_database_is_degraded():
    status = database_status(make_engine("postgresql+psycopg://nobody@/x?host=/nonexistent-socket-dir"))
    assert status["ok"] is False and status["error"]


def test_the_default_secret_is_refused_outside_development(monkeypatch):
    monkeypatch.setenv("MATCHMAKER_ENVIRONMENT", "production")
    monkeypatch.delenv("MATCHMAKER_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match="MATCHMAKER_SECRET_KEY"):
            get_settings()
    finally:
        get_settings.cache_clear()


def test_a_non_postgres_url_is_refused():
    with pytest.raises(ValueError, match="PostgreSQL"):
        Settings(database_url="mysql://x@y/z")


def test_an_unreachable_database_is_one_line_at_start_up():
    result = run_cli("db", "upgrade", MATCHMAKER_DATABASE_URL="postgresql://nobody@/x?host=/nonexistent-dir")
    assert result.returncode == 2
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1 and "cannot reach database" in lines[0], result.stderr


def test_a_database_without_pgvector_is_named_clearly():
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg.connect(url.replace("+psycopg", ""), connect_timeout=2).close()
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL without pgvector on 127.0.0.1:5432 (the system server of CI machines)")
    engine = make_engine(url)
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        has_vector = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name='vector'").fetchone()
    if has_vector:
        pytest.skip("the PostgreSQL on 127.0.0.1:5432 has pgvector; nothing to refuse")
    with pytest.raises(ConfigError, match="no pgvector"):
        check_database(engine)


def test_the_embedded_database_keeps_data_across_stop_and_start(tmp_path_factory):
    pgdata = tmp_path_factory.mktemp("persist") / "pg"
    script = textwrap.dedent(f"""
        import sys, psycopg
        from pathlib import Path
        from backend import embedded
        url = embedded.start(Path({str(pgdata)!r})).replace("+psycopg", "")
        with psycopg.connect(url, autocommit=True) as c:
            if sys.argv[1] == "write":
                c.execute("CREATE TABLE kept (v text)"); c.execute("INSERT INTO kept VALUES ('风电滚子')")
            else:
                print(c.execute("SELECT v FROM kept").fetchone()[0])
    """)
    for step in ("write", "read"):
        result = subprocess.run([sys.executable, "-c", script, step], capture_output=True, text=True, cwd=ROOT,
                                timeout=120)
        assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "风电滚子"
    assert not (pgdata / "postmaster.pid").exists()  # the server stopped with its last process


def test_the_cli_lists_its_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("serve", "worker", "db", "demo", "user", "run"):
        assert command in result.stdout


def test_a_malformed_setting_is_one_line_naming_the_variable():
    result = run_cli("db", "upgrade", MATCHMAKER_PORT="eighty")
    assert result.returncode == 2
    lines = [line for line in result.stderr.strip().splitlines() if line]
    assert len(lines) == 1 and "MATCHMAKER_PORT" in lines[0], result.stderr


def test_user_create_checks_role_and_organisation(database_url):
    env = {"MATCHMAKER_DATABASE_URL": database_url}
    bad = run_cli("user", "create", "--email", "a@b.cn", "--role", "pilot", "--password", "long-enough-1", **env)
    assert bad.returncode == 2 and "unknown role 'pilot'" in bad.stderr
    no_org = run_cli("user", "create", "--email", "a@b.cn", "--role", "firm_member", "--password", "long-enough-1",
                     **env)
    assert no_org.returncode == 2 and "must belong to an organisation" in no_org.stderr
    admin = run_cli("user", "create", "--email", "Root@Example.CN", "--role", "admin", "--password", "long-enough-1",
                    **env)
    assert admin.returncode == 0 and "<root@example.cn> as admin" in admin.stdout
    again = run_cli("user", "create", "--email", "root@example.cn", "--role", "admin", "--password", "long-enough-1",
                    **env)
    assert again.returncode == 2 and "exists already" in again.stderr
    from sqlalchemy import text

    from backend.db import get_engine

    with get_engine().begin() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE email = 'root@example.cn'")).scalar()
        conn.execute(text("DELETE FROM users WHERE email = 'root@example.cn'"))
    assert stored.startswith("$argon2")
