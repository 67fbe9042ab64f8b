"""Match lists as JSON in both directions, and declining through the API."""

from backend.accounts.models import Role
from backend.matches import matching
from backend.matches.models import Match
from backend.needs.models import Visibility
from backend.organisations.models import Organisation, OrgKind
from tests.common.factories import create_capability, create_need, create_org
from tests.common.portal import create_user, sign_in

TOKEN = {"Authorization": "Bearer test-admin-token"}


def _pair(db_session, **need_fields):
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="示例大学")
    cap = create_capability(db_session, lab, title="谐波减速器柔性轴承疲劳寿命",
                            description="柔性轴承疲劳寿命试验与谐波减速器寿命预测。")
    need = create_need(db_session, title="谐波减速器柔性轴承早期失效",
                       description="机器人谐波减速器的柔性轴承在两千小时内疲劳失效。", **need_fields)
    matching.embed_postings(db_session, [cap, need])
    matching.match_need(db_session, need.id)
    return need, cap


def test_matches_come_back_as_json_both_ways_with_explanations(client, db_session):
    need, cap = _pair(db_session)
    forward = client.get(f"/api/v1/needs/{need.id}/matches").json()
    assert forward["match_state"] == "done"
    first = forward["matches"][0]
    assert first["capability"]["id"] == cap.id and first["rank"] == 1
    assert "柔性轴承" in first["explanation"]["shared_terms"]
    reverse = client.get(f"/api/v1/capabilities/{cap.id}/matches").json()
    assert reverse["matches"][0]["need"]["id"] == need.id
    assert reverse["matches"][0]["need"]["title"] == need.title


def test_a_confidential_need_shows_only_its_summary_on_the_capability_side(client, db_session):
    need, cap = _pair(db_session, visibility=Visibility.CONFIDENTIAL, summary="一项减速器可靠性需求")
    signed_out = client.get(f"/api/v1/capabilities/{cap.id}/matches").json()
    assert signed_out["matches"] == []  # signed out, a confidential need does not exist
    sign_in(client, create_user(db_session, Role.GOVERNMENT_ANALYST))
    body = client.get(f"/api/v1/capabilities/{cap.id}/matches").json()
    shown = body["matches"][0]["need"]
    assert shown["title"] is None and shown["summary"] == "一项减速器可靠性需求" and shown["confidential"]
    assert need.description not in str(body) and need.title not in str(body)
    assert body["matches"][0]["status"] is None  # an analyst sees no negotiation
    page = client.get(f"/capabilities/{cap.id}").text
    assert "一项减速器可靠性需求" in page and "两千小时" not in page


def test_declining_stores_the_coded_reason_and_the_pair_disappears(client, db_session):
    need, cap = _pair(db_session)
    stranger = client.post("/api/v1/matches/1/decline", json={"reason": "budget"})
    assert stranger.status_code == 401
    match = db_session.query(Match).filter_by(need_id=need.id, capability_id=cap.id).one()
    refused = client.post(f"/api/v1/matches/{match.id}/decline", json={"reason": "whatever"}, headers=TOKEN)
    assert refused.status_code == 422
    done = client.post(f"/api/v1/matches/{match.id}/decline", json={"reason": "trl_too_early", "note": "太早"},
                       headers=TOKEN)
    assert done.status_code == 200 and done.json()["decline_reason"] == "trl_too_early"
    again = client.post(f"/api/v1/matches/{match.id}/decline", json={"reason": "budget"}, headers=TOKEN)
    assert again.status_code == 409 and "cannot go from declined" in again.json()["error"]
    # Outsiders still see the pair (without its status); the firm no longer does.
    assert [m["status"] for m in client.get(f"/api/v1/needs/{need.id}/matches").json()["matches"]] == [None]
    firm = db_session.get(Organisation, need.organisation_id)
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER, firm))
    assert client.get(f"/api/v1/needs/{need.id}/matches").json()["matches"] == []


def test_control_characters_are_stripped_from_postings(client, db_session):
    firm = create_org(db_session)
    r = client.post("/api/v1/needs", headers=TOKEN, json={
        "organisation_id": firm.id, "title": "主轴\x00热变形\x07", "description": "五轴\x1b机床\u200b主轴热变形。"})
    assert r.status_code == 201
    assert r.json()["title"] == "主轴热变形" and r.json()["description"] == "五轴机床主轴热变形。"
