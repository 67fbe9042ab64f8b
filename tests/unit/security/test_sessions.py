"""Sign-in, sessions, CSRF, the login rate limit and the security headers, through the real app."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from backend.accounts.models import Role, WebSession
from backend.auth import COOKIE, token_hash
from tests.common.portal import PASSWORD, create_user, csrf_token, post_form, sign_in


def test_the_session_id_changes_at_sign_in_and_the_table_holds_only_its_hash(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    client.cookies.set(COOKIE, "planted-by-an-attacker", domain="testserver.local")
    sign_in(client, user)
    token = client.cookies.get(COOKIE)
    assert token and token != "planted-by-an-attacker" and len(token) >= 40
    stored = db_session.scalars(select(WebSession.id).where(WebSession.user_id == user.id)).all()
    assert stored == [token_hash(token)]
    assert client.get("/account").status_code == 200
    # Signing in again (say, as someone else on the same browser) replaces the session, not adds one.
    sign_in(client, user)
    assert client.cookies.get(COOKIE) != token
    assert db_session.scalar(select(func.count()).select_from(WebSession)
                             .where(WebSession.user_id == user.id)) == 1


def test_the_session_cookie_is_http_only_and_same_site(client, db_session):
    response = sign_in(client, create_user(db_session, Role.FIRM_MEMBER))
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie


def test_logout_ends_the_session_on_the_server(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    sign_in(client, user)
    token = client.cookies.get(COOKIE)
    assert post_form(client, "/logout").status_code == 303
    assert db_session.get(WebSession, token_hash(token)) is None
    client.cookies.set(COOKIE, token, domain="testserver.local")  # a copied cookie is worth nothing now
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_an_expired_session_signs_nobody_in(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    sign_in(client, user)
    row = db_session.get(WebSession, token_hash(client.cookies.get(COOKIE)))
    row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db_session.flush()
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_a_password_change_ends_every_session(client, db_session):
    from fastapi.testclient import TestClient

    user = create_user(db_session, Role.TECH_TRANSFER_OFFICER)
    sign_in(client, user)
    other = TestClient(client.app)
    sign_in(other, user)
    changed = post_form(client, "/account/password", {"current_password": PASSWORD, "password": "a-new-long-passphrase",
                                                      "password_again": "a-new-long-passphrase"})
    assert changed.status_code == 303 and changed.headers["location"] == "/login"
    assert db_session.scalar(select(func.count()).select_from(WebSession).where(WebSession.user_id == user.id)) == 0
    assert other.get("/account", follow_redirects=False).status_code == 303
    sign_in(client, user, "a-new-long-passphrase")


def test_a_post_without_the_csrf_token_is_refused(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    csrf_token(client)
    no_token = client.post("/login", data={"email": user.email, "password": PASSWORD}, follow_redirects=False)
    assert no_token.status_code == 403
    forged = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "0" * 64},
                         follow_redirects=False)
    assert forged.status_code == 403
    sign_in(client, user)
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.post("/account/tokens", data={"name": "x"}, follow_redirects=False).status_code == 403
    # A signed-in browser calling the JSON API with its cookie needs the token too (header form).
    assert client.post("/api/v1/needs", json={"title": "t", "description": "d"}).status_code == 403


def test_the_login_rate_limit_holds_per_account_and_per_address(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    for _attempt in range(5):
        wrong = post_form(client, "/login", {"email": user.email, "password": "not-the-password"})
        assert wrong.status_code == 422
    blocked = post_form(client, "/login", {"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429  # even the right password waits now
    other = create_user(db_session, Role.FIRM_MEMBER)
    sign_in(client, other)  # another account from the same address still may (20 per address)
    for n in range(20):
        post_form(client, "/login", {"email": f"nobody{n}@example.cn", "password": "x"})
    third = create_user(db_session, Role.FIRM_MEMBER)
    assert post_form(client, "/login", {"email": third.email, "password": PASSWORD}).status_code == 429


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    a = post_form(client, "/login", {"email": user.email, "password": "wrong-password-1"})
    b = post_form(client, "/login", {"email": "nobody@example.cn", "password": "wrong-password-1"})
    assert a.status_code == b.status_code == 422
    assert "The e-mail or the password is not right." in a.text or "邮箱或密码不正确" in a.text


def test_sign_in_goes_only_to_local_next_pages(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    away = post_form(client, "/login", {"email": user.email, "password": PASSWORD, "next": "//evil.example/x"})
    assert away.status_code == 303 and away.headers["location"] == "/me"
    post_form(client, "/logout")
    here = post_form(client, "/login", {"email": user.email, "password": PASSWORD, "next": "/account"})
    assert here.headers["location"] == "/account"


def test_every_page_carries_the_security_headers(client):
    for path in ("/", "/needs", "/login", "/register", "/needs/987654", "/api/v1/needs", "/api/docs", "/healthz"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "same-origin", path


def test_no_page_carries_inline_script(client):
    for path in ("/", "/needs", "/capabilities", "/login", "/register", "/password/reset", "/api/docs"):
        html = client.get(path).text
        for tag in html.split("<script")[1:]:
            assert tag.split(">")[0].strip().startswith("src="), path
        assert " on" + "click=" not in html and "javascript:" not in html


def test_the_api_documentation_is_served_by_the_app(client):
    html = client.get("/api/docs").text
    assert "cdn" not in html.lower() and "/api/docs/assets/swagger-ui-bundle.js" in html
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/js/swagger-init.js").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Matchmaker"
