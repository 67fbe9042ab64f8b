"""A university's own system pushes and updates capabilities with a personal API token."""

from sqlalchemy import select

from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.capabilities.models import Capability, CapabilityStatus
from backend.ledger.models import CollaborationEvent
from backend.organisations.models import Organisation, OrgKind
from tests.common.factories import create_capability, create_org
from tests.common.portal import create_user

PAYLOAD = {"kind": "result", "title": "Thin-wall bearing ring grinding process",
           "description": "A grinding process that keeps thin-walled rings within 2 µm roundness.",
           "chain": "bearings", "trl": 7, "keywords": ["grinding", "thin-wall"], "contact": "Dr. Chen",
           "patent_numbers": ["CN115000001A"], "language": "en"}


def bearer(session, user) -> dict:  # noqa: ANN001
    _row, raw = accounts.create_token(session, user, "university system")
    return {"Authorization": f"Bearer {raw}"}


def kinds(session, cap_id: int) -> list[str]:  # noqa: ANN001
    return list(session.scalars(select(CollaborationEvent.kind).where(CollaborationEvent.capability_id == cap_id)
                                .order_by(CollaborationEvent.id)))


def test_create_patch_and_retire_with_a_personal_token(client, db_session, queued_jobs):
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER)
    elsewhere = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100")
    headers = bearer(db_session, officer)
    created = client.post("/api/v1/capabilities", headers=headers, json=PAYLOAD | {"organisation_id": elsewhere.id})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["organisation_id"] == officer.organisation_id  # never the id in the body
    assert body["status"] == "active" and body["language"] == "en" and body["contact"] == "Dr. Chen"
    cap_id = body["id"]

    patched = client.patch(f"/api/v1/capabilities/{cap_id}", headers=headers, json={"trl": 8, "team": "Grinding lab"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["trl"] == 8 and patched.json()["team"] == "Grinding lab"
    assert patched.json()["title"] == PAYLOAD["title"]  # fields not sent stay

    retired = client.post(f"/api/v1/capabilities/{cap_id}/retire", headers=headers)
    assert retired.status_code == 200 and retired.json()["status"] == "archived"
    assert kinds(db_session, cap_id) == ["capability.posted", "capability.edited", "capability.retired"]
    jobs = queued_jobs + db_session.info.get("pending_jobs", [])
    assert jobs.count(("matches.match_capability", (cap_id,))) == 2
    again = client.post(f"/api/v1/capabilities/{cap_id}/retire", headers=headers)
    assert again.status_code == 409
    assert client.get(f"/api/v1/capabilities/{cap_id}").status_code == 404  # retired: gone for others


def test_errors_name_the_field(client, db_session):
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER)
    headers = bearer(db_session, officer)
    cap = create_capability(db_session, db_session.get(Organisation, officer.organisation_id))
    blank = client.patch(f"/api/v1/capabilities/{cap.id}", headers=headers, json={"title": "  "})
    assert blank.status_code == 422 and blank.json()["problems"][0]["field"] == "title"
    removed = client.patch(f"/api/v1/capabilities/{cap.id}", headers=headers, json={"contact": None})
    assert removed.status_code == 422 and removed.json()["problems"][0]["field"] == "contact"
    trl = client.patch(f"/api/v1/capabilities/{cap.id}", headers=headers, json={"trl": 10})
    assert trl.status_code == 422 and trl.json()["problems"][0]["field"] == "trl"
    owner = client.patch(f"/api/v1/capabilities/{cap.id}", headers=headers, json={"organisation_id": 1})
    assert owner.status_code == 422 and owner.json()["problems"][0]["field"] == "organisation_id"
    chain = client.patch(f"/api/v1/capabilities/{cap.id}", headers=headers, json={"chain": "nope"})
    assert chain.status_code == 422 and chain.json()["field"] == "chain"
    missing = client.post("/api/v1/capabilities", headers=headers, json={"title": "x", "description": "y"})
    assert missing.status_code == 422 and missing.json()["problems"][0]["field"] == "kind"
    assert client.patch("/api/v1/capabilities/2147483648", headers=headers, json={}).status_code == 422


def test_another_organisations_capability_is_a_404(client, db_session):
    theirs = create_capability(db_session)
    headers = bearer(db_session, create_user(db_session, Role.TECH_TRANSFER_OFFICER))
    assert client.patch(f"/api/v1/capabilities/{theirs.id}", headers=headers, json={"trl": 3}).status_code == 404
    assert client.post(f"/api/v1/capabilities/{theirs.id}/retire", headers=headers).status_code == 404
    db_session.refresh(theirs)
    assert theirs.status == CapabilityStatus.ACTIVE and theirs.trl is None


def test_an_unverified_organisation_pushes_drafts(client, db_session):
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, is_verified=False)
    headers = bearer(db_session, officer)
    created = client.post("/api/v1/capabilities", headers=headers, json=PAYLOAD)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    refused = client.post(f"/api/v1/capabilities/{created.json()['id']}/publish", headers=headers)
    assert refused.status_code == 409 and "waits for an administrator" in refused.json()["error"]
    listed = client.get("/api/v1/capabilities").json()["items"]
    assert created.json()["id"] not in [c["id"] for c in listed]


def test_a_firm_member_cannot_post_capabilities(client, db_session):
    headers = bearer(db_session, create_user(db_session, Role.FIRM_MEMBER))
    assert client.post("/api/v1/capabilities", headers=headers, json=PAYLOAD).status_code == 403
    assert db_session.scalars(select(Capability).where(Capability.title == PAYLOAD["title"])).first() is None
