"""The officer's pages: offer, edit, publish and retire a capability; who may do what."""

from sqlalchemy import select

from backend.accounts.models import Role
from backend.capabilities.models import Capability, CapabilityStatus
from backend.ledger.models import CollaborationEvent
from backend.organisations.models import Organisation, OrgKind
from tests.common.factories import create_capability, create_org
from tests.common.portal import create_user, post_form, sign_in

FORM = {"kind": "equipment", "title": "五轴联动加工中心共享",
        "description": "开放五轴加工中心与三坐标测量机，可做薄壁件加工验证。",
        "chain": "cnc_machine_tools", "trl": "7", "keywords": "五轴加工，薄壁件、三坐标", "team": "精密制造实验室",
        "patent_numbers": "CN114000001A\n\nCN114000002B", "contact": "李工", "language": "auto"}


def kinds(session, cap_id: int) -> list[str]:  # noqa: ANN001
    return list(session.scalars(select(CollaborationEvent.kind).where(CollaborationEvent.capability_id == cap_id)
                                .order_by(CollaborationEvent.id)))


def only_capability_of(session, org_id: int) -> Capability:  # noqa: ANN001
    return session.scalars(select(Capability).where(Capability.organisation_id == org_id)).one()


def queued(session, sent: list) -> list:  # noqa: ANN001
    """Jobs sent after a commit, and jobs waiting for the test transaction's commit."""
    return sent + list(session.info.get("pending_jobs", []))


def test_an_officer_offers_edits_and_retires_a_capability(client, db_session, queued_jobs):
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER)
    sign_in(client, officer)
    form = client.get("/capabilities/new")
    assert form.status_code == 200 and 'name="contact"' in form.text and 'name="csrf_token"' in form.text

    created = post_form(client, "/capabilities/new", FORM)
    assert created.status_code == 303, created.text[:600]
    cap = only_capability_of(db_session, officer.organisation_id)
    assert created.headers["location"] == f"/capabilities/{cap.id}"
    assert cap.status == CapabilityStatus.ACTIVE and cap.contact == "李工" and cap.trl == 7
    assert cap.keywords == ["五轴加工", "薄壁件", "三坐标"] and cap.patent_numbers == ["CN114000001A", "CN114000002B"]
    assert queued(db_session, queued_jobs).count(("matches.match_capability", (cap.id,))) == 1

    page = client.get(created.headers["location"])
    assert page.status_code == 200 and "五轴联动加工中心共享" in page.text
    assert f'href="/capabilities/{cap.id}/edit"' in page.text and f'action="/capabilities/{cap.id}/retire"' in page.text
    assert 'http-equiv="refresh"' in page.text  # matching runs: the page refreshes itself
    english = client.get(f"/capabilities/{cap.id}?lang=en").text
    assert ">active<" in english and "under way" not in english  # a capability's words, not a project's

    edit = client.get(f"/capabilities/{cap.id}/edit")
    assert edit.status_code == 200 and "CN114000001A\nCN114000002B" in edit.text
    changed = post_form(client, f"/capabilities/{cap.id}/edit", FORM | {"title": "Five-axis machining centre",
                                                                        "language": "en"})
    assert changed.status_code == 303
    db_session.refresh(cap)
    assert cap.title == "Five-axis machining centre" and cap.language_chosen == "en"
    assert queued(db_session, queued_jobs).count(("matches.match_capability", (cap.id,))) == 2

    retired = post_form(client, f"/capabilities/{cap.id}/retire")
    assert retired.status_code == 303
    db_session.refresh(cap)
    assert cap.status == CapabilityStatus.ARCHIVED
    assert kinds(db_session, cap.id) == ["capability.posted", "capability.edited", "capability.retired"]
    assert "Five-axis machining centre" not in client.get("/capabilities").text
    mine = client.get("/capabilities/mine")
    assert mine.status_code == 200 and "Five-axis machining centre" in mine.text


def test_bad_input_is_shown_next_to_its_field(client, db_session):
    sign_in(client, create_user(db_session, Role.TECH_TRANSFER_OFFICER))
    response = post_form(client, "/capabilities/new", FORM | {"contact": "  ", "trl": "12", "chain": "nope",
                                                                "kind": "magic"})
    assert response.status_code == 422
    for name in ("contact", "trl", "kind"):
        assert f'id="f-{name}-error"' in response.text
    assert "五轴联动加工中心共享" in response.text  # the typed values stay
    assert db_session.scalars(select(Capability).where(Capability.title == FORM["title"])).first() is None
    english = post_form(client, "/capabilities/new?lang=en", FORM | {"contact": ""})
    assert "This field is required." in english.text


