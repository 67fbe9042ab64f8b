"""Downloads of "my needs", "my capabilities", matches and projects as CSV or XLSX.

Each export is built from the same queries and the same visibility rules as its page (`backend.access`,
`backend.matches.views`): a confidential need of another firm appears by its summary only. A cell that a
spreadsheet would run as a formula (starting with =, +, - or @, or a tab or carriage return) is neutralised
with a leading apostrophe (OWASP's advice against CSV injection).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from backend.accounts.models import Role
from backend.auth import Principal, allow
from backend.capabilities import repository as capabilities
from backend.i18n import _
from backend.labels import label
from backend.matches import views
from backend.matches.models import Match
from backend.needs import repository as needs
from backend.needs.models import Need
from backend.projects import repository as projects
from backend.web import Db

router = APIRouter()
Format = Literal["csv", "xlsx"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 50_000


def neutralise(value: object) -> object:
    """A value safe to open in a spreadsheet: text that would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (int, float, date)):
        return value
    return neutralise(str(value))


def table_response(name: str, fmt: Format, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """The table as a CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX download."""
    cleaned = [[_cell(v) for v in row] for row in rows]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([neutralise(h) for h in headers])
        writer.writerows([[v.isoformat() if isinstance(v, (date, datetime)) else v for v in row] for row in cleaned])
        body, media = ("\ufeff" + buf.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = name[:31]
        sheet.append(list(headers))
        for row in cleaned:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        body = out.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    stamp = date.today().isoformat()
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.{fmt}"'})


FormatQuery = Query(default="xlsx", description="csv or xlsx")


@router.get("/needs/mine/export")
def export_my_needs(session: Db, format: Format = FormatQuery, viewer: Principal = Depends(allow(Role.FIRM_MEMBER))):
    """Every need of the viewer's firm (its own, so in full)."""
    rows = []
    if viewer.organisation_id is not None:
        found = list(session.scalars(needs.of_organisation(viewer.organisation_id).limit(MAX_ROWS)).unique())
        activity = needs.activity(session, found)
        for n in found:
            rows.append([n.id, n.title, label(n.status), label(n.visibility), n.chain.code if n.chain else None,
                         n.trl_min, n.trl_max, n.budget_min_cny, n.budget_max_cny, n.deadline,
                         activity[n.id].matches, n.created_at, activity[n.id].last_activity])
    headers = [_("Id"), _("Title"), _("Status"), _("Visibility"), _("Chain"), _("Lowest TRL"), _("Highest TRL"),
               _("Budget from (yuan)"), _("Budget up to (yuan)"), _("Deadline"), _("Matches"), _("Posted"),
               _("Last activity")]
    return table_response("needs", format, headers, rows)


@router.get("/capabilities/mine/export")
def export_my_capabilities(session: Db, format: Format = FormatQuery,
                           viewer: Principal = Depends(allow(Role.TECH_TRANSFER_OFFICER))):
    rows = []
    if viewer.organisation_id is not None:
        for cap, open_matches in capabilities.of_organisation(session, viewer.organisation_id)[:MAX_ROWS]:
            rows.append([cap.id, cap.title, label(cap.kind), label(cap.status), cap.chain.code if cap.chain else None,
                         cap.trl, cap.language, cap.contact, ", ".join(cap.patent_numbers), open_matches,
                         cap.created_at])
    headers = [_("Id"), _("Title"), _("Kind"), _("Status"), _("Chain"), "TRL", _("Language"), _("Contact person"),
               _("Patents"), _("Matches"), _("Posted")]
    return table_response("capabilities", format, headers, rows)


@router.get("/matches/export")
def export_matches(session: Db, format: Format = FormatQuery,
                   viewer: Principal = Depends(allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER))):
    """The matches of the viewer's organisation, from either side, as the match pages show them."""
    from backend.capabilities.models import Capability

    org = viewer.organisation_id or 0
    stmt = (select(Match).join(Need, Need.id == Match.need_id).join(Capability, Capability.id == Match.capability_id)
            .options(joinedload(Match.need).joinedload(Need.organisation),
                     joinedload(Match.capability).joinedload(Capability.organisation))
            .order_by(Match.proposed_at.desc(), Match.id.desc()).limit(MAX_ROWS))
    if not viewer.is_admin:
        stmt = stmt.where((Need.organisation_id == org) | (Capability.organisation_id == org))
    found = list(session.scalars(stmt).unique())
    rows = []
    for row in views.rows(session, viewer, found, need_side=False, keep_closed=True):
        m = row.match
        rows.append([m.id, row.title, row.organisation or "", m.capability.title, m.capability.organisation.name,
                     round(m.fused_score, 4), label(m.status) if row.show_status else "", m.proposed_at,
                     f"/matches/{m.id}"])
    headers = [_("Match"), _("Need"), _("Firm"), _("Capability"), _("Organisation"), _("Score"), _("Status"),
               _("Proposed"), _("Address")]
    return table_response("matches", format, headers, rows)


@router.get("/projects/export")
def export_projects(session: Db, format: Format = FormatQuery,
                    viewer: Principal = Depends(allow(Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER))):
    stmt = projects.of_organisation(None if viewer.is_admin else (viewer.organisation_id or 0)).limit(MAX_ROWS)
    rows = [[p.id, p.title, label(p.status), label(p.major_level), p.contract_value_cny, p.started_on, p.ended_on,
             p.created_at] for p in session.scalars(stmt)]
    headers = [_("Id"), _("Title"), _("Status"), _("Major-project level"), _("Contract value (yuan)"),
               _("Started"), _("Ended"), _("Created")]
    return table_response("projects", format, headers, rows)
