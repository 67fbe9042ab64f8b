"""Registration, sign-in, password reset by mail, the account page and personal API tokens."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from backend.accounts import service
from backend.accounts.models import ApiToken, PasswordResetToken, Role, User
from backend.chains.models import IndustryChain
from backend.errors import InvalidInput
from backend.notifications.models import OutboxMail
from backend.organisations.models import Organisation, OrgKind, organisation_chains
from tests.common.portal import PASSWORD, create_user, post_form, sign_in

GOOD = {"full_name": "王工", "email": "wang@firm.example.cn", "password": "gear-grinding-2026!",
        "password_again": "gear-grinding-2026!", "org_kind": "firm", "org_name": "新昌精工轴承有限公司",
        "region": "330624", "chains": ["bearings", "smart_motors"]}


def test_a_firm_registers_and_its_organisation_waits_for_an_admin(client, db_session):
    response = post_form(client, "/register", GOOD)
    assert response.status_code == 303, response.text[:800]
    user = db_session.scalar(select(User).where(User.email == "wang@firm.example.cn"))
    org = db_session.get(Organisation, user.organisation_id)
    assert user.role == Role.FIRM_MEMBER and org.kind == OrgKind.FIRM and org.verification == "pending"
    chains = db_session.scalars(select(IndustryChain.code).join(
        organisation_chains, organisation_chains.c.chain_id == IndustryChain.id)
        .where(organisation_chains.c.organisation_id == org.id)).all()
    assert sorted(chains) == ["bearings", "smart_motors"]
    assert client.get("/account").status_code == 200  # signed in at once


def test_a_foreign_university_registers_in_its_country(client, db_session):
    data = GOOD | {"email": "tto@tu.example.de", "org_kind": "foreign_partner", "org_name": "",
                   "org_name_en": "Example Technical University", "region": "DE"}
    assert post_form(client, "/register", data).status_code == 303
    user = db_session.scalar(select(User).where(User.email == "tto@tu.example.de"))
    assert user.role == Role.TECH_TRANSFER_OFFICER


@pytest.mark.parametrize(("change", "field_message"), [
    ({"password": "password123", "password_again": "password123"}, "common"),
    ({"password": "short", "password_again": "short"}, "10"),
    ({"email": "not-an-email"}, "e-mail"),
    ({"org_name": "", "org_name_en": ""}, "name"),
    ({"region": "DE"}, "foreign"),
    ({"org_kind": "government"}, "firm"),
])
def test_bad_registrations_are_refused_with_the_reason_next_to_the_field(client, db_session, change, field_message):
    response = post_form(client, "/register", GOOD | change)
    assert response.status_code == 422
    assert 'class="error"' in response.text or 'class="form-errors"' in response.text
    assert field_message.lower() in response.text.lower() or "选择" in response.text
    assert db_session.scalar(select(User).where(User.email == GOOD["email"])) is None


def test_the_same_email_cannot_register_twice(client, db_session):
    assert post_form(client, "/register", GOOD).status_code == 303
    post_form(client, "/logout")
    again = post_form(client, "/register", GOOD | {"org_name": "另一家"})
    assert again.status_code == 422 and "exists already" in again.text


def test_common_and_short_passwords_are_refused_by_the_service():
    for weak in ("123456789012", "qwertyuiop", "aaaaaaaaaaaaaaa", "abc"):
        with pytest.raises(InvalidInput):
            service.check_password(weak)
    service.check_password("gear-grinding-2026!")


def test_a_password_reset_link_works_once_and_expires(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    assert post_form(client, "/password/reset", {"email": user.email}).status_code == 303
    assert post_form(client, "/password/reset", {"email": "nobody@example.cn"}).status_code == 303  # same answer
    mail = db_session.scalars(select(OutboxMail).where(OutboxMail.recipient == user.email)).one()
    assert mail.kind == "password_reset" and "重置" in mail.subject  # the user's language (zh_CN)
    link = next(w for w in mail.body_text.split() if "/password/reset/" in w)
    path = "/password/reset/" + link.rsplit("/", 1)[1]
    assert client.get(path).status_code == 200
    bad = post_form(client, path, {"password": "x", "password_again": "x"})
    assert bad.status_code == 422
    done = post_form(client, path, {"password": "a-brand-new-passphrase", "password_again": "a-brand-new-passphrase"})
    assert done.status_code == 303
    assert client.get(path).status_code == 404  # single use
    sign_in(client, user, "a-brand-new-passphrase")
    # An expired link is refused.
    found = service.start_reset(db_session, user.email)
    row = db_session.get(PasswordResetToken, service._digest(found[1]))
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db_session.flush()
    assert client.get(f"/password/reset/{found[1]}").status_code == 404


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    sign_in(client, user)
    page = post_form(client, "/account/tokens", {"name": "ERP 系统"})
    assert page.status_code == 200
    raw = page.text.split('<code class="token">')[1].split("</code>")[0]
    assert raw.startswith("mm_")
    stored = db_session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash != raw and raw not in client.get("/account").text
    api = client.__class__(client.app)
    created = api.post("/api/v1/needs", headers={"Authorization": f"Bearer {raw}"},
                       json={"title": "电机铁损偏高", "description": "硅钢片冲压后铁损上升。",
                             "organisation_id": 999999})
    assert created.status_code == 201, created.text
    assert created.json()["organisation_id"] == user.organisation_id  # the body cannot choose another firm
    assert post_form(client, f"/account/tokens/{stored.id}/revoke").status_code == 303
    refused = api.get("/api/v1/needs", headers={"Authorization": f"Bearer {raw}"})
    assert refused.status_code == 401


def test_the_stored_language_follows_the_switch_and_sets_it_at_sign_in(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER, locale="zh_CN")
    sign_in(client, user)
    client.get("/needs?lang=en")
    db_session.refresh(user)
    assert user.locale == "en"
    fresh = client.__class__(client.app)
    sign_in(fresh, user)
    assert fresh.cookies.get("mm_lang") == "en" and ">Needs<" in fresh.get("/needs").text


def test_demo_accounts_are_refused_outside_development(client, db_session, monkeypatch):
    from backend.accounts import pages
    from backend.config import get_settings

    demo = service.create_user(db_session, email="firm@sample.matchmaker.local", password=PASSWORD,
                               role=Role.ADMIN)
    production = get_settings().model_copy(update={"environment": "production"})
    monkeypatch.setattr(pages, "get_settings", lambda: production)
    refused = post_form(client, "/login", {"email": demo.email, "password": PASSWORD})
    assert refused.status_code == 403


def test_a_role_home_is_reached_from_me(client, db_session):
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))
    assert client.get("/me", follow_redirects=False).headers["location"] == "/needs/mine"