def test_an_unverified_organisation_drafts_and_cannot_publish(client, db_session, queued_jobs):
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, is_verified=False)
    sign_in(client, officer)
    assert "waits for an administrator" in client.get("/capabilities/new?lang=en").text
    created = post_form(client, "/capabilities/new", FORM)
    assert created.status_code == 303
    cap = only_capability_of(db_session, officer.organisation_id)
    assert cap.status == CapabilityStatus.DRAFT and kinds(db_session, cap.id) == ["capability.drafted"]
    assert ("matches.match_capability", (cap.id,)) not in queued(db_session, queued_jobs)
    assert FORM["title"] not in client.get("/capabilities").text
    own = client.get(f"/capabilities/{cap.id}")
    assert own.status_code == 200 and 'http-equiv="refresh"' not in own.text
    mine = client.get("/capabilities/mine?lang=en")
    assert FORM["title"] in mine.text and "waits for an administrator" in mine.text

    refused = post_form(client, f"/capabilities/{cap.id}/publish")
    assert refused.status_code == 303
    db_session.refresh(cap)
    assert cap.status == CapabilityStatus.DRAFT
    assert "waits for an administrator" in client.get(f"/capabilities/{cap.id}?lang=en").text  # the flash

    client.cookies.clear()
    assert client.get(f"/capabilities/{cap.id}").status_code == 404
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))
    assert client.get(f"/capabilities/{cap.id}").status_code == 404


def test_a_verified_organisation_publishes_its_draft(client, db_session):
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, is_verified=False)
    sign_in(client, officer)
    post_form(client, "/capabilities/new", FORM)
    cap = only_capability_of(db_session, officer.organisation_id)
    org = db_session.get(Organisation, officer.organisation_id)
    org.is_verified = True
    db_session.flush()
    assert post_form(client, f"/capabilities/{cap.id}/publish").status_code == 303
    db_session.refresh(cap)
    assert cap.status == CapabilityStatus.ACTIVE
    assert kinds(db_session, cap.id) == ["capability.drafted", "capability.posted"]
    assert FORM["title"] in client.get("/capabilities").text


def test_another_organisation_gets_404_on_every_owner_action(client, db_session):
    cap = create_capability(db_session)
    sign_in(client, create_user(db_session, Role.TECH_TRANSFER_OFFICER))
    assert client.get(f"/capabilities/{cap.id}/edit").status_code == 404
    assert post_form(client, f"/capabilities/{cap.id}/edit", FORM).status_code == 404
    assert post_form(client, f"/capabilities/{cap.id}/publish").status_code == 404
    assert post_form(client, f"/capabilities/{cap.id}/retire").status_code == 404
    page = client.get(f"/capabilities/{cap.id}")
    assert page.status_code == 200 and f"/capabilities/{cap.id}/edit" not in page.text
    db_session.refresh(cap)
    assert cap.status == CapabilityStatus.ACTIVE and cap.title == "精密磨削工艺"
    assert client.get("/capabilities/2147483648/edit").status_code in (404, 422)


def test_roles_and_sign_in_are_required(client, db_session):
    for path in ("/capabilities/new", "/inbox", "/capabilities/mine"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))
    assert client.get("/capabilities/new").status_code == 403
    assert client.get("/inbox").status_code == 403
    assert post_form(client, "/capabilities/new", FORM).status_code == 403


def test_a_post_without_csrf_token_is_refused(client, db_session):
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER)
    sign_in(client, officer)
    response = client.post("/capabilities/new", data=FORM, follow_redirects=False)
    assert response.status_code == 403
    assert db_session.scalars(select(Capability).where(Capability.organisation_id == officer.organisation_id)).first() \
        is None


def test_the_form_never_takes_the_organisation_from_the_form(client, db_session):
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER)
    other = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100")
    sign_in(client, officer)
    assert post_form(client, "/capabilities/new", FORM | {"organisation_id": str(other.id)}).status_code == 303
    assert only_capability_of(db_session, officer.organisation_id).title == FORM["title"]
    assert db_session.scalars(select(Capability).where(Capability.organisation_id == other.id)).first() is None
