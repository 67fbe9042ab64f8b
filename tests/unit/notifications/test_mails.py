"""Notification mails through a real SMTP server (aiosmtpd): the right people, their language, an unsubscribe
link that works without signing in, the user's choices, and never the same mail twice."""

import socket
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

import backend.notifications.service  # noqa: F401 - the listeners
from backend import mail
from backend.accounts.models import Role
from backend.config import get_settings
from backend.matches import service as matches
from backend.notifications import service
from backend.notifications.models import OutboxMail
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_need, create_org
from tests.common.portal import create_user, post_form, sign_in


class _Inbox:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = get_settings().model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False,
                                                 "environment": "production"})
    monkeypatch.setattr(mail, "get_settings", lambda: settings)
    yield inbox
    controller.stop()


def _pair(db_session):  # noqa: ANN001, ANN202
    firm = create_org(db_session, name="邮件企业")
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="邮件大学")
    return firm, lab, create_need(db_session, firm), create_capability(db_session, lab)


def _deliver_all(db_session) -> list[OutboxMail]:  # noqa: ANN001
    mails = list(db_session.scalars(select(OutboxMail).where(OutboxMail.kind != "password_reset")
                                    .order_by(OutboxMail.id)))
    for m in mails:
        mail.deliver(db_session, m.id)
    return mails


def test_a_response_is_mailed_to_the_other_side_in_its_language_once(db_session, smtp):
    firm, lab, need, cap = _pair(db_session)
    firm_user = create_user(db_session, Role.FIRM_MEMBER, firm, locale="zh_CN")
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, lab, locale="en")
    match = matches.propose(db_session, need.id, cap.id, fused_score=0.9)
    matches.express_interest(db_session, match, "firm")
    db_session.flush()
    mails = {(m.recipient, m.kind): m for m in _deliver_all(db_session)}
    interest = mails[(officer.email, "match.firm_interested")]
    assert interest.subject == "A firm is interested in a match with your capability"
    assert f"/matches/{match.id}" in interest.body_text and "/unsubscribe/" in interest.body_text
    assert (firm_user.email, "match.firm_interested") not in mails  # the firm acted itself
    assert mails[(firm_user.email, "match.proposed")].subject == "有新的匹配推荐"  # Chinese for the firm
    # The same event again (a redelivered task): no second mail, no second delivery.
    ev = db_session.scalars(select(service.CollaborationEvent).where(
        service.CollaborationEvent.kind == "match.firm_interested")).one()
    service.notify(db_session, [ev])
    again = _deliver_all(db_session)
    assert len(again) == len(mails)
    assert [e.rcpt_tos for e in smtp.received].count([officer.email]) == 2  # proposed + interested, once each


def test_a_new_match_below_the_chosen_score_is_not_mailed(db_session):
    firm, lab, need, cap = _pair(db_session)
    firm_user = create_user(db_session, Role.FIRM_MEMBER, firm)
    service.set_preference(db_session, firm_user.id, "new_match", "immediate", 0.8)
    matches.propose(db_session, need.id, cap.id, fused_score=0.5)
    db_session.flush()
    assert db_session.scalars(select(OutboxMail).where(OutboxMail.recipient == firm_user.email)).all() == []


def test_the_unsubscribe_link_works_without_signing_in(client, db_session):
    firm, lab, need, cap = _pair(db_session)
    firm_user = create_user(db_session, Role.FIRM_MEMBER, firm)
    matches.propose(db_session, need.id, cap.id, fused_score=0.9)
    db_session.flush()
    sent = db_session.scalars(select(OutboxMail).where(OutboxMail.recipient == firm_user.email)).one()
    link = next(w for w in sent.body_text.split() if "/unsubscribe/" in w)
    path = link[link.index("/unsubscribe/"):]
    assert client.get(path).status_code == 200
    assert client.post(path, follow_redirects=False).status_code == 200  # no session, no CSRF token: the link is it
    assert service.preferences(db_session, firm_user.id)["new_match"][0] == "off"
    matches.propose(db_session, create_need(db_session, firm).id, cap.id, fused_score=0.9)
    db_session.flush()
    assert len(db_session.scalars(select(OutboxMail).where(OutboxMail.recipient == firm_user.email)).all()) == 1
    assert client.get("/unsubscribe/forged-token").status_code == 404


def test_the_weekly_digest_collects_the_weeks_notifications_once(db_session):
    firm, lab, need, cap = _pair(db_session)
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, lab, locale="en")
    service.set_preference(db_session, officer.id, "response", "digest")
    match = matches.propose(db_session, need.id, cap.id, fused_score=0.9)
    matches.express_interest(db_session, match, "firm")
    db_session.flush()
    assert not db_session.scalars(select(OutboxMail).where(OutboxMail.kind == "match.firm_interested")).all()
    now = datetime.now(UTC)
    assert service.digest(db_session, now) == 1
    assert service.digest(db_session, now) == 0
    digest = db_session.scalars(select(OutboxMail).where(OutboxMail.kind == "digest")).one()
    assert digest.recipient == officer.email and digest.subject.startswith("Your week on Matchmaker")


def test_the_settings_page_saves_the_choices(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    sign_in(client, user)
    assert client.get("/account/notifications").status_code == 200
    saved = post_form(client, "/account/notifications", {"new_match": "digest", "response": "off",
                                                         "acceptance": "immediate", "message": "immediate",
                                                         "project": "off", "min_score": "0.7"})
    assert saved.status_code == 303
    prefs = service.preferences(db_session, user.id)
    assert prefs["new_match"] == ("digest", 0.7) and prefs["response"][0] == "off"
    bad = post_form(client, "/account/notifications", {"new_match": "loud", "min_score": "2"})
    assert bad.status_code == 422
