"""In-app notifications: written with the event, to the right side only, counted on every page, read once."""

from sqlalchemy import func, select

import backend.notifications.service  # noqa: F401 - the listeners
from backend.accounts.models import Role
from backend.matches import service as matches
from backend.notifications.models import Notification
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_need, create_org
from tests.common.portal import create_user, post_form, sign_in


def _pair(db_session):  # noqa: ANN001, ANN202
    firm = create_org(db_session, name="通知企业")
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="通知大学")
    need = create_need(db_session, firm)
    cap = create_capability(db_session, lab)
    return firm, lab, matches.propose(db_session, need.id, cap.id, fused_score=0.8)


def _of(db_session, user) -> list[str]:  # noqa: ANN001
    return list(db_session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_each_side_hears_what_the_other_did(db_session):
    firm, lab, match = _pair(db_session)
    firm_user = create_user(db_session, Role.FIRM_MEMBER, firm)
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, lab)
    outsider = create_user(db_session, Role.FIRM_MEMBER)
    matches.express_interest(db_session, match, "firm")
    db_session.flush()
    assert _of(db_session, officer) == ["match.firm_interested"]
    assert _of(db_session, firm_user) == []  # the firm acted; it is not told of its own step
    matches.post_message(db_session, match, officer.id, lab.id, "我们可以先做样件测试。")
    matches.express_interest(db_session, match, "university")
    db_session.flush()
    assert _of(db_session, firm_user) == ["match.message", "match.accepted"]
    assert _of(db_session, officer) == ["match.firm_interested", "match.accepted"]
    assert _of(db_session, outsider) == []


def test_a_rolled_back_step_leaves_no_notification(db_session):
    firm, lab, match = _pair(db_session)
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, lab)
    savepoint = db_session.begin_nested()
    matches.express_interest(db_session, match, "firm")
    db_session.flush()
    assert _of(db_session, officer) == ["match.firm_interested"]
    savepoint.rollback()
    assert db_session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == officer.id)) == 0


def test_the_count_shows_on_every_page_and_opening_marks_read(client, db_session):
    firm, lab, match = _pair(db_session)
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, lab)
    matches.express_interest(db_session, match, "firm")
    db_session.flush()
    sign_in(client, officer)
    for path in ("/needs", "/inbox", "/account"):
        assert 'class="count"' in client.get(path).text, path
    page = client.get("/notifications")
    assert page.status_code == 200 and "unread" in page.text
    row = db_session.scalars(select(Notification).where(Notification.user_id == officer.id)).one()
    opened = post_form(client, f"/notifications/{row.id}/open")
    assert opened.status_code == 303 and opened.headers["location"] == f"/matches/{match.id}"
    db_session.refresh(row)
    assert row.read_at is not None
    assert 'class="count"' not in client.get("/needs").text


def test_another_users_notification_cannot_be_opened(client, db_session):
    firm, lab, match = _pair(db_session)
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, lab)
    matches.express_interest(db_session, match, "firm")
    db_session.flush()
    row = db_session.scalars(select(Notification).where(Notification.user_id == officer.id)).one()
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))
    assert post_form(client, f"/notifications/{row.id}/open").status_code == 404
    assert client.get("/notifications", follow_redirects=False).status_code == 200
    client.cookies.clear()
    assert client.get("/notifications", follow_redirects=False).status_code == 303
