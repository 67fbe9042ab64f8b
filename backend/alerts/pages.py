"""The alerts page of the dashboard: open and resolved alerts, filtered and paged; assign and resolve.

For government analysts and admins. Every change is a plain form that posts back and redirects
(Post/Redirect/Get) with a flash message. A stale need is shown the way its own page would show it to the
reader: a confidential one by its summary, never its title or text (backend/access.py)."""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from backend import access
from backend.accounts.models import Role
from backend.alerts import repository, service
from backend.alerts.models import Alert, AlertKind, AlertStatus
from backend.alerts.schemas import AssignIn, ResolveIn
from backend.auth import Principal, allow
from backend.errors import AppError
from backend.forms import FormData, FormError, app_error_to_form, parse
from backend.i18n import _, format_day, format_number, lazy, localized
from backend.web import Db, IdPath, PageQuery, flash, page_args, render, templates

router = APIRouter()

ANALYST = allow(Role.GOVERNMENT_ANALYST)

KIND_NAMES = {
    AlertKind.STALE_NEED: lazy("Need without a response"),
    AlertKind.STALLED_PROJECT: lazy("Stalled project"),
    AlertKind.CHAIN_GAP: lazy("Chain without an active capability"),
    AlertKind.SCORE_DROP: lazy("Score drop"),
}
STATUS_NAMES = {AlertStatus.OPEN: lazy("awaiting action"), AlertStatus.RESOLVED: lazy("resolved")}
StatusFilter = Literal["open", "resolved", "all"]
KindFilter = Literal["", "stale_need", "stalled_project", "chain_gap", "score_drop"]


@dataclass
class AlertView:
    """An alert as the reader sees it: its kind and subject in words, and where the subject's page is."""

    alert: Alert
    kind: str
    subject: str
    facts: str
    link: str | None
    assignee: str | None
    resolved_by: str | None


def _person(user) -> str | None:  # noqa: ANN001 - a User or None
    return None if user is None else (user.full_name or user.email)


def _need_words(session: Session, viewer: Principal, need) -> tuple[str, str | None]:  # noqa: ANN001
    if need is None:
        return _("a need that no longer exists"), None
    if not access.can_see_need(viewer, need):
        return _("a need you cannot see"), None
    if access.can_read_need(session, viewer, need):
        return need.title, f"/needs/{need.id}"
    return need.summary or _("a confidential need"), f"/needs/{need.id}"


def describe(session: Session, viewer: Principal, alerts: list[Alert], today: date | None = None) -> list[AlertView]:
    """The alerts in the reader's words (a few queries for the whole list, none per alert)."""
    from backend.scores.pages import DIMENSION_NAMES

    today = today or service.today_in_shaoxing()
    needs = repository.needs(session, {a.need_id for a in alerts if a.need_id})
    projects = repository.projects(session, {a.project_id for a in alerts if a.project_id})
    chains = repository.chains(session, {a.chain_id for a in alerts if a.chain_id})
    regions = repository.regions(session, {a.region_id for a in alerts if a.region_id})
    people = repository.users(session, {u for a in alerts for u in (a.assignee_id, a.resolved_by_id) if u})
    out = []
    for a in alerts:
        d, link = a.detail or {}, None
        if a.kind == AlertKind.STALE_NEED:
            subject, link = _need_words(session, viewer, needs.get(a.need_id))
            posted = date.fromisoformat(d["posted_on"]) if d.get("posted_on") else None
            facts = _("posted %(day)s, no response within 14 days", day=format_day(posted)) if posted else ""
        elif a.kind == AlertKind.STALLED_PROJECT:
            project = projects.get(a.project_id)
            subject = project.title if project else _("a project that no longer exists")
            link = f"/projects/{a.project_id}" if project and viewer.is_admin else None
            facts = _("no milestone done since %(day)s", day=format_day(date.fromisoformat(d["since"]))) if d.get(
                "since") else ""
        elif a.kind == AlertKind.CHAIN_GAP:
            subject = localized(chains.get(a.chain_id))
            link = f"/needs?chain={chains[a.chain_id].code}" if a.chain_id in chains else None
            facts = _("%(n)s open needs, no active capability", n=format_number(d.get("open_needs", 0)))
        else:
            month = format_day(a.period_start) if a.period_start else ""
            subject = _("%(dimension)s in %(region)s, month of %(month)s",
                        dimension=_(DIMENSION_NAMES.get(a.dimension or "", a.dimension or "")),
                        region=localized(regions.get(a.region_id)), month=month)
            facts = _("from %(before)s to %(after)s (%(drop)s points down)",
                      before=format_number(round(d.get("previous") or 0, 1)),
                      after=format_number(round(d.get("value") or 0, 1)), drop=format_number(d.get("drop", 0)))
            link = f"/dashboard?region={regions[a.region_id].code}" if a.region_id in regions else "/dashboard"
        out.append(AlertView(a, _(KIND_NAMES[a.kind]), subject, facts, link, _person(people.get(a.assignee_id)),
                             _person(people.get(a.resolved_by_id))))
    return out


