"""Joint project pages and API: only parties and admins, status steps, milestones, details, ledger events."""

import pytest
from sqlalchemy import select

from backend.accounts.models import Role
from backend.accounts.service import create_token
from backend.ledger.models import CollaborationEvent
from backend.organisations.models import Organisation
from backend.projects import service
from backend.projects.models import MajorLevel, ProjectStatus
from tests.common.portal import create_user, post_form, sign_in


@pytest.fixture
def parties(db_session):
    firm_user = create_user(db_session, Role.FIRM_MEMBER, name="绍兴电机股份公司")
    officer = create_user(db_session, Role.TECH_TRANSFER_OFFICER, name="示例工业大学")
    project = service.create(db_session, title="高效电机联合研发",
                             party_ids=[firm_user.organisation_id, officer.organisation_id], contract_value_cny=800000)
    return firm_user, officer, project


def project_kinds(session, project_id: int) -> list[str]:
    return list(session.scalars(select(CollaborationEvent.kind).where(CollaborationEvent.project_id == project_id)
                                .order_by(CollaborationEvent.id)))


def test_parties_see_the_project_and_others_get_404(client, db_session, parties):
    firm_user, officer, project = parties
    for user in (firm_user, officer, create_user(db_session, Role.ADMIN)):
        sign_in(client, user)
        page = client.get(f"/projects/{project.id}")
        assert page.status_code == 200 and "高效电机联合研发" in page.text
        assert "绍兴电机股份公司" in page.text and "示例工业大学" in page.text
    for role in (Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER, Role.GOVERNMENT_ANALYST):
        sign_in(client, create_user(db_session, role))
        assert client.get(f"/projects/{project.id}").status_code == 404
        if role != Role.GOVERNMENT_ANALYST:
            assert post_form(client, f"/projects/{project.id}/status", {"to": "active"}).status_code == 404
            assert post_form(client, f"/projects/{project.id}/milestones", {"title": "x"}).status_code == 404
            assert f"/projects/{project.id}" not in client.get("/projects").text
    assert project.status == ProjectStatus.PLANNED
    client.cookies.clear()
    assert client.get(f"/projects/{project.id}", follow_redirects=False).status_code == 303  # to /login


def test_status_buttons_follow_the_lifecycle_and_refuse_an_illegal_step(client, db_session, parties):
    firm_user, _officer, project = parties
    sign_in(client, firm_user)
    page = client.get(f"/projects/{project.id}").text
    assert 'name="to" value="active"' in page and 'name="to" value="terminated"' in page
    assert 'name="to" value="completed"' not in page
    refused = post_form(client, f"/projects/{project.id}/status", {"to": "completed"})
    assert refused.status_code == 409 and "cannot go from planned to completed" in refused.text
    assert post_form(client, f"/projects/{project.id}/status", {"to": "active"}).status_code == 303
    assert project.status == ProjectStatus.ACTIVE and project.started_on is not None
    assert project_kinds(db_session, project.id)[-1] == "project.active"
    assert 'name="to" value="completed"' in client.get(f"/projects/{project.id}").text


def test_milestones_and_details_write_their_ledger_events_and_check_input(client, db_session, parties):
    _firm_user, officer, project = parties
    sign_in(client, officer)
    bad = post_form(client, f"/projects/{project.id}/milestones", {"title": "", "due_on": "2027-13-40"})
    assert bad.status_code == 422 and 'id="f-title-error"' in bad.text and 'id="f-due_on-error"' in bad.text
    assert post_form(client, f"/projects/{project.id}/milestones", {"title": "<b>样机</b>"}).status_code == 303
    page = client.get(f"/projects/{project.id}").text
    assert "&lt;b&gt;样机&lt;/b&gt;" in page and "<b>样机</b>" not in page
    assert post_form(client, f"/projects/{project.id}/milestones/2147483647/done").status_code == 404
    negative = post_form(client, f"/projects/{project.id}/details", {"contract_value_cny": "-5", "major_level": "none"})
    assert negative.status_code == 422 and 'id="f-contract_value_cny-error"' in negative.text
    done = post_form(client, f"/projects/{project.id}/details",
                     {"contract_value_cny": "2500000", "major_level": "provincial"})
    assert done.status_code == 303
    assert project.contract_value_cny == 2500000 and project.major_level == MajorLevel.PROVINCIAL
    events = list(db_session.scalars(select(CollaborationEvent).where(CollaborationEvent.project_id == project.id)
                                     .order_by(CollaborationEvent.id)))
    assert [e.kind for e in events] == ["project.created", "project.milestone_added", "project.updated"]
    assert events[-1].data["before"]["contract_value_cny"] == 800000
    assert sorted(events[-1].organisation_ids) == sorted(
        [o.id for o in db_session.scalars(select(Organisation).where(Organisation.name.in_(
            ["绍兴电机股份公司", "示例工业大学"])))])


def test_the_api_shows_a_project_to_its_parties_only(client, db_session, parties):
    firm_user, _officer, project = parties
    service.plan_milestone(db_session, project, "台架试验")
    _row, token = create_token(db_session, firm_user, "erp")
    body = client.get(f"/api/v1/projects/{project.id}", headers={"Authorization": f"Bearer {token}"}).json()
    assert body["title"] == "高效电机联合研发" and body["status"] == "planned"
    assert body["next_steps"] == ["active", "terminated"]
    assert [m["title"] for m in body["milestones"]] == ["台架试验"] and len(body["parties"]) == 2
    _row, other = create_token(db_session, create_user(db_session, Role.FIRM_MEMBER), "x")
    assert client.get(f"/api/v1/projects/{project.id}",
                      headers={"Authorization": f"Bearer {other}"}).status_code == 404
    assert client.get("/api/v1/projects/99999999999", headers={"Authorization": f"Bearer {token}"}).status_code == 422
