"""Server-rendered pages of needs: a firm's own needs, the form to post and edit one, its status steps, and
a need's page (the board is in backend.boards)."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import access, postings
from backend.accounts.models import Role
from backend.auth import Principal, allow, anyone
from backend.chains.models import IndustryChain
from backend.errors import AppError, Forbidden, InvalidTransition, NotFound
from backend.forms import FormData, FormError, app_error_to_form, parse
from backend.i18n import _, lazy, localized
from backend.labels import label, options
from backend.matches import repository as match_repository
from backend.matches import views
from backend.needs import repository, service
from backend.needs.models import NEED_TRANSITIONS, Need, NeedStatus, Visibility
from backend.needs.schemas import NeedForm, split_keywords
from backend.organisations import repository as orgs
from backend.regions.models import Region
from backend.web import Db, IdPath, PageQuery, flash, page_args, render
from matching import lexical
from matching.text import posting_text

router = APIRouter()

FIRM = allow(Role.FIRM_MEMBER)
PER_PAGE = 50


def visible_need(session, viewer: Principal, need_id: int):  # noqa: ANN001, ANN201
    """The need if it exists for this viewer; a hidden one is a 404 like a missing one."""
    need = repository.get(session, need_id)
    if not access.can_see_need(viewer, need):
        raise NotFound(f"need {need_id} does not exist")
    return need


def own_need(session, viewer: Principal, need_id: int) -> Need:  # noqa: ANN001
    """A need the viewer's firm owns (admins: any); for anyone else it does not exist (404, not 403)."""
    need = repository.get(session, need_id)
    if not access.owns_need(viewer, need):
        raise NotFound(f"need {need_id} does not exist")
    return need


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _firm_of(session: Session, viewer: Principal):  # noqa: ANN202
    if viewer.organisation_id is None:
        raise Forbidden(_("Needs are posted from the account of a firm's member."))
    return orgs.get(session, viewer.organisation_id)


# "My needs" and the form come before /needs/{need_id}, so that "mine" and "new" are not taken for ids.

@router.get("/needs/mine")
def my_needs(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(FIRM)):
    """Every need of the viewer's firm, whatever its status, with its matches and the newest response."""
    org = orgs.get(session, viewer.organisation_id) if viewer.organisation_id is not None else None
    limit, offset = page_args(page, PER_PAGE)
    needs, total = ([], 0) if org is None else postings.page(
        session, repository.of_organisation(org.id), limit=limit, offset=offset)
    return render(request, "needs/mine.html", org=org, needs=needs, total=total, page=page, per_page=limit,
                  activity=repository.activity(session, needs), today=repository.today())


def _form_choices(session: Session, values: dict) -> dict:
    """Options of the selects (names in the reader's language) and the language detected in the text."""
    chains = session.scalars(select(IndustryChain).order_by(IndustryChain.id))
    text = posting_text(str(values.get("title") or ""), str(values.get("description") or ""),
                        split_keywords(str(values.get("keywords") or "")))
    detected = lexical.detect_language(text) if text.strip() else None
    return {
        "chain_options": [("", _("not specified"))] + [(c.code, localized(c)) for c in chains],
        "region_options": [("", _("the firm's own region"))] + [(r.code, localized(r))
                                                                  for r in service.regions(session)],
        "trl_options": [(str(n), str(n)) for n in range(1, 10)],
        "visibility_options": options(Visibility),
        "language_options": [("auto", _("detect from the text")), ("zh", label("zh")), ("en", label("en"))],
        "detected": label(detected) if detected else None,
    }


def _form(request: Request, session: Session, *, values: dict, errors: dict | None = None,
          need: Need | None = None, status_code: int = 200):  # noqa: ANN202
    return render(request, "needs/form.html", status_code=status_code, values=values, errors=errors or {},
                  need=need, **_form_choices(session, values))


def _values_of(need: Need, session: Session) -> dict:
    """The form's values for an existing need."""
    region = session.get(Region, need.region_id) if need.region_id else None
    return {
        "title": need.title, "description": need.description, "summary": need.summary or "",
        "chain": need.chain.code if need.chain else "", "region": region.code if region else "",
        "trl_min": str(need.trl_min), "trl_max": str(need.trl_max),
        "budget_min_cny": "" if need.budget_min_cny is None else f"{need.budget_min_cny:f}",
        "budget_max_cny": "" if need.budget_max_cny is None else f"{need.budget_max_cny:f}",
        "deadline": need.deadline.isoformat() if need.deadline else "", "visibility": need.visibility.value,
        "language": need.language_chosen or "auto", "keywords": "、".join(need.keywords or []),
    }


@router.get("/needs/new")
def new_need_form(request: Request, session: Db, viewer: Principal = Depends(FIRM)):
    org = _firm_of(session, viewer)
    # The problem is where the firm is, unless the firm says otherwise.
    region = next((r.code for r in service.regions(session) if r.id == org.region_id), "")
    values = {"visibility": "public", "trl_min": "1", "trl_max": "9", "language": "auto", "region": region}
    return _form(request, session, values=values)


