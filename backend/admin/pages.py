"""The admin's pages: organisations waiting for verification, the mail outbox."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from backend.accounts.models import Role
from backend.admin import service
from backend.auth import Principal, allow
from backend.errors import AppError, NotFound
from backend.forms import FormData
from backend.i18n import _
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
