"""Bulk import pages: upload a sheet, watch its progress, read and download the per-row report."""

import time
from typing import Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import RedirectResponse

from backend.accounts.models import Role
from backend.auth import Principal, allow
from backend.errors import AppError, Forbidden
from backend.exports import table_response
from backend.i18n import _, current_locale
from backend.imports import service
from backend.imports.models import ImportKind, ImportStatus
from backend.labels import label
from backend.web import Db, IdPath, flash, render

router = APIRouter()
IMPORTERS = allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER)


def _kind(viewer: Principal) -> ImportKind:
    if viewer.role == Role.FIRM_MEMBER:
        return ImportKind.NEEDS
    if viewer.role == Role.TECH_TRANSFER_OFFICER:
        return ImportKind.CAPABILITIES
    raise Forbidden(_("Imports are made from the account of a firm's member or a technology-transfer officer."))


def _page(request: Request, session, viewer: Principal, *, status_code: int = 200, error: str | None = None):  # noqa: ANN001
    kind = _kind(viewer)
    return render(request, "imports/index.html", status_code=status_code, kind=kind,
                  columns=service.COLUMNS[kind], jobs=service.of_organisation(session, viewer.organisation_id),
                  error=error)


@router.get("/imports")
def imports_page(request: Request, session: Db, viewer: Principal = Depends(IMPORTERS)):
    return _page(request, session, viewer)


@router.post("/imports")
def upload(request: Request, session: Db, file: UploadFile | None = File(default=None),
           viewer: Principal = Depends(IMPORTERS)):
    kind = _kind(viewer)
    if file is None or not file.filename:
        return _page(request, session, viewer, status_code=422, error=_("Choose a CSV or XLSX file to upload."))
    content = file.file.read(service.MAX_BYTES + 1)
    try:
        job = service.start(session, kind=kind, organisation_id=viewer.organisation_id, user_id=viewer.user_id,
                            filename=file.filename, content=content)
    except service.UploadRefused as err:
        return _page(request, session, viewer, status_code=422, error=_(err.template, **err.params))
    except AppError as err:
        return _page(request, session, viewer, status_code=422, error=err.message)
    flash(request, _("The file is checked: %(n)s rows are being imported.", n=job.total_rows), "success")
    return RedirectResponse(f"/imports/{job.id}", status_code=303)


@router.get("/imports/template")
def template(format: Literal["csv", "xlsx"] = Query(default="xlsx"), viewer: Principal = Depends(IMPORTERS)):
    """An empty sheet with the columns in the reader's language and one example row."""
    columns = service.COLUMNS[_kind(viewer)]
    chinese = current_locale.get() == "zh_CN"
    headers = [(c.zh if chinese else c.en) + (" *" if c.required else "") for c in columns]
    name = "capabilities-template" if _kind(viewer) == ImportKind.CAPABILITIES else "needs-template"
    return table_response(name, format, headers, [[c.example for c in columns]])


@router.get("/imports/{job_id}")
def progress(request: Request, job_id: IdPath, session: Db, viewer: Principal = Depends(IMPORTERS)):
    job = service.get_for(session, job_id, viewer.organisation_id, viewer.is_admin)
    running = job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    left = None
    if running and job.started_at is not None and job.done_rows:
        elapsed = max(time.time() - job.started_at.timestamp(), 0.001)
        left = int(elapsed / job.done_rows * (job.total_rows - job.done_rows)) + 1
    rows = [] if running else service.report(session, job.id)
    matching = 0 if running else service.matching_left(session, job)
    return render(request, "imports/progress.html", job=job, running=running, seconds_left=left, rows=rows,
                  rejected=[r for r in rows if r.outcome.value == "rejected"], matching_left=matching,
                  percent=int(100 * job.done_rows / job.total_rows) if job.total_rows else 100)


@router.get("/imports/{job_id}/report")
def report_file(job_id: IdPath, session: Db, format: Literal["csv", "xlsx"] = Query(default="xlsx"),
                viewer: Principal = Depends(IMPORTERS)):
    job = service.get_for(session, job_id, viewer.organisation_id, viewer.is_admin)
    headers = [_("Line"), _("External id"), _("Outcome"), _("Field"), _("Reason"), _("Address")]
    base = "/capabilities/" if job.kind == ImportKind.CAPABILITIES else "/needs/"
    rows = [[r.line, r.external_id, label(r.outcome), r.field, r.message,
             f"{base}{r.posting_id}" if r.posting_id else None] for r in service.report(session, job.id)]
    return table_response(f"import-{job.id}-report", format, headers, rows)