def open_alert_count(request: Request) -> int:
    """For the dashboard's partial `alerts/_open.html`: how many alerts are open."""
    session = getattr(request.state, "db_session", None)
    if session is None:
        return 0
    return repository.count_open(session)


templates.env.globals["open_alert_count"] = open_alert_count


@router.get("/dashboard/alerts")
def alert_list(request: Request, session: Db, status: StatusFilter = "open", kind: KindFilter = "",
               page: PageQuery = 1, viewer: Principal = Depends(ANALYST)):
    """The alerts, newest first, filtered by status and kind."""
    limit, offset = page_args(page)
    stmt = repository.listing(None if status == "all" else AlertStatus(status), AlertKind(kind) if kind else None)
    rows, total = repository.page(session, stmt, limit=limit, offset=offset)
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("kind", kind)) if v)
    return render(request, "alerts/list.html", alerts=describe(session, viewer, rows), total=total, page=page,
                  per_page=limit, base=f"/dashboard/alerts?{query}", values={"status": status, "kind": kind},
                  status_options=[("open", _("Awaiting action")), ("resolved", _("Resolved")), ("all", _("All"))],
                  kind_options=[("", _("All kinds"))] + [(k.value, _(words)) for k, words in KIND_NAMES.items()],
                  status_names=STATUS_NAMES)


def _page(request: Request, session: Session, viewer: Principal, alert_id: int, *, status_code: int = 200,
          values: dict | None = None, errors: dict | None = None):
    alert = repository.get(session, alert_id)
    view = describe(session, viewer, [alert])[0]
    analysts = [(str(u.id), _person(u)) for u in repository.analysts(session)]
    values = {"assignee_id": str(alert.assignee_id or (viewer.user_id if viewer.role == Role.GOVERNMENT_ANALYST
                                                        else ""))} | (values or {})
    return render(request, "alerts/detail.html", status_code=status_code, view=view, alert=alert,
                  analyst_options=[("", _("Choose an analyst"))] + analysts, values=values, errors=errors or {},
                  status_names=STATUS_NAMES)


@router.get("/dashboard/alerts/{alert_id}")
def alert_page(request: Request, alert_id: IdPath, session: Db, viewer: Principal = Depends(ANALYST)):
    return _page(request, session, viewer, alert_id)


def _act(request: Request, session: Session, viewer: Principal, alert_id: int, data: dict, work):  # noqa: ANN001
    repository.get(session, alert_id)  # 404 before anything else
    try:
        with session.begin_nested():
            message = work()
    except FormError as err:
        return _page(request, session, viewer, alert_id, status_code=422, values=data, errors=err.errors)
    except AppError as err:
        return _page(request, session, viewer, alert_id, status_code=err.status, values=data,
                     errors=app_error_to_form(err, data).errors)
    flash(request, message, "success")
    return RedirectResponse(f"/dashboard/alerts/{alert_id}", status_code=303)


@router.post("/dashboard/alerts/{alert_id}/assign")
def assign(request: Request, alert_id: IdPath, session: Db, data: FormData, viewer: Principal = Depends(ANALYST)):
    def work() -> str:
        form = parse(AssignIn, data)
        changed = service.assign(session, alert_id, form.assignee_id, by_user_id=viewer.user_id)
        return _("The alert is assigned.") if changed else _("The alert was assigned to this analyst already.")

    return _act(request, session, viewer, alert_id, data, work)


@router.post("/dashboard/alerts/{alert_id}/resolve")
def resolve(request: Request, alert_id: IdPath, session: Db, data: FormData, viewer: Principal = Depends(ANALYST)):
    def work() -> str:
        form = parse(ResolveIn, data)
        service.resolve(session, alert_id, form.note, by_user_id=viewer.user_id)
        return _("The alert is resolved.")

    return _act(request, session, viewer, alert_id, data, work)
