"""An assigned alert reaches its analyst in the portal and by mail, in their language, once."""

from sqlalchemy import select

from backend import mail
from backend.accounts.models import Role
from backend.alerts import service
from backend.ledger.models import CollaborationEvent
from backend.notifications import service as notifications
from backend.notifications.models import Notification, OutboxMail
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_org
from tests.common.portal import create_user
from tests.unit.alerts.conftest import NOW, alerts_of, post_need
from tests.unit.notifications.test_mails import smtp  # noqa: F401 - the aiosmtpd fixture


def _alert(db_session):  # noqa: ANN001, ANN202
    create_capability(db_session, create_org(db_session, kind=OrgKind.UNIVERSITY, region="330602", name="邮大学"))
    post_need(db_session, days=20)
    service.run_daily(db_session, now=NOW)
    return alerts_of(db_session)[0]


def _deliver(db_session) -> list[OutboxMail]:  # noqa: ANN001
    mails = list(db_session.scalars(select(OutboxMail).where(OutboxMail.kind == "alert.assigned")
                                    .order_by(OutboxMail.id)))
    for m in mails:
        mail.deliver(db_session, m.id)
    return mails


def test_the_assignee_is_told_in_the_portal_and_by_mail_in_their_language_once(db_session, smtp):  # noqa: F811
    alert = _alert(db_session)
    english = create_user(db_session, Role.GOVERNMENT_ANALYST, locale="en")
    chinese = create_user(db_session, Role.GOVERNMENT_ANALYST, locale="zh_CN")
    bystander = create_user(db_session, Role.GOVERNMENT_ANALYST)
    service.assign(db_session, alert.id, english.id, by_user_id=chinese.id)
    db_session.flush()
    [sent] = _deliver(db_session)
    assert sent.recipient == english.email and sent.subject == "An alert was assigned to you"
    assert f"/dashboard/alerts/{alert.id}" in sent.body_text and "/unsubscribe/" in sent.body_text
    assert [e.rcpt_tos for e in smtp.received] == [[english.email]]
    assert "An alert was assigned to you" in smtp.received[0].content.decode()
    # The same event again (a redelivered task): no second mail, no second notification.
    event = db_session.scalars(select(CollaborationEvent).where(CollaborationEvent.kind == "alert.assigned")).one()
    notifications.notify(db_session, [event])
    assert len(_deliver(db_session)) == 1 and len(smtp.received) == 1
    told = db_session.scalars(select(Notification.user_id).where(Notification.kind == "alert.assigned")).all()
    assert told == [english.id]  # not the colleague who assigned it, not other analysts
    assert bystander.id not in told
    service.assign(db_session, alert.id, chinese.id, by_user_id=english.id)
    db_session.flush()
    chinese_mail = _deliver(db_session)[-1]
    assert chinese_mail.recipient == chinese.email and chinese_mail.subject == "有一条预警分派给了您"


def test_an_analyst_who_chose_off_gets_no_mail_but_the_portal_notice(db_session):
    alert = _alert(db_session)
    analyst = create_user(db_session, Role.GOVERNMENT_ANALYST)
    notifications.set_preference(db_session, analyst.id, "alert", "off")
    service.assign(db_session, alert.id, analyst.id, by_user_id=None)
    db_session.flush()
    assert db_session.scalars(select(OutboxMail).where(OutboxMail.recipient == analyst.email)).all() == []
    assert db_session.scalars(select(Notification.kind).where(Notification.user_id == analyst.id)).all() == [
        "alert.assigned"]


def test_only_analysts_and_admins_choose_about_alerts():
    assert "alert" in notifications.topics_for("government_analyst")
    assert "alert" in notifications.topics_for("admin")
    assert "alert" not in notifications.topics_for("firm_member")
