"""Joint project pages: parties, value, status, major-project level, milestones.

A project is shown to its parties and admins; to anyone else it does not exist (404). Every change is a
plain form that posts back and redirects to the project (Post/Redirect/Get).
"""

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from backend.accounts.models import Role
from backend.auth import Principal, allow
from backend.errors import AppError
from backend.forms import FormData, FormError, app_error_to_form, parse
from backend.i18n import _
from backend.labels import label, options
from backend.projects import repository, service
from backend.projects.models import PROJECT_TRANSITIONS, JointProject, MajorLevel, ProjectStatus
from backend.projects.schemas import DetailsIn, MilestoneIn, StatusIn
from backend.web import Db, IdPath, PageQuery, flash, page_args, render

router = APIRouter()

# Analysts pass the role guard of the reading routes only to meet the same 404 as any other non-party.
READERS = allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER, Role.GOVERNMENT_ANALYST)
PARTIES = allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER)


def open_for(session: Session, viewer: Principal, project_id: int) -> JointProject:
    """The project, for one of its parties or an admin; anyone else: 404."""
    project = repository.get(session, project_id)
    if not viewer.is_admin and viewer.organisation_id not in {p.id for p in repository.parties(session, project.id)}:
        raise repository.missing(project_id)
    return project


def next_steps(project: JointProject) -> list[ProjectStatus]:
    """The statuses the project may move to now, in lifecycle order."""
    return [s for s in ProjectStatus if s in PROJECT_TRANSITIONS[project.status]]


def _page(request: Request, session: Session, viewer: Principal, project_id: int, *, status_code: int = 200,
          values: dict | None = None, errors: dict | None = None):
    project = open_for(session, viewer, project_id)
    values = {"contract_value_cny": str(project.contract_value_cny), "major_level": project.major_level.value} | (
        values or {})
    return render(request, "projects/detail.html", status_code=status_code, project=project,
                  parties=repository.parties(session, project.id),
                  milestones=repository.milestones(session, project.id), next_steps=next_steps(project),
                  match_url=f"/matches/{project.match_id}" if project.match_id else None,
                  levels=options(MajorLevel), values=values, errors=errors or {})


def _act(request: Request, session: Session, viewer: Principal, project_id: int, data: dict,
         work: Callable[[JointProject], str]):
    project = open_for(session, viewer, project_id)
    try:
        with session.begin_nested():
            message = work(project)
    except FormError as err:
        return _page(request, session, viewer, project_id, status_code=422, values=data, errors=err.errors)
    except AppError as err:
        return _page(request, session, viewer, project_id, status_code=err.status, values=data,
                     errors=app_error_to_form(err, data).errors)
    flash(request, message, "success")
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


@router.get("/projects")
def project_list(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(PARTIES)):
    """The joint projects of the viewer's organisation (every project, for admins)."""
    limit, offset = page_args(page)
    stmt = repository.of_organisation(None if viewer.is_admin else viewer.organisation_id)
    projects, total = repository.page(session, stmt, limit=limit, offset=offset)
    return render(request, "projects/list.html", projects=projects, page=page, per_page=limit, total=total)


@router.get("/projects/{project_id}")
def project_page(request: Request, project_id: IdPath, session: Db, viewer: Principal = Depends(READERS)):
    return _page(request, session, viewer, project_id)


@router.post("/projects/{project_id}/status")
def change_status(request: Request, project_id: IdPath, session: Db, data: FormData,
                  viewer: Principal = Depends(PARTIES)):
    def work(project: JointProject) -> str:
        form = parse(StatusIn, data)
        service.transition(session, project, form.to)
        return _("The project is now: %(status)s.", status=label(project.status))

    return _act(request, session, viewer, project_id, data, work)


@router.post("/projects/{project_id}/milestones")
def add_milestone(request: Request, project_id: IdPath, session: Db, data: FormData,
                  viewer: Principal = Depends(PARTIES)):
    def work(project: JointProject) -> str:
        form = parse(MilestoneIn, data)
        service.plan_milestone(session, project, form.title, form.due_on, organisation_id=viewer.organisation_id)
        return _("The milestone is added.")

    return _act(request, session, viewer, project_id, data, work)


@router.post("/projects/{project_id}/milestones/{milestone_id}/done")
def milestone_done(request: Request, project_id: IdPath, milestone_id: IdPath, session: Db, data: FormData,
                   viewer: Principal = Depends(PARTIES)):
    open_for(session, viewer, project_id)
    milestone = repository.milestone(session, project_id, milestone_id)

    def work(project: JointProject) -> str:
        service.complete_milestone(session, milestone)
        return _("The milestone is ticked off.")

    return _act(request, session, viewer, project_id, data, work)


@router.post("/projects/{project_id}/details")
def change_details(request: Request, project_id: IdPath, session: Db, data: FormData,
                   viewer: Principal = Depends(PARTIES)):
    def work(project: JointProject) -> str:
        form = parse(DetailsIn, data)
        service.update_details(session, project, contract_value_cny=form.contract_value_cny,
                               major_level=form.major_level)
        return _("The project's details are saved.")

    return _act(request, session, viewer, project_id, data, work)
