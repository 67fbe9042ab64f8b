"""Recording foreign partnerships: the form, the list, the API, and what is refused."""

from sqlalchemy import select

from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.ledger.models import CollaborationEvent
from backend.organisations.models import Organisation, OrgKind
from backend.partnerships import api as partnerships_api
from backend.partnerships.models import Partnership
from backend.projects import service as projects
from tests.common.factories import create_org
from tests.common.portal import create_user, post_form, sign_in


def setup(session):  # noqa: ANN001, ANN201
    officer = create_user(session, Role.TECH_TRANSFER_OFFICER)
    own = session.get(Organisation, officer.organisation_id)
    foreign = create_org(session, kind=OrgKind.FOREIGN_PARTNER, region="DE", name="Sample Technical University")
    firm = create_org(session, region="330602", name="合作企业")
    project = projects.create(session, title="柔性轴承联合攻关", party_ids=[own.id, firm.id])
    return officer, own, foreign, project


def form(**fields) -> dict:
    return {"kind": "joint_rd", "value_cny": "1500000", "started_on": "2026-09-01", "ended_on": "2027-08-31",
            "description": "Joint testing of flexspline bearings."} | fields


def partnerships_of(session, org_id: int) -> list[Partnership]:  # noqa: ANN001
    return list(session.scalars(select(Partnership).where(Partnership.local_organisation_id == org_id)))


def test_the_form_records_a_partnership_with_its_project_and_ledger_event(client, db_session):
    officer, own, foreign, project = setup(db_session)
    sign_in(client, officer)
    page = client.get("/partnerships/new")
    assert page.status_code == 200
    assert "Sample Technical University" in page.text and "柔性轴承联合攻关" in page.text
    response = post_form(client, "/partnerships/new",
                         form(foreign_organisation_id=str(foreign.id), project_id=str(project.id)))
    assert response.status_code == 303 and response.headers["location"] == "/partnerships"
    [row] = partnerships_of(db_session, own.id)
    assert row.foreign_organisation_id == foreign.id and row.country_code == "DE" and row.project_id == project.id
    assert int(row.value_cny) == 1_500_000
    event = db_session.scalars(select(CollaborationEvent).where(CollaborationEvent.partnership_id == row.id)).one()
    assert event.kind == "partnership.created" and event.project_id == project.id
    assert sorted(event.organisation_ids) == sorted([own.id, foreign.id])
    listing = client.get("/partnerships?lang=en")
    assert listing.status_code == 200 and "Sample Technical University" in listing.text
    assert "Germany" in listing.text and f'href="/projects/{project.id}"' in listing.text


def test_a_new_partner_is_created_abroad_and_reused_next_time(client, db_session):
    officer, own, _foreign, _project = setup(db_session)
    sign_in(client, officer)
    for _n in range(2):
        response = post_form(client, "/partnerships/new", form(new_partner_name="Politecnico di Esempio",
                                                               new_partner_country="IT"))
        assert response.status_code == 303, response.text[:800]
    partners = list(db_session.scalars(select(Organisation).where(Organisation.name == "Politecnico di Esempio")))
    assert len(partners) == 1 and partners[0].kind == OrgKind.FOREIGN_PARTNER
    assert [p.country_code for p in partnerships_of(db_session, own.id)] == ["IT", "IT"]


def test_a_domestic_partner_is_refused_next_to_the_field(client, db_session):
    officer, own, _foreign, _project = setup(db_session)
    domestic = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="本地大学")
    sign_in(client, officer)
    response = post_form(client, "/partnerships/new?lang=en", form(foreign_organisation_id=str(domestic.id)))
    assert response.status_code == 422
    assert 'id="f-foreign_organisation_id-error"' in response.text and "outside China" in response.text
    chinese = post_form(client, "/partnerships/new?lang=zh", form(foreign_organisation_id=str(domestic.id)))
    assert "outside China" not in chinese.text  # the reader's language
    china = post_form(client, "/partnerships/new", form(new_partner_name="某大学", new_partner_country="CN"))
    assert china.status_code == 422 and 'id="f-new_partner_country-error"' in china.text
    assert partnerships_of(db_session, own.id) == []
    assert db_session.scalars(select(Organisation).where(Organisation.name == "某大学")).first() is None


