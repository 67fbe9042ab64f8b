"""Holes found by reviewing the portal as an attacker would, each closed and kept closed."""

from sqlalchemy import select

from backend.accounts.models import Role, User
from backend.matches import matching
from backend.matches import service as match_service
from backend.matches.models import DeclineReason, Match, MatchStatus
from backend.needs.models import Need, NeedStatus, Visibility
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_need, create_org
from tests.common.portal import PASSWORD, create_user, post_form, sign_in

TOKEN = {"Authorization": "Bearer test-admin-token"}


def _matched(db_session, **need_fields):  # noqa: ANN001, ANN202
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="复核大学")
    cap = create_capability(db_session, lab, title="电机铁损测量", description="硅钢片铁损测量与冲压工艺优化。",
                            contact="李老师 13800000000")
    firm = create_org(db_session, name="复核企业")
    need = create_need(db_session, firm, title="电机铁损偏高", description="硅钢片冲压后铁损上升。", **need_fields)
    matching.embed_postings(db_session, [cap, need])
    matching.match_need(db_session, need.id)
    match = db_session.scalars(select(Match).where(Match.need_id == need.id, Match.capability_id == cap.id)).one()
    return need, cap, match, firm, lab


def test_the_account_limit_holds_for_every_spelling_of_the_email(client, db_session):
    user = create_user(db_session, Role.FIRM_MEMBER)
    for variant in (user.email, " " + user.email, user.email.upper(), user.email + " ", user.email.title()):
        post_form(client, "/login", {"email": variant, "password": "wrong-password-x"})
    assert post_form(client, "/login", {"email": "  " + user.email.upper(), "password": PASSWORD}).status_code == 429


def test_a_posted_role_or_locale_is_not_trusted_at_registration(client, db_session):
    response = post_form(client, "/register", {
        "full_name": "冒充者", "email": "fake-admin@example.cn", "password": "gear-grinding-2026!",
        "password_again": "gear-grinding-2026!", "org_kind": "firm", "org_name": "冒充企业", "region": "330602",
        "role": "admin", "organisation_id": "1", "is_verified": "true", "locale": "xx-not-a-locale"})
    assert response.status_code == 303
    user = db_session.scalar(select(User).where(User.email == "fake-admin@example.cn"))
    assert user.role == Role.FIRM_MEMBER and user.locale == "zh_CN"
    assert client.get("/admin").status_code == 403


def test_registering_alone_does_not_open_registered_only_needs(client, db_session):
    need = create_need(db_session, title="仅注册企业可见的需求", visibility=Visibility.REGISTERED)
    stranger_org = create_org(db_session, is_verified=False)
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER, stranger_org))
    assert client.get(f"/needs/{need.id}").status_code == 404
    assert "仅注册企业可见的需求" not in client.get("/needs").text
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))  # a verified firm
    assert client.get(f"/needs/{need.id}").status_code == 200


def test_another_organisation_cannot_act_on_a_match_through_the_api(client, db_session):
    _need, _cap, match, _firm, _lab = _matched(db_session)
    outsider = create_user(db_session, Role.TECH_TRANSFER_OFFICER)
    from backend.accounts import service as accounts

    _token, raw = accounts.create_token(db_session, outsider, "外部系统")
    headers = {"Authorization": f"Bearer {raw}"}
    for path, body in ((f"/api/v1/matches/{match.id}/messages", {"body": "你好"}),
                       (f"/api/v1/matches/{match.id}/interest", {"proposal": "x"}),
                       (f"/api/v1/matches/{match.id}/decline", {"reason": "budget"})):
        assert client.post(path, json=body, headers=headers).status_code == 404, path
    assert client.get(f"/api/v1/matches/{match.id}", headers=headers).status_code == 404
    db_session.refresh(match)
    assert match.status == MatchStatus.PROPOSED


def test_a_decline_does_not_change_what_outsiders_see_of_a_match_list(client, db_session):
    need, cap, match, firm, _lab = _matched(db_session)
    before = client.get(f"/api/v1/needs/{need.id}/matches").json()["matches"]
    match_service.decline(db_session, match, "firm", DeclineReason.BUDGET, None)
    after = client.get(f"/api/v1/needs/{need.id}/matches").json()["matches"]
    assert [m["id"] for m in before] == [m["id"] for m in after] and all(m["status"] is None for m in after)
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER, firm))
    mine = client.get(f"/api/v1/needs/{need.id}/matches").json()["matches"]
    assert match.id not in [m["id"] for m in mine]  # the side that declined no longer sees it


def test_a_contact_person_is_for_verified_members_only(client, db_session):
    _need, cap, _match, _firm, _lab = _matched(db_session)
    assert "13800000000" not in client.get(f"/capabilities/{cap.id}").text
    assert client.get(f"/api/v1/capabilities/{cap.id}").json()["contact"] is None
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))
    assert "13800000000" in client.get(f"/capabilities/{cap.id}").text
    assert client.get(f"/api/v1/capabilities/{cap.id}").json()["contact"] == "李老师 13800000000"


def test_the_language_links_never_leave_the_site():
    from starlette.requests import Request

    from backend.web import _with_lang

    request = Request({"type": "http", "method": "GET", "path": "//evil.example/x", "query_string": b"a=1&lang=zh",
                       "headers": [], "server": ("testserver", 80), "scheme": "http", "root_path": ""})
    assert _with_lang(request, "en") == "/evil.example/x?a=1&lang=en"


def test_interest_in_a_closed_need_is_refused(client, db_session):
    need, _cap, match, firm, _lab = _matched(db_session)
    need.status = NeedStatus.CLOSED
    db_session.flush()
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER, firm))
    refused = post_form(client, f"/matches/{match.id}/interest")
    assert refused.status_code in (303, 409, 422)
    db_session.refresh(match)
    assert match.status == MatchStatus.PROPOSED


def test_the_admin_token_posts_a_draft_for_an_unverified_firm(client, db_session, queued_jobs):
    pending = create_org(db_session, is_verified=False)
    created = client.post("/api/v1/needs", headers=TOKEN, json={
        "organisation_id": pending.id, "title": "待审核企业的需求", "description": "主轴热变形。"})
    assert created.status_code == 201
    assert db_session.get(Need, created.json()["id"]).status == NeedStatus.DRAFT
    assert queued_jobs == []


def test_a_confidential_summary_may_not_repeat_the_title(client, db_session):
    firm = create_org(db_session)
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER, firm))
    response = client.post("/api/v1/needs", headers={"X-CSRF-Token": _token(client)}, json={
        "title": "谐波减速器柔性轴承失效", "description": "两千小时内疲劳失效。", "visibility": "confidential",
        "summary": "谐波减速器柔性轴承失效"})
    assert response.status_code == 422 and response.json()["field"] == "summary"


def _token(client) -> str:  # noqa: ANN001
    from tests.common.portal import csrf_token

    return csrf_token(client)
