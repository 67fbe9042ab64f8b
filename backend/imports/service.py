"""Bulk import: check an uploaded sheet, then write its rows one by one in the worker.

An upload is refused at once when it is too large (> 5 MB), not a CSV or XLSX file, misses a required
column, or has more than 5,000 rows. Otherwise its rows are kept on the job and the `imports.run` task
writes them: each row whole (posting, ledger event, matching queued) or not at all, in its own savepoint;
a rejected row is reported with its line, field and reason. A row's external id names the posting it
updates when the same sheet is imported again.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import jobs
from backend.errors import AppError, InvalidInput, NotFound
from backend.i18n import lazy
from backend.imports.models import ImportJob, ImportKind, ImportRow, ImportStatus, RowOutcome

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
CHUNK = 50
FORMULA_START = ("=", "+", "-", "@")
LIST_SPLIT = re.compile(r"[,，、;；\n]+")


@dataclass(frozen=True)
class Column:
    field: str
    en: str
    zh: str
    required: bool = False
    example: str = ""


CAPABILITY_COLUMNS = (
    Column("external_id", "External id", "外部编号", True, "CAP-2026-001"),
    Column("kind", "Kind", "类型", True, "patent"),
    Column("title", "Title", "标题", True, "风电轴承滚子磨削烧伤在线检测"),
    Column("description", "Description", "描述", True, "基于巴克豪森噪声的滚子磨削烧伤在线检测方法与装置。"),
    Column("chain", "Chain", "产业链", False, "bearings"),
    Column("trl", "TRL", "技术成熟度", False, "6"),
    Column("keywords", "Keywords", "关键词", False, "磨削烧伤、巴克豪森噪声"),
    Column("team", "Team", "团队", False, "精密制造研究所"),
    Column("patent_numbers", "Patent numbers", "专利号", False, "CN202610000001.X"),
    Column("contact", "Contact person", "联系人", False, "李老师 0575-0000000"),
    Column("language", "Language", "语言", False, "auto"),
)
NEED_COLUMNS = (
    Column("external_id", "External id", "外部编号", True, "NEED-2026-001"),
    Column("title", "Title", "标题", True, "风电轴承滚子磨削烧伤"),
    Column("description", "Description", "描述", True, "滚子精密磨削后表面出现烧伤，圆度超差。"),
    Column("summary", "Summary for outsiders", "对外摘要", False, ""),
    Column("chain", "Chain", "产业链", False, "bearings"),
    Column("region", "Region", "问题所在地", False, "330624"),
    Column("trl_min", "Lowest TRL", "最低技术成熟度", False, "4"),
    Column("trl_max", "Highest TRL", "最高技术成熟度", False, "8"),
    Column("budget_min_cny", "Budget from (yuan)", "预算下限（元）", False, "300000"),
    Column("budget_max_cny", "Budget up to (yuan)", "预算上限（元）", False, "800000"),
    Column("deadline", "Deadline", "截止日期", False, ""),
    Column("visibility", "Visibility", "可见范围", False, "public"),
    Column("language", "Language", "语言", False, "auto"),
    Column("keywords", "Keywords", "关键词", False, "磨削烧伤、圆度"),
)
COLUMNS = {ImportKind.CAPABILITIES: CAPABILITY_COLUMNS, ImportKind.NEEDS: NEED_COLUMNS}

# Words people write in a sheet for the codes the platform stores.
SYNONYMS = {
    "kind": {"专业技术": "expertise", "专利": "patent", "仪器设备": "equipment", "设备": "equipment",
             "待转化成果": "result", "成果": "result", "result ready for transfer": "result"},
    "visibility": {"公开": "public", "仅注册用户可见": "registered", "注册用户": "registered", "保密": "confidential",
                   "registered users only": "registered"},
    "language": {"自动": "auto", "中文": "zh", "英文": "en", "chinese": "zh", "english": "en", "": "auto"},
}

TOO_LARGE = lazy("The file is larger than 5 MB; split it into smaller files.")
WRONG_TYPE = lazy("Upload a CSV file or an Excel workbook (.xlsx).")
NO_ROWS = lazy("The file holds no rows below its header.")
TOO_MANY = lazy("The file has more than 5,000 rows; split it into smaller files.")
MISSING_COLUMNS = lazy("Required columns are missing: %(columns)s. Start from the template.")
UNREADABLE = lazy("The file cannot be read as CSV or XLSX: %(reason)s")


class UploadRefused(InvalidInput):
    """An upload refused as a whole; `template` and `params` let a page say it in the reader's language."""

    def __init__(self, template: str, **params: object):
        super().__init__(template % params if params else template, field="file")
        self.template = template
        self.params = params


