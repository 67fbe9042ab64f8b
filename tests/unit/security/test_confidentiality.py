"""The confidentiality tiers hold in pages, the JSON API, match explanations and boards.

Each test reproduces a leak found by trying the platform signed out or as another firm."""

import pytest

from backend.accounts.models import Role
from backend.matches import matching
from backend.matches import service as match_service
from backend.matches.models import Match
from backend.needs.models import NDA_VERSION, NdaAcceptance, Visibility
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_need, create_org
from tests.common.portal import create_user, sign_in

HIDDEN_TITLE = "谐波减速器柔性轴承早期失效"
HIDDEN_TEXT = "机器人谐波减速器的柔性轴承在两千小时内疲劳失效，波发生器成形磨削后薄壁变形。"
# Words only the need's hidden text holds (the capability's own public text shares others).
HIDDEN_TERMS = ("两千小时", "早期失效", "疲劳失效")
SUMMARY = "一家机器人减速器企业寻求可靠性方面的技术合作"


@pytest.fixture
def pair(db_session):
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="示例大学")
    cap = create_capability(db_session, lab, title="谐波减速器柔性轴承疲劳寿命",
                            description="柔性轴承疲劳寿命试验，波发生器成形磨削与薄壁变形控制。")
    firm = create_org(db_session, name="保密企业")

    def make(visibility: Visibility):
        need = create_need(db_session, firm, title=HIDDEN_TITLE, description=HIDDEN_TEXT, visibility=visibility,
                           summary=SUMMARY)
        matching.embed_postings(db_session, [cap, need])
        matching.match_need(db_session, need.id)
        match = db_session.query(Match).filter_by(need_id=need.id, capability_id=cap.id).one()
        assert match.explanation["shared_terms"], "the pair must share terms for the test to mean anything"
        return need, cap, match, firm, lab

    return make


def _leaks(text: str) -> list[str]:
    """Hidden words on a page, and highlighted shared terms (which tell what the hidden text contains)."""
    found = [w for w in (HIDDEN_TITLE, HIDDEN_TEXT[:12], *HIDDEN_TERMS) if w in text]
    return found + (["<mark>"] if "<mark>" in text else []) + (['"shared_terms":["'] if '"shared_terms":["' in text
                                                                 else [])


def test_a_registered_only_need_does_not_exist_for_a_visitor(client, db_session, pair):
    need, cap, _match, _firm, _lab = pair(Visibility.REGISTERED)
    assert client.get(f"/needs/{need.id}").status_code == 404
    assert client.get(f"/api/v1/needs/{need.id}").status_code == 404
    assert client.get(f"/api/v1/needs/{need.id}/matches").status_code == 404
    for path in ("/needs", "/", f"/capabilities/{cap.id}", f"/api/v1/capabilities/{cap.id}/matches",
                 "/api/v1/needs"):
        assert _leaks(client.get(path).text) == [], path
    sign_in(client, create_user(db_session, Role.TECH_TRANSFER_OFFICER))
    assert HIDDEN_TITLE in client.get(f"/needs/{need.id}").text
    assert HIDDEN_TITLE in client.get(f"/capabilities/{cap.id}").text


@pytest.mark.parametrize("role", [Role.TECH_TRANSFER_OFFICER, Role.FIRM_MEMBER, Role.GOVERNMENT_ANALYST])
def test_a_confidential_need_shows_only_its_summary_and_no_term_of_its_text(client, db_session, pair, role):
    need, cap, _match, _firm, _lab = pair(Visibility.CONFIDENTIAL)
    for path in (f"/needs/{need.id}", f"/capabilities/{cap.id}", f"/api/v1/capabilities/{cap.id}/matches"):
        assert client.get(path).status_code in (200, 404)
        assert _leaks(client.get(path).text) == [], ("signed out", path)
    sign_in(client, create_user(db_session, role))
    for path in (f"/needs/{need.id}", f"/api/v1/needs/{need.id}", f"/api/v1/needs/{need.id}/matches",
                 f"/capabilities/{cap.id}", f"/api/v1/capabilities/{cap.id}/matches", "/needs", "/api/v1/needs",
                 "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _leaks(response.text) == [], (role, path)
    assert SUMMARY in client.get(f"/needs/{need.id}").text
    listed = client.get(f"/api/v1/capabilities/{cap.id}/matches").json()["matches"][0]
    assert listed["need"]["summary"] == SUMMARY and listed["explanation"]["shared_terms"] == []
    assert "summary" not in listed["explanation"] and listed["status"] is None


def test_the_owning_firm_reads_everything(client, db_session, pair):
    need, cap, _match, firm, _lab = pair(Visibility.CONFIDENTIAL)
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER, firm))
    page = client.get(f"/needs/{need.id}").text
    assert HIDDEN_TITLE in page and HIDDEN_TEXT in page
    listed = client.get(f"/api/v1/capabilities/{cap.id}/matches").json()["matches"][0]
    assert listed["need"]["title"] == HIDDEN_TITLE and listed["explanation"]["shared_terms"]
    assert listed["status"] == "proposed"


def test_the_officer_of_an_accepted_match_reads_the_full_text_only_after_the_nda(client, db_session, pair):
    need, cap, match, _firm, lab = pair(Visibility.CONFIDENTIAL)
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, lab)
    sign_in(client, officer)
    match_service.express_interest(db_session, match, "firm")
    assert _leaks(client.get(f"/needs/{need.id}").text) == []  # interest is not acceptance
    match_service.express_interest(db_session, match, "university")
    assert _leaks(client.get(f"/needs/{need.id}").text) == []  # accepted, but no NDA yet
    db_session.add(NdaAcceptance(need_id=need.id, match_id=match.id, user_id=officer.id,
                                 statement_version=NDA_VERSION))
    db_session.flush()
    assert HIDDEN_TEXT in client.get(f"/needs/{need.id}").text
    assert client.get(f"/api/v1/needs/{need.id}").json()["description"] == HIDDEN_TEXT
    # An NDA of an older statement version does not count.
    db_session.query(NdaAcceptance).update({"statement_version": "old"})
    db_session.flush()
    assert _leaks(client.get(f"/needs/{need.id}").text) == []


def test_a_match_status_is_private_to_its_two_organisations(client, db_session, pair):
    need, cap, match, _firm, lab = pair(Visibility.PUBLIC)
    match_service.express_interest(db_session, match, "firm")
    sign_in(client, create_user(db_session, Role.GOVERNMENT_ANALYST))
    row = client.get(f"/api/v1/needs/{need.id}/matches").json()["matches"][0]
    assert row["status"] is None
    assert "firm interested" not in client.get(f"/needs/{need.id}").text
    sign_in(client, create_user(db_session, Role.TECH_TRANSFER_OFFICER, lab))
    assert client.get(f"/api/v1/needs/{need.id}/matches").json()["matches"][0]["status"] == "firm_interested"


def test_a_draft_need_is_seen_by_its_firm_only(client, db_session):
    firm = create_org(db_session, is_verified=False)
    need = create_need(db_session, firm, title="草稿需求标题")
    need.status = "draft"
    db_session.flush()
    assert client.get(f"/needs/{need.id}").status_code == 404
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))
    assert client.get(f"/needs/{need.id}").status_code == 404
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER, firm))
    assert "草稿需求标题" in client.get(f"/needs/{need.id}").text


def test_a_script_in_a_title_renders_inert(client, db_session):
    need = create_need(db_session, title="<script>alert('x')</script>轴承", description="<img src=x onerror=alert(1)>")
    html = client.get(f"/needs/{need.id}").text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;轴承" in html
