"""The page both sides of a match share: explanation, status, actions, thread.

Only the match's two organisations and admins may open it; to anyone else it does not exist (404). Every
action is a plain form that posts back and redirects to the page (Post/Redirect/Get); a refused step
re-renders the page with the reason next to the form.
"""

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from backend.accounts.models import Role
from backend.auth import Principal, allow
from backend.errors import AppError, Forbidden
from backend.forms import FormData, FormError, app_error_to_form, parse
from backend.i18n import _
from backend.labels import options
from backend.matches import service
from backend.matches.models import DeclineReason, Match, MatchStatus
from backend.matches.schemas import DeclineIn, InterestIn, MessageIn, NdaIn, ProjectFromMatchIn
from backend.needs.models import NDA_VERSION
from backend.projects import service as projects
from backend.projects.models import MajorLevel
from backend.web import Db, IdPath, flash, render
from matching import explain

router = APIRouter()


# Who may try to open a match page (a government analyst too: for anyone but the two sides it is a 404);
# who may act on one (then only a side, or an admin where it says so).
READERS = allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER, Role.GOVERNMENT_ANALYST)
SIDES = allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER)


def _page(request: Request, session: Session, viewer: Principal, match_id: int, *, status_code: int = 200,
          values: dict | None = None, errors: dict | None = None):
    match, side = service.open_for(session, viewer, match_id)
    view = service.detail(session, viewer, match, side)
    terms = view.explanation.shared_terms
    need_text = explain.highlight(view.need.description, terms) if view.need.description else None
    cap_text = explain.highlight(view.capability.description, terms) if view.capability.description else None
    return render(request, "matches/detail.html", status_code=status_code, m=view, need_text=need_text,
                  cap_text=cap_text, values=values or {}, errors=errors or {}, nda_version=NDA_VERSION,
                  reasons=[("", _("Choose a reason"))] + options(DeclineReason), levels=options(MajorLevel))


def _act(request: Request, session: Session, viewer: Principal, match_id: int, data: dict,
         work: Callable[[Match, str | None], str], *, then: Callable[[Match], str] | None = None):
    """Run one action in a savepoint; on success flash its message and redirect, else show why."""
    match, side = service.open_for(session, viewer, match_id)
    try:
        with session.begin_nested():
            message = work(match, side)
    except FormError as err:
        return _page(request, session, viewer, match_id, status_code=422, values=data, errors=err.errors)
    except AppError as err:
        return _page(request, session, viewer, match_id, status_code=err.status, values=data,
                     errors=app_error_to_form(err, data).errors)
    flash(request, message, "success")
    return RedirectResponse(then(match) if then else f"/matches/{match_id}", status_code=303)


def _side(side: str | None) -> str:
    if side is None:
        raise Forbidden(_("Only the firm and the university of this match can do this."))
    return side


@router.get("/matches/{match_id}")
def match_page(request: Request, match_id: IdPath, session: Db, viewer: Principal = Depends(READERS)):
    """The match both sides share."""
    return _page(request, session, viewer, match_id)


@router.post("/matches/{match_id}/interest")
def interest(request: Request, match_id: IdPath, session: Db, data: FormData, viewer: Principal = Depends(SIDES)):
    def work(match: Match, side: str | None) -> str:
        form = parse(InterestIn, data)
        service.express_interest(session, match, _side(side), proposal=form.proposal)
        if match.status == MatchStatus.ACCEPTED:
            return _("Both sides are interested: the match is accepted. You can now start a joint project.")
        return _("Your interest is recorded. The other side answers next.")

    return _act(request, session, viewer, match_id, data, work)


@router.post("/matches/{match_id}/decline")
def decline(request: Request, match_id: IdPath, session: Db, data: FormData, viewer: Principal = Depends(SIDES)):
    def work(match: Match, side: str | None) -> str:
        form = parse(DeclineIn, data)
        service.decline(session, match, side or ("admin" if viewer.is_admin else _side(side)), form.reason,
                        form.note)
        return _("The match is declined; it will not be proposed again.")

    return _act(request, session, viewer, match_id, data, work)


@router.post("/matches/{match_id}/messages")
def message(request: Request, match_id: IdPath, session: Db, data: FormData, viewer: Principal = Depends(SIDES)):
    def work(match: Match, side: str | None) -> str:
        _side(side)
        form = parse(MessageIn, data)
        service.post_message(session, match, viewer.user_id, viewer.organisation_id, form.body)
        return _("Your message is posted.")

    return _act(request, session, viewer, match_id, data, work)


@router.post("/matches/{match_id}/nda")
def nda(request: Request, match_id: IdPath, session: Db, data: FormData, viewer: Principal = Depends(SIDES)):
    def work(match: Match, side: str | None) -> str:
        form = parse(NdaIn, data)
        if not form.confirm:
            raise FormError({"confirm": _("Tick the box to confirm the statement.")}, data)
        service.confirm_nda(session, match, viewer.user_id)
        return _("Thank you. The non-disclosure statement is confirmed; the need's full text is shown below.")

    return _act(request, session, viewer, match_id, data, work)


@router.post("/matches/{match_id}/project")
def start_project(request: Request, match_id: IdPath, session: Db, data: FormData,
                  viewer: Principal = Depends(SIDES)):
    started: dict[str, int] = {}

    def work(match: Match, side: str | None) -> str:
        _side(side)
        form = parse(ProjectFromMatchIn, data)
        project = projects.start_from_match(session, match.id, title=form.title,
                                            contract_value_cny=form.contract_value_cny, major_level=form.major_level)
        started["id"] = project.id
        return _("The joint project is started. Add its milestones below.")

    return _act(request, session, viewer, match_id, data, work, then=lambda _m: f"/projects/{started['id']}")