def test_a_project_of_another_organisation_is_refused(client, db_session):
    officer, own, foreign, _project = setup(db_session)
    a, b = create_org(db_session), create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100")
    theirs = projects.create(db_session, title="别家的项目", party_ids=[a.id, b.id])
    sign_in(client, officer)
    assert "别家的项目" not in client.get("/partnerships/new").text
    response = post_form(client, "/partnerships/new",
                         form(foreign_organisation_id=str(foreign.id), project_id=str(theirs.id)))
    assert response.status_code == 422 and 'id="f-project_id-error"' in response.text
    assert partnerships_of(db_session, own.id) == []


def test_bad_input_is_shown_next_to_the_fields(client, db_session):
    officer, own, foreign, _project = setup(db_session)
    sign_in(client, officer)
    response = post_form(client, "/partnerships/new", {"kind": "bribery", "value_cny": "-5", "started_on": "soon",
                                                       "foreign_organisation_id": str(foreign.id)})
    assert response.status_code == 422
    for name in ("kind", "value_cny", "started_on"):
        assert f'id="f-{name}-error"' in response.text
    neither = post_form(client, "/partnerships/new", form())
    assert neither.status_code == 422 and 'id="f-new_partner_name-error"' in neither.text
    backwards = post_form(client, "/partnerships/new", form(foreign_organisation_id=str(foreign.id),
                                                            ended_on="2025-01-01"))
    assert backwards.status_code == 422 and 'id="f-ended_on-error"' in backwards.text
    assert partnerships_of(db_session, own.id) == []


def test_who_may_record_partnerships(client, db_session):
    assert client.get("/partnerships/new", follow_redirects=False).status_code == 303
    analyst = create_user(db_session, Role.GOVERNMENT_ANALYST)
    sign_in(client, analyst)
    assert client.get("/partnerships/new").status_code == 403
    assert client.get("/partnerships").status_code == 403
    client.cookies.clear()
    firm_member = create_user(db_session, Role.FIRM_MEMBER)
    foreign = create_org(db_session, kind=OrgKind.FOREIGN_PARTNER, region="JP", name="Sample Institute of Japan")
    sign_in(client, firm_member)
    assert post_form(client, "/partnerships/new", form(foreign_organisation_id=str(foreign.id))).status_code == 303
    assert [p.foreign_organisation_id for p in partnerships_of(db_session, firm_member.organisation_id)] == [foreign.id]


def test_the_list_shows_only_our_partnerships(client, db_session):
    officer, own, foreign, _project = setup(db_session)
    other = create_user(db_session, Role.TECH_TRANSFER_OFFICER)
    sign_in(client, other)
    post_form(client, "/partnerships/new", form(foreign_organisation_id=str(foreign.id), description="别人的合作"))
    client.cookies.clear()
    sign_in(client, officer)
    assert "Sample Technical University" not in client.get("/partnerships").text


def test_the_api_records_a_partnership_for_the_callers_organisation(client, db_session):
    if not any(getattr(r, "path", "") == "/api/v1/partnerships" for r in client.app.routes):
        client.app.include_router(partnerships_api.router)
    officer, own, foreign, project = setup(db_session)
    _row, raw = accounts.create_token(db_session, officer, "university system")
    headers = {"Authorization": f"Bearer {raw}"}
    body = {"foreign_organisation_id": foreign.id, "kind": "licensing", "value_cny": "200000",
            "started_on": "2026-10-01", "project_id": project.id}
    created = client.post("/api/v1/partnerships", headers=headers, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["local_organisation_id"] == own.id and created.json()["partner"] == foreign.name
    assert client.get("/api/v1/partnerships", headers=headers).json()["total"] == 1
    forged = client.post("/api/v1/partnerships", headers=headers, json=body | {"local_organisation_id": 1})
    assert forged.status_code == 422
    domestic = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100")
    refused = client.post("/api/v1/partnerships", headers=headers, json=body | {"foreign_organisation_id": domestic.id})
    assert refused.status_code == 422 and refused.json()["field"] == "foreign_organisation_id"
    assert len(partnerships_of(db_session, own.id)) == 1
