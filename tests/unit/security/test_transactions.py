"""Through a real server: a response never goes out before its transaction has committed."""

import time

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from tests.common.portal import csrf_token


@pytest.fixture
def server(served):  # noqa: ANN001
    with httpx.Client(base_url=served, timeout=30) as client:
        yield client


@pytest.fixture
def slow_or_failing_commits():
    """Make every commit of this process slow (1.5 s), or fail, while the test runs."""
    mode = {"fail": False}

    def before_commit(session):  # noqa: ANN001
        if session.info.get("no_delay"):
            return
        time.sleep(1.5)
        if mode["fail"]:
            raise RuntimeError("the database refused the commit")

    event.listen(Session, "before_commit", before_commit)
    yield mode
    event.remove(Session, "before_commit", before_commit)


def _register(client: httpx.Client, email: str) -> httpx.Response:
    return client.post("/register", data={
        "csrf_token": csrf_token(client), "full_name": "张工", "email": email,
        "password": "a-long-enough-passphrase", "password_again": "a-long-enough-passphrase",
        "org_kind": "firm", "org_name": "事务测试企业", "region": "330602", "chains": "bearings",
    }, follow_redirects=False)


def _users(engine, email: str) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM users WHERE email = :e"), {"e": email}).scalar()


def test_the_redirect_after_a_form_arrives_only_once_its_write_is_committed(server, engine, slow_or_failing_commits):
    csrf_token(server)
    response = _register(server, "first@example.cn")
    assert response.status_code == 303, response.text[:300]
    # Had the commit run after the response (FastAPI's default for `yield` dependencies), it would still be
    # sleeping now and the row would not be there.
    assert _users(engine, "first@example.cn") == 1
    assert server.get(response.headers["location"], follow_redirects=False).status_code < 500


def test_a_failed_commit_never_answers_success(server, engine, slow_or_failing_commits):
    csrf_token(server)
    slow_or_failing_commits["fail"] = True
    response = _register(server, "second@example.cn")
    assert response.status_code == 500
    assert _users(engine, "second@example.cn") == 0
