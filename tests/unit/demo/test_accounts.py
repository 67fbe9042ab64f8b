"""Demo accounts: created by `demo load` in development only, listed by `matchmaker run`."""

from datetime import date

import pytest
from sqlalchemy import select, text

from backend import cli
from backend.accounts.models import User
from backend.config import get_settings
from backend.demo import data, service

TODAY = date(2026, 11, 26)


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("MATCHMAKER_ENVIRONMENT", "production")
    monkeypatch.setenv("MATCHMAKER_SECRET_KEY", "a-private-secret-for-this-test-only")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _demo_users(session) -> list[User]:
    return list(session.scalars(select(User).where(User.email.endswith(f"@{data.EMAIL_DOMAIN}"))))


def _load_people(session, accounts=None):  # noqa: ANN001
    """The organisations and accounts stages of `demo.load` (the rest of the load is tested in test_demo)."""
    loader = service._Loader(session, data.build(TODAY), lambda *call: None,
                             service.accounts_allowed() if accounts is None else accounts)
    loader._organisations()
    loader._users()
    session.flush()
    return loader


def test_demo_accounts_exist_in_development_and_tests_one_per_role(db_session):
    assert service.accounts_allowed()
    loader = _load_people(db_session)
    users = _demo_users(db_session)
    assert loader.users == len(users) == 4
    assert {u.role.value for u in users} == {"admin", "firm_member", "tech_transfer_officer", "government_analyst"}


def test_outside_development_no_demo_account_is_created(db_session, production):
    assert get_settings().environment == "production" and not service.accounts_allowed()
    loader = _load_people(db_session)
    assert loader.users == 0 and _demo_users(db_session) == []
    assert loader.orgs  # the rest still loads


def test_the_cli_says_in_one_line_that_accounts_were_not_created(monkeypatch, capsys, production):
    class Session:
        def __enter__(self):
            return self

        def __exit__(self, *exc):  # noqa: ANN002
            return False

    calls = {}

    def load(session, progress, accounts):  # noqa: ANN001
        calls["accounts"] = accounts
        return {"organisations": 1}

    monkeypatch.setattr(cli, "_checked_engine", lambda: None)
    monkeypatch.setattr("backend.db.session_scope", lambda: Session())
    monkeypatch.setattr(service, "is_empty", lambda session: True)
    monkeypatch.setattr(service, "load", load)
    cli.demo_load(force=False)
    out = capsys.readouterr().out
    assert calls["accounts"] is False
    assert "demo accounts not created" in out and "production" in out


def test_run_prints_the_demo_accounts_with_their_role_and_password(engine, committed, capsys):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (email, password_hash, role, locale, is_active) VALUES "
                          "(:e, 'x', 'firm_member', 'zh_CN', true)"), {"e": f"firm@{data.EMAIL_DOMAIN}"})
    cli._print_demo_accounts()
    out = capsys.readouterr().out
    assert f"firm@{data.EMAIL_DOMAIN}" in out and "firm_member" in out and data.PASSWORD in out


def test_run_prints_no_password_outside_development(engine, committed, capsys, production):
    cli._print_demo_accounts()
    assert data.PASSWORD not in capsys.readouterr().out
