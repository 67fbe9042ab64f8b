"""The alerts page: analysts and admins only, filters and pages, assign and resolve through CSRF-protected forms
(Post/Redirect/Get), and a confidential need shown by its summary."""

import pytest
from sqlalchemy import select

from backend.accounts.models import Role
from backend.alerts import service
from backend.alerts.models import AlertKind, AlertStatus
from backend.ledger.models import CollaborationEvent
from backend.needs.models import Visibility
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_org
from tests.common.portal import create_user, post_form, sign_in
from tests.unit.alerts.conftest import NOW, alerts_of, post_need

HIDDEN_TITLE = "机密主轴热变形补偿方案"
HIDDEN_TEXT = "采用第三代热误差模型，客户为某航空企业"
SUMMARY = "一项关于主轴精度的需求"


@pytest.fixture
def alerted(db_session):
    """Two stale needs (one confidential) with their open alerts, and an analyst."""
    create_capability(db_session, create_org(db_session, kind=OrgKind.UNIVERSITY, region="330602", name="页大学"))
    public = post_need(db_session, days=20, title="公开的滚子磨削需求")
    secret = post_need(db_session, days=25, title=HIDDEN_TITLE, description=HIDDEN_TEXT, summary=SUMMARY,
                       visibility=Visibility.CONFIDENTIAL)
    service.run_daily(db_session, now=NOW)
    analyst = create_user(db_session, Role.GOVERNMENT_ANALYST, locale="en")
    by_need = {a.need_id: a for a in alerts_of(db_session, AlertKind.STALE_NEED)}
    return analyst, by_need[public.id], by_need[secret.id]


def test_an_analyst_sees_the_open_alerts_and_a_confidential_need_only_by_its_summary(client, db_session, alerted):
    analyst, public, secret = alerted
    sign_in(client, analyst)
    page = client.get("/dashboard/alerts?lang=en")
    assert page.status_code == 200
    assert "公开的滚子磨削需求" in page.text and SUMMARY in page.text
    assert HIDDEN_TITLE not in page.text and HIDDEN_TEXT[:8] not in page.text
    detail = client.get(f"/dashboard/alerts/{secret.id}")
    assert SUMMARY in detail.text and HIDDEN_TITLE not in detail.text and HIDDEN_TEXT[:8] not in detail.text


def test_the_list_filters_by_status_and_kind_and_pages(client, db_session, alerted):
    analyst, public, secret = alerted
    service.resolve(db_session, public.id, "已处理", by_user_id=analyst.id)
    sign_in(client, analyst)
    link = {a.id: f'href="/dashboard/alerts/{a.id}"' for a in (public, secret)}
    open_page = client.get("/dashboard/alerts?lang=en").text
    assert link[secret.id] in open_page and link[public.id] not in open_page
    resolved = client.get("/dashboard/alerts?status=resolved").text
    assert link[public.id] in resolved and link[secret.id] not in resolved
    assert link[secret.id] in client.get("/dashboard/alerts?kind=stale_need").text
    assert link[secret.id] not in client.get("/dashboard/alerts?kind=score_drop").text
    assert client.get("/dashboard/alerts?status=everything").status_code == 422
    assert client.get("/dashboard/alerts?status=all&page=2").status_code == 200


@pytest.mark.parametrize("role", [Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER])
def test_firm_members_and_officers_are_refused(client, db_session, alerted, role):
    _analyst, public, _secret = alerted
    sign_in(client, create_user(db_session, role))
    assert client.get("/dashboard/alerts").status_code == 403
    assert client.get(f"/dashboard/alerts/{public.id}").status_code == 403
    assert post_form(client, f"/dashboard/alerts/{public.id}/resolve", {"note": "x"}).status_code == 403
    assert db_session.get(type(public), public.id).status == AlertStatus.OPEN


