"""The needs API for a firm's own system: post (drafts while unverified), PATCH, status steps, its own list."""

from datetime import timedelta

from sqlalchemy import select

from backend.accounts import service as accounts
from backend.accounts.models import Role, User
from backend.ledger.models import CollaborationEvent
from backend.needs import repository
from tests.common.factories import create_need
from tests.common.portal import create_user

NEED = {"title": "减速器柔性轴承寿命不足", "description": "疲劳寿命低于两千小时。"}


def bearer(session, role: Role = Role.FIRM_MEMBER, **org_fields) -> tuple[dict, User]:  # noqa: ANN001
    user = create_user(session, role, **org_fields)
    _token, raw = accounts.create_token(session, user, "erp")
    return {"Authorization": f"Bearer {raw}"}, user


def kinds(session, need_id: int) -> list[str]:  # noqa: ANN001
    return list(session.scalars(select(CollaborationEvent.kind).where(CollaborationEvent.need_id == need_id)
                                .order_by(CollaborationEvent.id)))


def test_a_firm_member_posts_for_their_own_firm_and_an_unverified_one_gets_a_draft(client, db_session):
    headers, user = bearer(db_session)
    posted = client.post("/api/v1/needs", json=NEED | {"organisation_id": 1}, headers=headers)
    assert posted.status_code == 201, posted.text
    assert posted.json()["organisation_id"] == user.organisation_id and posted.json()["status"] == "open"
    waiting, _user = bearer(db_session, is_verified=False)
    draft = client.post("/api/v1/needs", json=NEED, headers=waiting)
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    assert kinds(db_session, draft.json()["id"]) == ["need.drafted"]


def test_patch_changes_only_the_given_fields_of_an_own_need(client, db_session):
    headers, user = bearer(db_session)
    need_id = client.post("/api/v1/needs", json=NEED | {"trl_min": 3, "trl_max": 6}, headers=headers).json()["id"]
    later = (repository.today() + timedelta(days=40)).isoformat()
    changed = client.patch(f"/api/v1/needs/{need_id}", json={"trl_max": 8, "deadline": later, "region": "330624"},
                           headers=headers)
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["trl_min"], body["trl_max"], body["deadline"], body["region"]) == (3, 8, later, "330624")
    assert body["title"] == NEED["title"]
    assert kinds(db_session, need_id) == ["need.posted", "need.edited"]


def test_patch_errors_name_the_field(client, db_session):
    headers, _user = bearer(db_session)
    need_id = client.post("/api/v1/needs", json=NEED, headers=headers).json()["id"]
    secret = client.patch(f"/api/v1/needs/{need_id}", json={"visibility": "confidential"}, headers=headers)
    assert secret.status_code == 422 and secret.json()["field"] == "summary"
    blank = client.patch(f"/api/v1/needs/{need_id}", json={"title": "   "}, headers=headers)
    assert blank.status_code == 422 and blank.json()["problems"][0]["field"] == "title"
    tampered = client.patch(f"/api/v1/needs/{need_id}", json={"organisation_id": 5}, headers=headers)
    assert tampered.status_code == 422 and tampered.json()["problems"][0]["field"] == "organisation_id"
    chain = client.patch(f"/api/v1/needs/{need_id}", json={"chain": "nope"}, headers=headers)
    assert chain.status_code == 422 and chain.json()["field"] == "chain"
    past = (repository.today() - timedelta(days=1)).isoformat()
    late = client.patch(f"/api/v1/needs/{need_id}", json={"deadline": past}, headers=headers)
    assert late.status_code == 422 and late.json()["field"] == "deadline"
    assert kinds(db_session, need_id) == ["need.posted"]


def test_status_steps_through_the_api_and_a_refused_step_is_409(client, db_session):
    headers, _user = bearer(db_session)
    need_id = client.post("/api/v1/needs", json=NEED, headers=headers).json()["id"]
    closed = client.post(f"/api/v1/needs/{need_id}/status", json={"to": "closed"}, headers=headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = client.post(f"/api/v1/needs/{need_id}/status", json={"to": "open"}, headers=headers)
    assert again.status_code == 409 and "cannot go from closed to open" in again.json()["error"]
    bogus = client.post(f"/api/v1/needs/{need_id}/status", json={"to": "gone"}, headers=headers)
    assert bogus.status_code == 422 and bogus.json()["problems"][0]["field"] == "to"
    assert kinds(db_session, need_id) == ["need.posted", "need.closed"]


def test_publishing_a_draft_through_the_api_waits_for_verification(client, db_session):
    headers, user = bearer(db_session, is_verified=False)
    need_id = client.post("/api/v1/needs", json=NEED, headers=headers).json()["id"]
    refused = client.post(f"/api/v1/needs/{need_id}/status", json={"to": "open"}, headers=headers)
    assert refused.status_code == 409 and "verification" in refused.json()["error"]
    assert refused.json()["field"] == "to"


def test_another_firm_gets_404_on_patch_and_status(client, db_session):
    need = create_need(db_session, title="别人的需求")
    headers, _user = bearer(db_session)
    assert client.patch(f"/api/v1/needs/{need.id}", json={"trl_max": 8}, headers=headers).status_code == 404
    assert client.post(f"/api/v1/needs/{need.id}/status", json={"to": "closed"},
                       headers=headers).status_code == 404
    officer, _user = bearer(db_session, Role.TECH_TRANSFER_OFFICER)
    assert client.patch(f"/api/v1/needs/{need.id}", json={"trl_max": 8}, headers=officer).status_code == 403
    assert client.patch(f"/api/v1/needs/{need.id}", json={"trl_max": 8}).status_code == 401


def test_mine_lists_every_need_of_the_callers_firm(client, db_session):
    headers, user = bearer(db_session)
    own = client.post("/api/v1/needs", json=NEED, headers=headers).json()["id"]
    client.post(f"/api/v1/needs/{own}/status", json={"to": "closed"}, headers=headers)
    other = create_need(db_session, title="别人的需求").id
    mine = client.get("/api/v1/needs?mine=true", headers=headers).json()
    assert [n["id"] for n in mine["items"]] == [own] and mine["items"][0]["status"] == "closed"
    board = client.get("/api/v1/needs", headers=headers).json()
    assert other in [n["id"] for n in board["items"]] and own not in [n["id"] for n in board["items"]]
    assert client.get("/api/v1/needs?mine=true").status_code == 401
