"""The match page both sides share: interest, proposal, decline, thread, NDA, a project started from it."""

import re

import pytest
from sqlalchemy import select

from backend.accounts.models import Role
from backend.accounts.service import create_token
from backend.ledger.models import CollaborationEvent
from backend.matches import matching
from backend.matches.models import DeclineReason, Match, MatchMessage, MatchStatus
from backend.needs.models import NDA_VERSION, NdaAcceptance, Visibility
from backend.organisations.models import Organisation
from backend.projects.models import JointProject, Milestone, ProjectStatus
from tests.common.factories import create_capability, create_need
from tests.common.portal import create_user, post_form, sign_in

NEED_TITLE = "谐波减速器柔性轴承早期失效"
NEED_TEXT = "机器人谐波减速器的柔性轴承在两千小时内疲劳失效，需要寿命预测方法。"
SUMMARY = "一项机器人减速器可靠性需求"


def kinds(session, match_id: int) -> list[str]:
    return list(session.scalars(select(CollaborationEvent.kind).where(CollaborationEvent.match_id == match_id)
                                .order_by(CollaborationEvent.id)))


@pytest.fixture
def pair(db_session):
    """A firm member and a tech-transfer officer of two organisations, their need and capability matched."""

    def make(**need_fields):
        firm_user = create_user(db_session, Role.FIRM_MEMBER, name="绍兴精密轴承有限公司")
        officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, name="浙江示范大学")
        firm = db_session.get(Organisation, firm_user.organisation_id)
        lab = db_session.get(Organisation, officer.organisation_id)
        cap = create_capability(db_session, lab, title="谐波减速器柔性轴承疲劳寿命",
                                description="柔性轴承疲劳寿命试验与谐波减速器寿命预测。")
        need = create_need(db_session, firm, title=NEED_TITLE, description=NEED_TEXT, **need_fields)
        matching.embed_postings(db_session, [cap, need])
        matching.match_need(db_session, need.id)
        match = db_session.scalar(select(Match).where(Match.need_id == need.id, Match.capability_id == cap.id))
        assert match is not None, "the real matcher should pair these two"
        return firm_user, officer, need, cap, match

    return make