def test_signed_out_the_page_redirects_to_sign_in(client, alerted):
    response = client.get("/dashboard/alerts", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_assign_and_resolve_through_the_forms(client, db_session, alerted):
    analyst, public, _secret = alerted
    colleague = create_user(db_session, Role.GOVERNMENT_ANALYST)
    sign_in(client, analyst)
    form = client.get(f"/dashboard/alerts/{public.id}?lang=en")
    assert f'<option value="{colleague.id}"' in form.text and 'name="csrf_token"' in form.text
    # Without the CSRF token the form is refused and nothing changes.
    forged = client.post(f"/dashboard/alerts/{public.id}/assign", data={"assignee_id": colleague.id},
                         follow_redirects=False)
    assert forged.status_code == 403 and db_session.get(type(public), public.id).assignee_id is None
    assigned = post_form(client, f"/dashboard/alerts/{public.id}/assign", {"assignee_id": str(colleague.id)})
    assert assigned.status_code == 303 and assigned.headers["location"] == f"/dashboard/alerts/{public.id}"
    assert "The alert is assigned." in client.get(assigned.headers["location"]).text
    assert db_session.get(type(public), public.id).assignee_id == colleague.id
    firm_user = create_user(db_session, Role.FIRM_MEMBER)
    refused = post_form(client, f"/dashboard/alerts/{public.id}/assign", {"assignee_id": str(firm_user.id)})
    assert refused.status_code == 422 and "Choose one of the analysts offered." in refused.text
    empty = post_form(client, f"/dashboard/alerts/{public.id}/resolve", {"note": "  "})
    assert empty.status_code == 422 and db_session.get(type(public), public.id).status == AlertStatus.OPEN
    done = post_form(client, f"/dashboard/alerts/{public.id}/resolve", {"note": "已电话联系企业并推荐两家高校。"})
    assert done.status_code == 303
    shown = client.get(done.headers["location"])
    assert "The alert is resolved." in shown.text and "已电话联系企业并推荐两家高校。" in shown.text
    alert = db_session.get(type(public), public.id)
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by_id == analyst.id
    assert post_form(client, f"/dashboard/alerts/{public.id}/resolve", {"note": "again"}).status_code == 409
    kinds = list(db_session.scalars(select(CollaborationEvent.kind).where(
        CollaborationEvent.kind.like("alert.%"), CollaborationEvent.data["alert_id"].as_integer() == public.id)
        .order_by(CollaborationEvent.id)))
    assert kinds == ["alert.raised", "alert.assigned", "alert.resolved"]


def test_the_dashboard_shows_the_open_count_with_a_link(client, db_session, alerted):
    analyst, _public, _secret = alerted
    sign_in(client, analyst)
    page = client.get("/dashboard?lang=en")
    assert page.status_code == 200
    assert 'href="/dashboard/alerts"' in page.text and "Open alerts: 2" in page.text


def test_the_json_list_has_codes_and_ids_never_a_need_text(client, db_session, alerted):
    analyst, public, secret = alerted
    assert client.get("/api/v1/alerts").status_code == 401
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))
    assert client.get("/api/v1/alerts").status_code == 403
    sign_in(client, analyst)
    response = client.get("/api/v1/alerts?kind=stale_need")
    body = response.json()
    assert response.status_code == 200 and body["total"] == 2
    assert {a["need_id"] for a in body["alerts"]} == {public.need_id, secret.need_id}
    assert all(a["kind"] == "stale_need" and a["status"] == "open" for a in body["alerts"])
    assert HIDDEN_TITLE not in response.text and SUMMARY not in response.text
    assert client.get("/api/v1/alerts?kind=score_drop").json() == {"total": 0, "alerts": []}
    assert client.get("/api/v1/alerts?limit=1000").status_code == 422


def test_the_alert_words_mean_the_same_in_every_catalogue():
    """The catalogues are merged into one: an English text of the alerts translated otherwise elsewhere would
    show the other file's Chinese on the alerts page."""
    from babel.messages.pofile import read_po

    from backend import i18n

    words: dict[str, dict[str, str]] = {}
    for path in i18n.catalogue_files("zh_CN"):
        with path.open("rb") as fh:
            for message in read_po(fh, locale="zh_CN"):
                if message.id and message.string:
                    words.setdefault(message.id, {})[path.name] = message.string
    clashes = {mid: found for mid, found in words.items() if "alerts.po" in found and len(set(found.values())) > 1}
    assert clashes == {}
