"""The collaboration ledger is append-only and every domain change writes one event."""

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from backend.ledger.models import CollaborationEvent
from backend.organisations.models import OrgKind
from backend.partnerships import service as partnerships
from backend.projects import service as projects
from backend.projects.models import ProjectStatus
from tests.common.factories import create_capability, create_need, create_org


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(CollaborationEvent))


def test_posting_a_need_and_a_capability_each_write_one_event(db_session):
    before = count(db_session)
    create_need(db_session)
    assert count(db_session) == before + 1
    create_capability(db_session)
    assert count(db_session) == before + 2


def test_projects_and_partnerships_write_one_event_per_change(db_session):
    firm = create_org(db_session)
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100")
    before = count(db_session)
    project = projects.create(db_session, title="柔性轴承联合攻关", party_ids=[firm.id, lab.id],
                              contract_value_cny=1.5e6)
    assert count(db_session) == before + 1
    projects.transition(db_session, project, ProjectStatus.ACTIVE)
    milestone = projects.add_milestone(db_session, project, "样机")
    assert count(db_session) == before + 2
    projects.complete_milestone(db_session, milestone)
    assert count(db_session) == before + 3
    foreign = create_org(db_session, kind=OrgKind.FOREIGN_PARTNER, region="DE", name="Sample TU")
    partnerships.create(db_session, local_organisation_id=firm.id, foreign_organisation_id=foreign.id,
                        kind="joint_rd", started_on=date(2025, 3, 1), value_cny=2e6)
    events = list(db_session.scalars(select(CollaborationEvent).order_by(CollaborationEvent.id.desc()).limit(1)))
    assert count(db_session) == before + 4
    assert events[0].kind == "partnership.created" and events[0].data["country"] == "DE"


def test_a_partnership_with_a_domestic_partner_is_refused(db_session):
    from backend.errors import InvalidInput

    a, b = create_org(db_session), create_org(db_session, region="330100")
    with pytest.raises(InvalidInput, match="outside China"):
        partnerships.create(db_session, local_organisation_id=a.id, foreign_organisation_id=b.id,
                            kind="licensing", started_on=date(2025, 1, 1))


def test_ledger_rows_cannot_be_updated_or_deleted(db_session):
    create_need(db_session)
    nested = db_session.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        db_session.execute(text("UPDATE collaboration_events SET kind = 'forged'"))
    nested.rollback()
    nested = db_session.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        db_session.execute(text("DELETE FROM collaboration_events"))
    nested.rollback()
