"""JSON routes of joint projects under /api/v1: the same rules as the project page."""

from fastapi import APIRouter, Depends

from backend.accounts.models import Role
from backend.auth import Principal, allow
from backend.i18n import localized
from backend.projects import repository
from backend.projects.pages import next_steps, open_for
from backend.projects.schemas import MilestoneOut, PartyOut, ProjectOut
from backend.web import Db, IdPath

router = APIRouter(prefix="/api/v1/projects", tags=["projects"])

READERS = allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER, Role.GOVERNMENT_ANALYST)


@router.get("/{project_id}", response_model=ProjectOut)
def project_detail(project_id: IdPath, session: Db, viewer: Principal = Depends(READERS)) -> ProjectOut:
    """A joint project (its parties and admins only; anyone else: 404)."""
    project = open_for(session, viewer, project_id)
    return ProjectOut(
        id=project.id, title=project.title, status=project.status, next_steps=next_steps(project),
        contract_value_cny=project.contract_value_cny, major_level=project.major_level, match_id=project.match_id,
        started_on=project.started_on, ended_on=project.ended_on,
        parties=[PartyOut(id=o.id, name=localized(o), kind=o.kind.value)
                 for o in repository.parties(session, project.id)],
        milestones=[MilestoneOut(id=m.id, title=m.title, due_on=m.due_on, done_on=m.done_on)
                    for m in repository.milestones(session, project.id)],
    )
