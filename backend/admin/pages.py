"""The admin's pages: organisations waiting for verification, the mail outbox, score targets per region."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from backend.accounts.models import Role
from backend.admin import service
from backend.auth import Principal, allow
from backend.errors import AppError, NotFound
from backend.forms import FormData
from backend.i18n import _, lazy, localized
from backend.organisations import repository as organisations
from backend.organisations import service as organisation_service
from backend.web import Db, IdPath, PageQuery, flash, page_args, render

router = APIRouter()


def _home(request: Request, session, *, status_code: int = 200, values: dict | None = None,  # noqa: ANN001
          errors: dict | None = None, error_org: int | None = None):
    return render(request, "admin/home.html", status_code=status_code, pending=service.pending(session),
                  org_counts=service.organisation_counts(session), user_counts=service.user_counts(session),
                  values=values or {}, errors=errors or {}, error_org=error_org)


@router.get("/admin")
def admin_home(request: Request, session: Db, viewer: Principal = Depends(allow(Role.ADMIN))):
    return _home(request, session)


def _name(org) -> str:  # noqa: ANN001
    return org.name + (f" / {org.name_en}" if org.name_en else "")


@router.post("/admin/organisations/{org_id}/verify")
def verify(request: Request, org_id: IdPath, session: Db, viewer: Principal = Depends(allow(Role.ADMIN))):
    org = organisations.get(session, org_id)
    try:
        with session.begin_nested():
            organisation_service.verify(session, org)
    except AppError:
        flash(request, _("%(name)s is already verified.", name=_name(org)), "error")
        return RedirectResponse("/admin", status_code=303)
    service.tell_members(session, org, verified=True)
    flash(request, _("%(name)s is verified; its members were told by mail.", name=_name(org)), "success")
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/organisations/{org_id}/reject")
def reject(request: Request, org_id: IdPath, session: Db, data: FormData,
           viewer: Principal = Depends(allow(Role.ADMIN))):
    org = organisations.get(session, org_id)
    if org.is_verified or org.rejected_at is not None:
        flash(request, _("%(name)s was already decided on.", name=_name(org)), "error")
        return RedirectResponse("/admin", status_code=303)
    note = str(data.get("note", "")).strip()
    try:
        with session.begin_nested():
            organisation_service.reject(session, org, note)
    except AppError:
        message = (_("Say why, in at most 2,000 characters: the members read this note.") if note
                   else _("Say why the organisation is rejected: its members read this note."))
        return _home(request, session, status_code=422, values={"note": note}, errors={"note": message},
                     error_org=org.id)
    service.tell_members(session, org, verified=False, note=note)
    flash(request, _("%(name)s is rejected; its members were told by mail.", name=_name(org)), "success")
    return RedirectResponse("/admin", status_code=303)


@router.get("/admin/outbox")
def outbox(request: Request, session: Db, page: PageQuery = 1, viewer: Principal = Depends(allow(Role.ADMIN))):
    limit, offset = page_args(page, per_page=50)
    mails, total = service.outbox_page(session, limit=limit, offset=offset)
    return render(request, "admin/outbox.html", mails=mails, total=total, page=page, per_page=limit)


@router.get("/admin/outbox/{mail_id}")
def outbox_mail(request: Request, mail_id: IdPath, session: Db, viewer: Principal = Depends(allow(Role.ADMIN))):
    mail = service.outbox_mail(session, mail_id)
    if mail is None:
        raise NotFound(_("This mail does not exist."))
    return render(request, "admin/outbox_mail.html", mail=mail)


TARGET_ERRORS = {
    "missing": lazy("Enter a number."),
    "not_a_number": lazy("Enter a number, such as 12 or 0.5."),
    "negative": lazy("Enter zero or more."),
    "over_100": lazy("A percentage is at most 100."),
    "not_above_worst": lazy("The target must be above the value that scores 0: more is better here."),
    "not_below_worst": lazy("The target must be below the value that scores 0: less is better here."),
    "unknown_component": lazy("This component does not exist."),
    "unknown_region": lazy("Choose Shaoxing or one of its districts."),
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _targets_page(request: Request, session, region_code: str, *, status_code: int = 200,  # noqa: ANN001
                  values: dict | None = None, errors: dict | None = None):
    from backend.scores import service as scores
    from backend.scores.pages import COMPONENT_NAMES, DIMENSION_NAMES, UNIT_NAMES

    codes = scores.home_region_codes(session)
    regions = scores.repository.regions_by_code(session, codes)
    rows = scores.targets(session, region_code)
    shown = {}
    for row in rows:
        shown[f"{row.component}.target"] = _number(row.current.target)
        shown[f"{row.component}.worst"] = _number(row.current.worst)
    shown |= values or {}
    dimensions = [(DIMENSION_NAMES[d], [r for r in rows if r.dimension.value == d])
                  for d in DIMENSION_NAMES]
    return render(request, "admin/targets.html", status_code=status_code, region=region_code,
                  region_options=[(code, localized(regions[code])) for code in codes if code in regions],
                  dimensions=dimensions, names=COMPONENT_NAMES, units=UNIT_NAMES, values=shown,
                  errors=errors or {}, number=_number)


@router.get("/admin/targets")
def targets(request: Request, session: Db, region: str | None = None,
            viewer: Principal = Depends(allow(Role.ADMIN))):
    from backend.scores import service as scores

    codes = scores.home_region_codes(session)
    if region not in codes:
        region = codes[0] if codes else ""
    return _targets_page(request, session, region)


@router.post("/admin/targets")
def save_targets(request: Request, session: Db, data: FormData, viewer: Principal = Depends(allow(Role.ADMIN))):
    from backend.scores import service as scores
    from backend.scores.components import COMPONENTS

    region = str(data.get("region", ""))
    submitted = {c.code: (str(data.get(f"{c.code}.target", "")), str(data.get(f"{c.code}.worst", "")))
                 for c in COMPONENTS if f"{c.code}.target" in data or f"{c.code}.worst" in data}
    try:
        with session.begin_nested():
            changed = scores.set_targets(session, region, submitted, by_user_id=viewer.user_id)
    except scores.InvalidTargets as err:
        if "region" in err.errors:
            flash(request, _(TARGET_ERRORS["unknown_region"]), "error")
            return RedirectResponse("/admin/targets", status_code=303)
        messages = {key: _(TARGET_ERRORS[code]) for key, code in err.errors.items()}
        return _targets_page(request, session, region, status_code=422, values=data, errors=messages)
    if changed:
        flash(request, _("Targets saved; the region's scores were recomputed against them."), "success")
    else:
        flash(request, _("Nothing changed."), "info")
    return RedirectResponse(f"/admin/targets?region={region}", status_code=303)
