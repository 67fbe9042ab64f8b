"""The admin's pages: verifying and rejecting organisations (with the ledger and the members' mail), the outbox."""

import pytest
from sqlalchemy import select

from backend.accounts.models import Role
from backend.errors import Conflict, InvalidInput
from backend.ledger.models import CollaborationEvent
from backend.notifications.models import OutboxMail
from backend.organisations import service as organisations
from tests.common.factories import create_org
from tests.common.portal import create_user, post_form, sign_in


def _events(session, kind: str, org_id: int) -> list[CollaborationEvent]:
    return list(session.scalars(select(CollaborationEvent).where(
        CollaborationEvent.kind == kind, CollaborationEvent.organisation_ids.contains([org_id]))))


def _mails(session, to: str) -> list[OutboxMail]:
    return list(session.scalars(select(OutboxMail).where(OutboxMail.recipient == to).order_by(OutboxMail.id)))


@pytest.fixture
def pending_org(db_session):
    return create_org(db_session, name="待审核机械有限公司", name_en="Pending Machinery Co.", is_verified=False)


@pytest.fixture
def admin_client(client, db_session):
    sign_in(client, create_user(db_session, Role.ADMIN))
    return client


def test_the_admin_page_lists_waiting_organisations_with_who_registered_them(admin_client, db_session, pending_org):
    member = create_user(db_session, Role.FIRM_MEMBER, org=pending_org, email="founder@pending.cn")
    create_org(db_session, name="已审核企业")
    page = admin_client.get("/admin")
    assert page.status_code == 200
    assert "待审核机械有限公司" in page.text and "Pending Machinery Co." in page.text
    assert member.email in page.text
    assert "已审核企业" not in page.text
    assert f'action="/admin/organisations/{pending_org.id}/verify"' in page.text
    assert f'action="/admin/organisations/{pending_org.id}/reject"' in page.text


def test_verifying_marks_the_organisation_records_the_event_and_mails_each_member(admin_client, db_session,
                                                                                pending_org):
    english = create_user(db_session, Role.FIRM_MEMBER, org=pending_org, locale="en")
    chinese = create_user(db_session, Role.FIRM_MEMBER, org=pending_org, locale="zh_CN")
    response = post_form(admin_client, f"/admin/organisations/{pending_org.id}/verify")
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    db_session.refresh(pending_org)
    assert pending_org.is_verified and pending_org.verification == "verified"
    assert len(_events(db_session, "organisation.verified", pending_org.id)) == 1
    [mail_en] = _mails(db_session, english.email)
    [mail_zh] = _mails(db_session, chinese.email)
    assert mail_en.kind == "organisation_verified" and "verified" in mail_en.subject
    assert "审核" in mail_zh.subject and mail_zh.locale == "zh_CN"
    assert "待审核机械有限公司" not in admin_client.get("/admin").text.split("<h2")[-1]


def test_verifying_twice_is_refused_clearly_and_writes_nothing_more(admin_client, db_session, pending_org):
    member = create_user(db_session, Role.FIRM_MEMBER, org=pending_org, locale="en")
    post_form(admin_client, f"/admin/organisations/{pending_org.id}/verify")
    again = post_form(admin_client, f"/admin/organisations/{pending_org.id}/verify")
    assert again.status_code == 303
    page = admin_client.get("/admin")
    assert "已经通过审核" in page.text or "already verified" in page.text
    assert len(_events(db_session, "organisation.verified", pending_org.id)) == 1
    assert len(_mails(db_session, member.email)) == 1
    with pytest.raises(Conflict, match="already verified"):
        organisations.verify(db_session, pending_org)


def test_rejecting_keeps_the_note_records_the_event_and_mails_the_note(admin_client, db_session, pending_org):
    member = create_user(db_session, Role.FIRM_MEMBER, org=pending_org, locale="en")
    response = post_form(admin_client, f"/admin/organisations/{pending_org.id}/reject",
                         {"note": "The business licence number does not match the name."})
    assert response.status_code == 303
    db_session.refresh(pending_org)
    assert pending_org.verification == "rejected" and not pending_org.is_verified
    assert pending_org.rejection_note == "The business licence number does not match the name."
    assert len(_events(db_session, "organisation.rejected", pending_org.id)) == 1
    [mail] = _mails(db_session, member.email)
    assert mail.kind == "organisation_rejected"
    assert "The business licence number does not match the name." in mail.body_text
    assert "Pending Machinery Co." in mail.subject
    with pytest.raises(Conflict):
        organisations.reject(db_session, pending_org, "again")


def test_rejecting_without_a_note_shows_the_error_next_to_the_field(admin_client, db_session, pending_org):
    response = post_form(admin_client, f"/admin/organisations/{pending_org.id}/reject", {"note": "  "})
    assert response.status_code == 422
    assert f'id="note-{pending_org.id}-error"' in response.text
    db_session.refresh(pending_org)
    assert pending_org.verification == "pending"
    assert _events(db_session, "organisation.rejected", pending_org.id) == []
    with pytest.raises(InvalidInput):
        organisations.reject(db_session, pending_org, "")


def test_a_post_without_the_csrf_token_is_refused(admin_client, db_session, pending_org):
    response = admin_client.post(f"/admin/organisations/{pending_org.id}/verify", follow_redirects=False)
    assert response.status_code == 403
    db_session.refresh(pending_org)
    assert not pending_org.is_verified


def test_an_unknown_organisation_is_a_404(admin_client):
    assert post_form(admin_client, "/admin/organisations/999999/verify").status_code == 404
    assert post_form(admin_client, "/admin/organisations/2147483648/verify").status_code in (404, 422)


@pytest.mark.parametrize("role", [Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER, Role.GOVERNMENT_ANALYST])
def test_other_roles_are_refused(client, db_session, pending_org, role):
    sign_in(client, create_user(db_session, role))
    for url in ("/admin", "/admin/outbox"):
        assert client.get(url, follow_redirects=False).status_code == 403
    assert post_form(client, f"/admin/organisations/{pending_org.id}/verify").status_code == 403
    db_session.refresh(pending_org)
    assert not pending_org.is_verified


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_admin_page_counts_organisations_by_state_and_users_by_role(admin_client, db_session, pending_org):
    page = admin_client.get("/admin?lang=en")
    assert "organisations waiting" in page.text and "Users by role" in page.text
    assert "government analyst" in page.text


def test_the_outbox_lists_a_password_reset_mail_and_shows_its_text(admin_client, client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER, locale="en")
    client.cookies.clear()
    assert post_form(client, "/password/reset", {"email": user.email}).status_code == 303
    sign_in(client, create_user(db_session, Role.ADMIN))
    listing = client.get("/admin/outbox?lang=en")
    assert listing.status_code == 200
    assert user.email in listing.text and "password_reset" in listing.text and "waiting" in listing.text
    [mail] = _mails(db_session, user.email)
    detail = client.get(f"/admin/outbox/{mail.id}")
    assert detail.status_code == 200 and "/password/reset/" in detail.text
    assert client.get("/admin/outbox/99999999").status_code == 404
    assert client.get("/admin/outbox/2147483648").status_code in (404, 422)
    assert client.get("/admin/outbox?page=99999999999999999999").status_code in (404, 422)