@router.post("/needs/new")
def post_need(request: Request, session: Db, data: FormData, viewer: Principal = Depends(FIRM)):
    """Post a need for the viewer's own firm (any organisation id in the form is ignored)."""
    org = _firm_of(session, viewer)
    try:
        form = parse(NeedForm, data)
        if form.deadline is not None and form.deadline < repository.today():
            raise FormError({"deadline": _("The deadline must not lie in the past.")}, data)
        with session.begin_nested():
            need = service.create(session, form.to_input(org.id), draft=not viewer.org_verified)
    except FormError as err:
        return _form(request, session, values=data, errors=err.errors, status_code=422)
    except AppError as err:
        if err.status == 404:
            raise
        return _form(request, session, values=data, errors=app_error_to_form(err, data).errors, status_code=422)
    if need.status == NeedStatus.DRAFT:
        flash(request, _("Your need is saved as a draft. You can publish it once an administrator has verified "
                         "your organisation."), "info")
    else:
        flash(request, _("Your need is posted. Matching universities appear on this page in a moment."), "success")
    return _see_other(f"/needs/{need.id}")


@router.get("/needs/{need_id}/edit")
def edit_need_form(request: Request, need_id: IdPath, session: Db, viewer: Principal = Depends(FIRM)):
    need = own_need(session, viewer, need_id)
    return _form(request, session, values=_values_of(need, session), need=need)


@router.post("/needs/{need_id}/edit")
def edit_need(request: Request, need_id: IdPath, session: Db, data: FormData, viewer: Principal = Depends(FIRM)):
    need = own_need(session, viewer, need_id)
    try:
        form = parse(NeedForm, data)
        if form.deadline is not None and form.deadline < repository.today() and form.deadline != need.deadline:
            raise FormError({"deadline": _("The new deadline must not lie in the past.")}, data)
        with session.begin_nested():
            service.update(session, need, form.to_update())
    except FormError as err:
        return _form(request, session, values=data, errors=err.errors, need=need, status_code=422)
    except AppError as err:
        if err.status == 404:
            raise
        return _form(request, session, values=data, errors=app_error_to_form(err, data).errors, need=need,
                     status_code=422)
    flash(request, _("Your changes are saved."), "success")
    return _see_other(f"/needs/{need.id}")


# The words of each step's button and of its confirmation.
STEPS = {
    NeedStatus.OPEN: (lazy("Publish"), lazy("The need is published and matched with universities' capabilities.")),
    NeedStatus.IN_PROGRESS: (lazy("Mark as in progress"), lazy("The need is marked as in progress.")),
    NeedStatus.SOLVED: (lazy("Mark as solved"), lazy("The need is marked as solved. Congratulations!")),
    NeedStatus.CLOSED: (lazy("Close the need"), lazy("The need is closed. It no longer appears on the board.")),
}
REOPEN = (lazy("Reopen"), lazy("The need is open again."))


def _words(previous: NeedStatus, to: NeedStatus) -> tuple[str, str]:
    return REOPEN if to == NeedStatus.OPEN and previous != NeedStatus.DRAFT else STEPS[to]


@router.post("/needs/{need_id}/status")
def change_status(request: Request, need_id: IdPath, session: Db, data: FormData,
                  viewer: Principal = Depends(FIRM)):
    """One step of the need's lifecycle (publish a draft, in progress, solved, close)."""
    need = own_need(session, viewer, need_id)
    back = _see_other(f"/needs/{need.id}")
    try:
        to = NeedStatus(str(data.get("to", "")))
    except ValueError:
        flash(request, _("Choose one of the offered options."), "error")
        return back
    previous = need.status
    try:
        with session.begin_nested():
            service.transition(session, need, to)
    except service.AwaitingVerification:
        flash(request, _("Your organisation waits for an administrator's verification. Until then the need stays "
                         "a draft; you can publish it once your organisation is verified."), "error")
        return back
    except InvalidTransition:
        flash(request, _("A need that is “%(from)s” cannot become “%(to)s”.", **{"from": label(previous),
                                                                             "to": label(to)}), "error")
        return back
    flash(request, _(_words(previous, to)[1]), "success")
    return back


@router.get("/needs/{need_id}")
def need_detail(request: Request, need_id: IdPath, session: Db, viewer: Principal = Depends(anyone()),
                show_all: bool = Query(False, alias="all")):
    need = visible_need(session, viewer, need_id)
    readable = access.can_read_need(session, viewer, need)
    found = match_repository.for_need(session, need_id, include_declined=True) if readable else []
    rows, more = views.first(views.rows(session, viewer, found, need_side=True), show_all)
    owner = access.owns_need(viewer, need)
    steps = []
    if owner:
        following = sorted(NEED_TRANSITIONS[need.status], key=list(NeedStatus).index)
        steps = [(to.value, _(_words(need.status, to)[0])) for to in following]
    return render(request, "needs/detail.html", need=need, rows=rows, more=more, readable=readable, owner=owner,
                  steps=steps,
                  deadline_passed=owner and service.deadline_passed(need), org_verified=viewer.org_verified)
