"""The needs API: public JSON, admin-token writes, clear errors for bad input."""

from backend.needs.models import Visibility
from tests.common.factories import create_need, create_org

TOKEN = {"Authorization": "Bearer test-admin-token"}


def test_list_returns_public_needs_as_json(client, db_session):
    create_need(db_session, title="主轴热变形补偿")
    create_need(db_session, title="保密需求", visibility=Visibility.CONFIDENTIAL, summary="一项工艺需求")
    body = client.get("/api/v1/needs").json()
    titles = [n["title"] for n in body["items"]]
    assert "主轴热变形补偿" in titles and "保密需求" not in titles
    assert body["total"] == len(body["items"])


def test_a_confidential_need_is_not_served_in_detail(client, db_session):
    need = create_need(db_session, visibility=Visibility.CONFIDENTIAL, summary="一项工艺需求")
    assert client.get(f"/api/v1/needs/{need.id}").status_code == 404
    assert client.get(f"/needs/{need.id}").status_code == 404


def test_create_needs_the_admin_token(client, db_session, queued_jobs):
    firm = create_org(db_session)
    payload = {"organisation_id": firm.id, "title": "减速器柔性轴承寿命不足", "description": "疲劳寿命低于两千小时。"}
    assert client.post("/api/v1/needs", json=payload).status_code == 401
    assert client.post("/api/v1/needs", json=payload, headers={"Authorization": "Bearer wrong"}).status_code == 401
    created = client.post("/api/v1/needs", json=payload, headers=TOKEN)
    assert created.status_code == 201, created.text
    assert created.json()["language"] == "zh" and created.json()["match_state"] == "pending"


def test_blank_text_gets_a_422_with_a_message(client, db_session):
    firm = create_org(db_session)
    response = client.post("/api/v1/needs", headers=TOKEN,
                           json={"organisation_id": firm.id, "title": "  \t ", "description": "x"})
    assert response.status_code == 422
    assert "title must not be empty" in response.json()["error"]


def test_unknown_chain_and_wrong_org_kind_are_clear_errors(client, db_session):
    firm = create_org(db_session)
    r = client.post("/api/v1/needs", headers=TOKEN,
                    json={"organisation_id": firm.id, "title": "t", "description": "d", "chain": "nope"})
    assert r.status_code == 422 and "unknown industry chain 'nope'" in r.json()["error"]
    missing = client.post("/api/v1/needs", headers=TOKEN,
                          json={"organisation_id": 987654, "title": "t", "description": "d"})
    assert missing.status_code == 404


def test_pages_render_and_unknown_pages_are_404(client, db_session):
    need = create_need(db_session, title="五轴数控机床热误差")
    assert "五轴数控机床热误差" in client.get("/").text
    assert "五轴数控机床热误差" in client.get(f"/needs/{need.id}").text
    missing = client.get("/needs/999999")
    assert missing.status_code == 404 and "does not exist" in missing.text


def test_a_capability_with_a_blank_description_gets_a_422(client, db_session):
    from backend.organisations.models import OrgKind

    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100")
    r = client.post("/api/v1/capabilities", headers=TOKEN,
                    json={"organisation_id": lab.id, "kind": "patent", "title": "柔性轴承", "description": " \n "})
    assert r.status_code == 422 and "description must not be empty" in r.json()["error"]
    ok = client.post("/api/v1/capabilities", headers=TOKEN,
                     json={"organisation_id": lab.id, "kind": "patent", "title": "柔性轴承", "description": "寿命试验"})
    assert ok.status_code == 201 and ok.json()["kind"] == "patent"