def test_the_whole_journey_from_interest_to_a_project_milestone(client, db_session, pair):
    firm_user, officer, need, cap, match = pair()
    url = f"/matches/{match.id}"

    sign_in(client, firm_user)
    page = client.get(url)
    assert page.status_code == 200
    assert NEED_TITLE in page.text and "谐波减速器柔性轴承疲劳寿命" in page.text
    assert "<mark>" in page.text  # shared terms, readable by the firm
    assert f'action="{url}/interest"' in page.text and f'action="{url}/nda"' not in page.text
    response = post_form(client, f"{url}/interest")
    assert response.status_code == 303 and response.headers["location"] == url
    assert match.status == MatchStatus.FIRM_INTERESTED
    assert kinds(db_session, match.id)[-1] == "match.firm_interested"
    again = post_form(client, f"{url}/interest")
    assert again.status_code == 409 and "already expressed interest" in again.text

    sign_in(client, officer)
    too_long = post_form(client, f"{url}/interest", {"proposal": "长" * 2001})
    assert too_long.status_code == 422 and 'id="f-proposal-error"' in too_long.text
    assert match.status == MatchStatus.FIRM_INTERESTED and match.proposal is None
    response = post_form(client, f"{url}/interest", {"proposal": "我们可做两千小时加速寿命试验。"})
    assert response.status_code == 303
    assert match.status == MatchStatus.ACCEPTED and match.proposal == "我们可做两千小时加速寿命试验。"
    assert kinds(db_session, match.id)[-2:] == ["match.firm_interested", "match.accepted"]
    page = client.get(url).text
    assert "我们可做两千小时加速寿命试验。" in page and f'action="{url}/project"' in page

    assert post_form(client, f"{url}/messages", {"body": "  下周可以来厂里看样件吗？\x07 "}).status_code == 303
    sign_in(client, firm_user)
    assert post_form(client, f"{url}/messages", {"body": "可以，周三上午。"}).status_code == 303
    assert post_form(client, f"{url}/messages", {"body": "   "}).status_code == 422
    page = client.get(url).text
    assert page.index("下周可以来厂里看样件吗？") < page.index("可以，周三上午。")
    assert "\x07" not in page and "浙江示范大学" in page
    bodies = db_session.scalars(select(MatchMessage.body).where(MatchMessage.match_id == match.id)).all()
    assert bodies == ["下周可以来厂里看样件吗？", "可以，周三上午。"]
    assert kinds(db_session, match.id).count("match.message") == 2

    response = post_form(client, f"{url}/project", {"title": "柔性轴承寿命联合攻关", "contract_value_cny": "1500000",
                                                     "major_level": "municipal"})
    assert response.status_code == 303
    project = db_session.scalar(select(JointProject).where(JointProject.match_id == match.id))
    assert response.headers["location"] == f"/projects/{project.id}"
    assert post_form(client, f"{url}/project", {"title": "再来一个"}).status_code == 409
    page = client.get(f"/projects/{project.id}")
    assert page.status_code == 200 and "柔性轴承寿命联合攻关" in page.text and f'href="{url}"' in page.text
    assert "绍兴精密轴承有限公司" in page.text and "浙江示范大学" in page.text

    response = post_form(client, f"/projects/{project.id}/milestones",
                         {"title": "样机台架试验", "due_on": "2027-03-01"})
    assert response.status_code == 303
    milestone = db_session.scalar(select(Milestone).where(Milestone.project_id == project.id))
    assert milestone.title == "样机台架试验"
    sign_in(client, officer)  # the other side ticks it off
    assert "样机台架试验" in client.get(f"/projects/{project.id}").text
    assert post_form(client, f"/projects/{project.id}/milestones/{milestone.id}/done").status_code == 303
    assert milestone.done_on is not None
    assert post_form(client, f"/projects/{project.id}/milestones/{milestone.id}/done").status_code == 409
    assert post_form(client, f"/projects/{project.id}/status", {"to": "active"}).status_code == 303
    assert project.status == ProjectStatus.ACTIVE
    illegal = post_form(client, f"/projects/{project.id}/status", {"to": "commercialised"})
    assert illegal.status_code == 409 and "cannot go from active to commercialised" in illegal.text
    assert post_form(client, f"/projects/{project.id}/status", {"to": "nonsense"}).status_code == 422
    assert project.status == ProjectStatus.ACTIVE
    project_kinds = list(db_session.scalars(select(CollaborationEvent.kind)
                                            .where(CollaborationEvent.project_id == project.id)
                                            .order_by(CollaborationEvent.id)))
    assert project_kinds == ["project.created", "project.milestone_added", "project.milestone_done",
                             "project.active"]
    listing = client.get("/projects").text
    assert f'href="/projects/{project.id}"' in listing


def test_a_script_payload_in_a_message_renders_inert(client, db_session, pair):
    firm_user, _officer, _need, _cap, match = pair()
    sign_in(client, firm_user)
    body = "<script>alert(1)</script>\n<img src=x onerror=alert(2)>"
    assert post_form(client, f"/matches/{match.id}/messages", {"body": body}).status_code == 303
    page = client.get(f"/matches/{match.id}").text
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>&lt;img src=x onerror=alert(2)&gt;" in page


def test_other_organisations_and_analysts_cannot_open_or_act_on_a_match(client, db_session, pair):
    _firm_user, _officer, _need, _cap, match = pair()
    url = f"/matches/{match.id}"
    posts = {"interest": {}, "decline": {"reason": "budget"}, "messages": {"body": "你好"}, "nda": {"confirm": "yes"},
             "project": {"title": "偷来的项目"}}
    for role in (Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER):
        sign_in(client, create_user(db_session, role))
        assert client.get(url).status_code == 404
        assert client.get(f"/api/v1/matches/{match.id}").status_code == 404
        for action, fields in posts.items():
            assert post_form(client, f"{url}/{action}", fields).status_code == 404, action
    sign_in(client, create_user(db_session, Role.GOVERNMENT_ANALYST))
    page = client.get(url)
    assert page.status_code == 404 and NEED_TITLE not in page.text
    for action, fields in posts.items():
        # an analyst's role may not act on any match: refused by the role guard, the same for every id
        assert post_form(client, f"{url}/{action}", fields).status_code == 403, action
        assert post_form(client, f"/matches/2147483647/{action}", fields).status_code == 403, action
    assert match.status == MatchStatus.PROPOSED
    assert db_session.scalars(select(MatchMessage).where(MatchMessage.match_id == match.id)).all() == []