def _header_key(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


def _column_index(kind: ImportKind) -> dict[str, str]:
    index = {}
    for col in COLUMNS[kind]:
        for name in (col.field, col.en, col.zh):
            index[_header_key(name)] = col.field
    return index


def _read_csv(content: bytes) -> list[list[str]]:
    """Rows of a CSV file: UTF-8 (with or without BOM), else GB18030 (what Excel in China saves).

    A UTF-8 file with a few broken bytes stays UTF-8 (the rows holding them are rejected one by one);
    read as GB18030 it would silently turn into nonsense characters.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        lenient = content.decode("utf-8-sig", errors="replace")
        if lenient.count("\ufffd") <= max(3, len(lenient) // 200):
            text = lenient
        else:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError:
                text = lenient
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(content: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read_sheet(filename: str, content: bytes) -> list[list[object]]:
    """The rows of an uploaded file, header first; a clear refusal for anything else."""
    if len(content) > MAX_BYTES:
        raise UploadRefused(TOO_LARGE)
    name = filename.lower()
    is_zip = content[:4] == b"PK\x03\x04"
    try:
        if name.endswith(".xlsx") and is_zip:
            return _read_xlsx(content)
        if name.endswith((".csv", ".txt")) and not is_zip and b"\x00" not in content[:4096]:
            return _read_csv(content)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, csv.Error) as err:
        raise UploadRefused(UNREADABLE, reason=str(err)[:200]) from err
    raise UploadRefused(WRONG_TYPE)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_upload(kind: ImportKind, filename: str, content: bytes) -> list[dict]:
    """The rows of an upload as {"line", "values"} (line numbers as a spreadsheet shows them), or a refusal."""
    sheet = read_sheet(filename, content)
    while sheet and not any(_text(v) for v in sheet[0]):
        sheet = sheet[1:]
    if not sheet:
        raise UploadRefused(NO_ROWS)
    index = _column_index(kind)
    header = [index.get(_header_key(h)) for h in sheet[0]]
    missing = [c for c in COLUMNS[kind] if c.required and c.field not in header]
    if missing:
        raise UploadRefused(MISSING_COLUMNS, columns=", ".join(f"{c.zh} / {c.en}" for c in missing))
    rows = []
    for n, raw in enumerate(sheet[1:], start=2):
        values = {field: _text(v) for field, v in zip(header, raw, strict=False) if field}
        if any(values.values()):
            rows.append({"line": n, "values": values})
    if not rows:
        raise UploadRefused(NO_ROWS)
    if len(rows) > MAX_ROWS:
        raise UploadRefused(TOO_MANY)
    return rows


def start(session: Session, *, kind: ImportKind, organisation_id: int, user_id: int | None, filename: str,
          content: bytes) -> ImportJob:
    """Check an upload and queue its import (after commit)."""
    rows = check_upload(kind, filename, content)
    job = ImportJob(organisation_id=organisation_id, user_id=user_id, kind=kind, filename=filename[:255],
                    rows=rows, total_rows=len(rows))
    session.add(job)
    session.flush()
    jobs.enqueue(session, "imports.run", job.id)
    return job


def get_for(session: Session, job_id: int, organisation_id: int | None, is_admin: bool = False) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None or not (is_admin or job.organisation_id == organisation_id):
        raise NotFound(f"import {job_id} does not exist")
    return job


def of_organisation(session: Session, organisation_id: int) -> list[ImportJob]:
    return list(session.scalars(select(ImportJob).where(ImportJob.organisation_id == organisation_id)
                                .order_by(ImportJob.created_at.desc(), ImportJob.id.desc()).limit(50)))


def report(session: Session, job_id: int) -> list[ImportRow]:
    return list(session.scalars(select(ImportRow).where(ImportRow.job_id == job_id).order_by(ImportRow.line)))


def matching_left(session: Session, job: ImportJob) -> int:
    """How many of the job's imported postings still wait for matching."""
    from backend.base import MatchState
    from backend.capabilities.models import Capability
    from backend.needs.models import Need

    model = Capability if job.kind == ImportKind.CAPABILITIES else Need
    ids = select(ImportRow.posting_id).where(ImportRow.job_id == job.id, ImportRow.outcome != RowOutcome.REJECTED)
    return int(session.scalar(select(func.count()).select_from(model).where(
        model.id.in_(ids), model.match_state != MatchState.DONE, model.embedding.is_(None) | (
            model.match_state == MatchState.PENDING))) or 0)


# Writing rows (the worker).

def _list(value: str) -> list[str]:
    return [v.strip() for v in LIST_SPLIT.split(value or "") if v.strip()]


def _code(field: str, value: str) -> str:
    key = value.strip().lower()
    return SYNONYMS.get(field, {}).get(value.strip(), SYNONYMS.get(field, {}).get(key, key))


def _chain_code(session: Session, value: str) -> str | None:
    from backend.chains.models import IndustryChain

    if not value.strip():
        return None
    found = session.scalar(select(IndustryChain.code).where(
        (IndustryChain.code == value.strip()) | (IndustryChain.name_zh == value.strip())
        | (func.lower(IndustryChain.name_en) == value.strip().lower())))
    return found or value.strip()  # an unknown chain is refused by the service, naming the field


def _problem(values: dict) -> tuple[str, str] | None:
    """A cell the import refuses before the services see it: a formula, or text that was not valid UTF-8."""
    for field, value in values.items():
        if isinstance(value, str) and value.startswith(FORMULA_START) and field not in ("budget_min_cny",
                                                                                      "budget_max_cny", "trl"):
            return field, "a cell starts with a formula character (=, +, - or @); formulas are not imported"
        if isinstance(value, str) and "\ufffd" in value:
            return field, "the text is not valid UTF-8 (wrong encoding); save the file as UTF-8 CSV or XLSX"
    return None


def _capability(session: Session, org_id: int, values: dict, existing, draft: bool):  # noqa: ANN001, ANN202
    from backend.capabilities import service as capabilities
    from backend.capabilities.schemas import CapabilityIn, CapabilityUpdate

    fields = {
        "kind": _code("kind", values.get("kind", "")), "title": values.get("title", ""),
        "description": values.get("description", ""), "chain": _chain_code(session, values.get("chain", "")),
        "trl": values.get("trl") or None, "keywords": _list(values.get("keywords", "")),
        "team": values.get("team") or None, "patent_numbers": _list(values.get("patent_numbers", "")),
        "contact": values.get("contact") or None, "language": _code("language", values.get("language", "")),
    }
    if existing is not None:
        return capabilities.update(session, existing, CapabilityUpdate(**fields)), RowOutcome.UPDATED
    return capabilities.create(session, CapabilityIn(organisation_id=org_id, **fields), draft=draft), \
        RowOutcome.CREATED


def _need(session: Session, org_id: int, values: dict, existing, draft: bool):  # noqa: ANN001, ANN202
    from backend.needs import service as needs
    from backend.needs.schemas import NeedIn, NeedUpdate

    fields = {
        "title": values.get("title", ""), "description": values.get("description", ""),
        "summary": values.get("summary") or None, "chain": _chain_code(session, values.get("chain", "")),
        "region": values.get("region") or None, "trl_min": values.get("trl_min") or 1,
        "trl_max": values.get("trl_max") or 9, "budget_min_cny": values.get("budget_min_cny") or None,
        "budget_max_cny": values.get("budget_max_cny") or None, "deadline": values.get("deadline") or None,
        "visibility": _code("visibility", values.get("visibility", "")) or "public",
        "language": _code("language", values.get("language", "")), "keywords": _list(values.get("keywords", "")),
    }
    if existing is not None:
        return needs.update(session, existing, NeedUpdate(**fields)), RowOutcome.UPDATED
    return needs.create(session, NeedIn(organisation_id=org_id, **fields), draft=draft), RowOutcome.CREATED


def _existing(session: Session, job: ImportJob, external_id: str):  # noqa: ANN202
    from backend.capabilities.models import Capability
    from backend.needs.models import Need

    model = Capability if job.kind == ImportKind.CAPABILITIES else Need
    return session.scalar(select(model).where(model.organisation_id == job.organisation_id,
                                              model.external_id == external_id))


def _field_of(err: ValidationError) -> tuple[str | None, str]:
    first = err.errors()[0]
    loc = [str(p) for p in first.get("loc", ()) if not isinstance(p, int)]
    return (loc[0] if loc else None), str(first.get("msg", "")).removeprefix("Value error, ")


def write_row(session: Session, job: ImportJob, row: dict, *, draft: bool) -> ImportRow:
    """Write one row whole, or nothing of it, and record its outcome."""
    values, line = row["values"], row["line"]
    external_id = (values.get("external_id") or "").strip()[:100] or None
    outcome = ImportRow(job_id=job.id, line=line, external_id=external_id)
    problem = _problem(values)
    if external_id is None:
        problem = ("external_id", "every row needs an external id (your own reference for the posting)")
    if problem is not None:
        outcome.outcome, (outcome.field, outcome.message) = RowOutcome.REJECTED, problem
    else:
        try:
            with session.begin_nested():
                existing = _existing(session, job, external_id)
                write = _capability if job.kind == ImportKind.CAPABILITIES else _need
                posting, result = write(session, job.organisation_id, values, existing, draft)
                posting.external_id = external_id
                session.flush()
            outcome.outcome, outcome.posting_id = result, posting.id
        except ValidationError as err:
            outcome.outcome = RowOutcome.REJECTED
            outcome.field, outcome.message = _field_of(err)
        except AppError as err:
            outcome.outcome, outcome.field, outcome.message = RowOutcome.REJECTED, err.field, err.message
    session.add(outcome)
    return outcome


def run(session_factory, job_id: int) -> ImportJob | None:  # noqa: ANN001 - a session_scope callable
    """Write every row of a job not written yet, a chunk per transaction (progress shows between chunks)."""
    from backend.organisations.models import Organisation

    with session_factory() as session:
        job = session.get(ImportJob, job_id, with_for_update=True)
        if job is None or job.status == ImportStatus.DONE:
            return job
        job.status = ImportStatus.RUNNING
        job.started_at = job.started_at or datetime.now(UTC)
        rows = list(job.rows)
    while True:
        with session_factory() as session:
            job = session.get(ImportJob, job_id, with_for_update=True)
            done = set(session.scalars(select(ImportRow.line).where(ImportRow.job_id == job_id)))
            todo = [r for r in rows if r["line"] not in done][:CHUNK]
            if not todo:
                job.status, job.finished_at, job.rows = ImportStatus.DONE, datetime.now(UTC), []
                return job
            draft = not session.scalar(select(Organisation.is_verified)
                                       .where(Organisation.id == job.organisation_id))
            for row in todo:
                result = write_row(session, job, row, draft=draft)
                job.done_rows += 1
                if result.outcome == RowOutcome.CREATED:
                    job.created_count += 1
                elif result.outcome == RowOutcome.UPDATED:
                    job.updated_count += 1
                else:
                    job.rejected_count += 1
            # One matching sweep per chunk instead of one job per posting: the sweep embeds them in batches.
            pending = session.info.get("pending_jobs", [])
            session.info["pending_jobs"] = [j for j in pending
                                            if j[0] not in ("matches.match_need", "matches.match_capability")]
            jobs.enqueue(session, "matches.sweep_pending")
