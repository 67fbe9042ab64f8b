"""Every query of joint projects."""

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from backend import postings
from backend.errors import NotFound
from backend.organisations.models import Organisation
from backend.projects.models import JointProject, Milestone, project_parties


def missing(project_id: int) -> NotFound:
    return NotFound(f"project {project_id} does not exist")


def get(session: Session, project_id: int) -> JointProject:
    project = session.get(JointProject, project_id)
    if project is None:
        raise missing(project_id)
    return project


def parties(session: Session, project_id: int) -> list[Organisation]:
    """The project's organisations (a fresh query, not the cached collection)."""
    return list(session.scalars(
        select(Organisation).join(project_parties, project_parties.c.organisation_id == Organisation.id)
        .where(project_parties.c.project_id == project_id).order_by(Organisation.id)))


def milestones(session: Session, project_id: int) -> list[Milestone]:
    """Milestones in the order of their due dates (undated last), then as added."""
    return list(session.scalars(
        select(Milestone).where(Milestone.project_id == project_id)
        .order_by(Milestone.due_on.asc().nulls_last(), Milestone.id)))


def milestone(session: Session, project_id: int, milestone_id: int) -> Milestone:
    found = session.get(Milestone, milestone_id)
    if found is None or found.project_id != project_id:
        raise NotFound(f"milestone {milestone_id} does not exist in project {project_id}")
    return found


def of_organisation(organisation_id: int | None) -> Select[tuple[JointProject]]:
    """The projects an organisation is a party to, newest first (None: every project, for admins)."""
    stmt = select(JointProject).order_by(JointProject.created_at.desc(), JointProject.id.desc())
    if organisation_id is not None:
        stmt = stmt.where(JointProject.id.in_(
            select(project_parties.c.project_id).where(project_parties.c.organisation_id == organisation_id)))
    return stmt


def page(session: Session, stmt: Select, *, limit: int, offset: int) -> tuple[list[JointProject], int]:
    return postings.page(session, stmt, limit=limit, offset=offset)