def test_an_admin_sees_the_match_without_acting_as_a_side(client, db_session, pair):
    _firm_user, _officer, _need, _cap, match = pair()
    sign_in(client, create_user(db_session, Role.ADMIN))
    page = client.get(f"/matches/{match.id}")
    assert page.status_code == 200 and NEED_TITLE in page.text
    assert post_form(client, f"/matches/{match.id}/interest").status_code == 403
    assert post_form(client, f"/matches/{match.id}/decline", {"reason": "other"}).status_code == 303
    assert match.status == MatchStatus.DECLINED and match.declined_by == "admin"


def test_a_post_without_its_csrf_token_is_refused(client, db_session, pair):
    firm_user, _officer, _need, _cap, match = pair()
    sign_in(client, firm_user)
    response = client.post(f"/matches/{match.id}/messages", data={"body": "没有令牌"}, follow_redirects=False)
    assert response.status_code == 403
    response = client.post(f"/matches/{match.id}/interest", data={}, follow_redirects=False)
    assert response.status_code == 403
    assert match.status == MatchStatus.PROPOSED
    assert db_session.scalars(select(MatchMessage).where(MatchMessage.match_id == match.id)).all() == []


def test_declining_from_the_page_stores_the_side_reason_and_note(client, db_session, pair):
    _firm_user, officer, need, _cap, match = pair()
    sign_in(client, officer)
    url = f"/matches/{match.id}"
    missing = post_form(client, f"{url}/decline", {"reason": ""})
    assert missing.status_code == 422 and 'id="f-reason-error"' in missing.text
    declined = post_form(client, f"{url}/decline", {"reason": "out_of_scope", "note": "不在\x00研究方向内"})
    assert declined.status_code == 303
    assert match.status == MatchStatus.DECLINED and match.declined_by == "university"
    assert match.decline_reason == DeclineReason.OUT_OF_SCOPE and match.decline_note == "不在研究方向内"
    assert kinds(db_session, match.id)[-1] == "match.declined"
    page = client.get(url).text
    assert "不在研究方向内" in page and f'action="{url}/messages"' not in page
    assert post_form(client, f"{url}/messages", {"body": "还在吗"}).status_code == 409
    assert post_form(client, f"{url}/interest").status_code == 409


def test_a_confidential_need_is_read_in_full_only_after_acceptance_and_the_nda(client, db_session, pair):
    firm_user, officer, need, _cap, match = pair(visibility=Visibility.CONFIDENTIAL, summary=SUMMARY)
    url = f"/matches/{match.id}"
    sign_in(client, officer)
    page = client.get(url).text
    assert SUMMARY in page
    assert NEED_TITLE not in page and "两千小时" not in page and "<mark>" not in page
    assert "绍兴精密轴承有限公司" not in page  # the firm is not named either
    api = client.get(f"/api/v1/matches/{match.id}").json()
    assert api["need"]["title"] is None and api["need"]["summary"] == SUMMARY
    assert api["explanation"]["shared_terms"] == [] and "两千小时" not in str(api)

    early = post_form(client, f"{url}/nda", {"confirm": "yes"})
    assert early.status_code == 409 and "accepted" in early.text
    assert post_form(client, f"{url}/interest", {"proposal": "可以签保密协议后详谈。"}).status_code == 303
    sign_in(client, firm_user)
    assert post_form(client, f"{url}/interest").status_code == 303
    assert match.status == MatchStatus.ACCEPTED
    assert post_form(client, f"{url}/nda", {"confirm": "yes"}).status_code == 403  # the firm side

    sign_in(client, officer)
    page = client.get(url).text
    assert "两千小时" not in page and NEED_TITLE not in page
    assert NDA_VERSION in page and f'action="{url}/nda"' in page
    unticked = post_form(client, f"{url}/nda", {})
    assert unticked.status_code == 422 and 'id="f-confirm-error"' in unticked.text
    assert post_form(client, f"{url}/nda", {"confirm": "yes"}).status_code == 303
    rows = db_session.scalars(select(NdaAcceptance).where(NdaAcceptance.need_id == need.id)).all()
    assert [(r.user_id, r.match_id, r.statement_version) for r in rows] == [(officer.id, match.id, NDA_VERSION)]
    assert kinds(db_session, match.id)[-1] == "need.nda_confirmed"
    page = client.get(url).text
    assert NEED_TITLE in page and "两千小时" in page and "<mark>" in page
    assert client.get(f"/needs/{need.id}").text.count("两千小时") >= 1
    assert f'action="{url}/nda"' not in page  # done once: no longer offered
    assert post_form(client, f"{url}/nda", {"confirm": "yes"}).status_code == 303  # a second click changes nothing
    assert len(db_session.scalars(select(NdaAcceptance).where(NdaAcceptance.need_id == need.id)).all()) == 1
    assert kinds(db_session, match.id).count("need.nda_confirmed") == 1


def test_the_api_shows_the_match_as_the_page_and_acts_through_the_same_services(client, db_session, pair):
    firm_user, officer, _need, _cap, match = pair()
    _row, firm_token = create_token(db_session, firm_user, "erp")
    _row, lab_token = create_token(db_session, officer, "tto")
    firm = {"Authorization": f"Bearer {firm_token}"}
    lab = {"Authorization": f"Bearer {lab_token}"}
    body = client.get(f"/api/v1/matches/{match.id}", headers=firm).json()
    assert body["side"] == "firm" and body["need"]["title"] == NEED_TITLE
    assert "interest" in body["actions"] and body["status"] == "proposed"
    refused = client.post(f"/api/v1/matches/{match.id}/interest", json={"proposal": "公司不写方案"}, headers=firm)
    assert refused.status_code == 422 and refused.json()["field"] == "proposal"
    assert client.post(f"/api/v1/matches/{match.id}/interest", json={}, headers=firm).json()["status"] == (
        "firm_interested")
    done = client.post(f"/api/v1/matches/{match.id}/interest", json={"proposal": "方案见附件"}, headers=lab).json()
    assert done["status"] == "accepted" and done["proposal"] == "方案见附件" and "project" in done["actions"]
    sent = client.post(f"/api/v1/matches/{match.id}/messages", json={"body": "<b>你好</b>"}, headers=lab)
    assert sent.status_code == 201 and sent.json()["body"] == "<b>你好</b>"
    empty = client.post(f"/api/v1/matches/{match.id}/messages", json={"body": "\x00 "}, headers=lab)
    assert empty.status_code == 422 and empty.json()["field"] == "body"
    thread = client.get(f"/api/v1/matches/{match.id}", headers=firm).json()["messages"]
    assert [m["body"] for m in thread] == ["<b>你好</b>"] and thread[0]["side"] == "university"
    stranger = create_user(db_session, Role.FIRM_MEMBER)
    _row, stranger_token = create_token(db_session, stranger, "x")
    assert client.get(f"/api/v1/matches/{match.id}",
                      headers={"Authorization": f"Bearer {stranger_token}"}).status_code == 404


def test_the_match_list_offers_a_side_interest_and_decline_and_hides_them_from_others(client, db_session, pair):
    firm_user, officer, need, cap, match = pair()
    sign_in(client, firm_user)
    page = client.get(f"/needs/{need.id}").text
    assert f'action="/matches/{match.id}/interest"' in page and f'action="/matches/{match.id}/decline"' in page
    assert f'href="/matches/{match.id}"' in page and 'class="card match"' in page
    assert re.search(r'<option value="budget">[^<]+</option>', page)
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))
    page = client.get(f"/needs/{need.id}").text
    assert f"/matches/{match.id}" not in page
    sign_in(client, officer)
    page = client.get(f"/capabilities/{cap.id}").text
    assert f'action="/matches/{match.id}/interest"' in page
    sign_in(client, create_user(db_session, Role.ADMIN))
    page = client.get(f"/needs/{need.id}").text
    assert f'href="/matches/{match.id}"' in page and f'action="/matches/{match.id}/interest"' not in page


def test_the_match_page_speaks_english_too(client, db_session, pair):
    firm_user, _officer, _need, _cap, match = pair()
    sign_in(client, firm_user)
    page = client.get(f"/matches/{match.id}?lang=en").text
    assert "Why they match" in page and "Express interest" in page
    page = client.get(f"/matches/{match.id}?lang=zh").text
    assert "匹配理由" in page and "表达意向" in page
