"""Bulk import: good rows are written whole, bad rows are reported with their line and reason, nothing is
half-written, and importing the same file again updates instead of duplicating."""

import contextlib
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from backend.accounts.models import Role
from backend.capabilities.models import Capability
from backend.imports import service
from backend.imports.models import ImportJob, ImportRow, ImportStatus, RowOutcome
from backend.ledger.models import CollaborationEvent
from backend.needs.models import Need
from backend.organisations.models import OrgKind
from tests.common.factories import create_org
from tests.common.portal import create_user, csrf_token, sign_in

HEADER = "外部编号,类型,标题,描述,产业链,技术成熟度,关键词,联系人\n"
GOOD = ["CAP-1,patent,滚子磨削烧伤在线检测,基于巴克豪森噪声的磨削烧伤检测。,bearings,6,磨削烧伤、巴克豪森噪声,李老师",
        "CAP-2,专业技术,谐波减速器柔性轴承寿命,柔性轴承疲劳寿命试验。,机器人与减速器,5,,王老师",
        "CAP-3,equipment,Grinding burn test rig,A test rig for grinding burn on rollers.,Bearings,,,Dr. Li"]
BAD = {
    "CAP-4,patent,,没有标题的一行。,bearings,6,,": "title",                      # missing field
    "CAP-5,patent,未知产业链,产业链写错了。,spaceships,6,,": "chain",               # unknown chain
    "CAP-6,patent,成熟度错误,技术成熟度写成了12。,bearings,12,,": "trl",            # bad TRL
    "CAP-7,patent," + "长" * 301 + ",标题过长。,bearings,6,,": "title",            # over-long text
    "CAP-8,patent,=cmd|' /C calc'!A0,公式注入。,bearings,6,,": "title",            # formula injection
}


def _csv_bytes() -> bytes:
    body = HEADER + "\n".join(GOOD + list(BAD)) + "\n"
    data = body.encode("utf-8")
    return data + "CAP-9,patent,编码错误,".encode() + b"\xff\xfe\xfa bad bytes" + b",bearings,6,,\n"


def _factory(db_session):  # noqa: ANN001, ANN202
    @contextlib.contextmanager
    def scope():
        yield db_session
        db_session.flush()
    return scope


@pytest.fixture
def officer(db_session):
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="导入大学")
    return create_user(db_session, Role.TECH_TRANSFER_OFFICER, lab)


def _upload(client, name: str, content: bytes):  # noqa: ANN001, ANN202
    return client.post("/imports", data={"csrf_token": csrf_token(client)}, files={"file": (name, content)},
                       follow_redirects=False)


def test_good_rows_are_imported_and_each_bad_row_is_reported(client, db_session, officer, queued_jobs):
    sign_in(client, officer)
    response = _upload(client, "capabilities.csv", _csv_bytes())
    assert response.status_code == 303, response.text[:500]
    job = db_session.scalars(select(ImportJob)).one()
    assert job.total_rows == 9
    service.run(_factory(db_session), job.id)
    db_session.refresh(job)
    assert job.status == ImportStatus.DONE and job.done_rows == 9
    assert (job.created_count, job.rejected_count) == (3, 6)
    outcomes = {r.external_id: r for r in db_session.scalars(select(ImportRow).where(ImportRow.job_id == job.id))}
    for line, field in BAD.items():
        row = outcomes[line.split(",")[0]]
        assert row.outcome == RowOutcome.REJECTED and row.field == field, (row.external_id, row.field, row.message)
        assert row.message
    assert outcomes["CAP-9"].outcome == RowOutcome.REJECTED and "encoding" in outcomes["CAP-9"].message
    assert [outcomes[f"CAP-{n}"].line for n in (1, 4, 9)] == [2, 5, 10]  # lines as a spreadsheet counts them
    # Nothing half-written: exactly the good rows exist, each with its one ledger event.
    caps = db_session.scalars(select(Capability).where(Capability.organisation_id == officer.organisation_id)).all()
    assert sorted(c.external_id for c in caps) == ["CAP-1", "CAP-2", "CAP-3"]
    events = db_session.scalar(select(func.count()).select_from(CollaborationEvent).where(
        CollaborationEvent.capability_id.in_([c.id for c in caps])))
    assert events == 3
    assert {c.kind.value for c in caps} == {"patent", "expertise", "equipment"}
    page = client.get(f"/imports/{job.id}")
    assert page.status_code == 200 and page.text.count('class="rejected"') == 6 and "refresh" in page.text
    report = load_workbook(io.BytesIO(client.get(f"/imports/{job.id}/report?format=xlsx").content)).active
    assert report.max_row == 10  # a header and one line per row


def test_importing_the_same_file_twice_updates_instead_of_duplicating(client, db_session, officer):
    sign_in(client, officer)
    for _round in range(2):
        assert _upload(client, "capabilities.csv", _csv_bytes()).status_code == 303
        job = db_session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
        service.run(_factory(db_session), job.id)
    db_session.refresh(job)
    assert (job.created_count, job.updated_count, job.rejected_count) == (0, 3, 6)
    assert db_session.scalar(select(func.count()).select_from(Capability)
                             .where(Capability.organisation_id == officer.organisation_id)) == 3


def test_a_firm_imports_needs_from_xlsx(client, db_session):
    firm = create_org(db_session, name="导入企业")
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER, firm))
    template = load_workbook(io.BytesIO(client.get("/imports/template?format=xlsx").content)).active
    header = [c.value for c in template[1]]
    assert header[0] == "外部编号 *" and "对外摘要" in header
    book = Workbook()
    sheet = book.active
    sheet.append(["External id", "Title", "Description", "Visibility", "Summary for outsiders", "Chain"])
    sheet.append(["N-1", "风电轴承滚子磨削烧伤", "滚子磨削后表面烧伤。", "公开", "", "bearings"])
    sheet.append(["N-2", "保密需求", "谐波减速器柔性轴承失效。", "保密", "", "bearings"])  # no summary: refused
    sheet.append(["N-3", "主轴热变形", "五轴机床主轴热变形。", "confidential", "一项机床精度需求", "cnc_machine_tools"])
    out = io.BytesIO()
    book.save(out)
    assert _upload(client, "needs.xlsx", out.getvalue()).status_code == 303
    job = db_session.scalars(select(ImportJob)).one()
    service.run(_factory(db_session), job.id)
    db_session.refresh(job)
    assert (job.created_count, job.rejected_count) == (2, 1)
    needs = {n.external_id: n for n in db_session.scalars(select(Need).where(Need.organisation_id == firm.id))}
    assert set(needs) == {"N-1", "N-3"} and needs["N-3"].summary == "一项机床精度需求"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("big.csv", b"a" * (5 * 1024 * 1024 + 1), "5 MB"),
    ("picture.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "CSV"),
    ("fake.xlsx", b"not a zip at all", "CSV"),
    ("columns.csv", "标题,描述\n一,二\n".encode(), "外部编号"),
    ("empty.csv", HEADER.encode(), "no rows"),
])
def test_a_wrong_upload_is_refused_with_a_message(client, db_session, officer, name, content, message):
    sign_in(client, officer)
    response = _upload(client, name, content)
    assert response.status_code == 422
    assert message.lower() in response.text.lower() or "行" in response.text or "5 MB" in response.text
    assert db_session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_too_many_rows_are_refused():
    rows = HEADER + "".join(f"C-{n},patent,标题{n},描述。,bearings,6,,\n" for n in range(5001))
    with pytest.raises(service.UploadRefused):
        service.check_upload(service.ImportKind.CAPABILITIES, "big.csv", rows.encode())


def test_imports_are_for_firms_and_offices_only(client, db_session, officer):
    sign_in(client, create_user(db_session, Role.GOVERNMENT_ANALYST))
    assert client.get("/imports").status_code == 403
    sign_in(client, officer)
    assert _upload(client, "capabilities.csv", _csv_bytes()).status_code == 303
    job = db_session.scalars(select(ImportJob)).one()
    sign_in(client, create_user(db_session, Role.TECH_TRANSFER_OFFICER))  # another office
    assert client.get(f"/imports/{job.id}").status_code == 404
    assert client.post("/imports", files={"file": ("x.csv", b"x")}, follow_redirects=False).status_code == 403


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read(db_session):
    rows = service.check_upload(service.ImportKind.CAPABILITIES, "gbk.csv",
                                (HEADER + GOOD[0] + "\n").encode("gb18030"))
    assert rows[0]["values"]["title"] == "滚子磨削烧伤在线检测" and rows[0]["line"] == 2


def test_the_celery_task_imports_a_committed_upload_and_a_redelivery_changes_nothing(committed, queued_jobs):
    from backend.db import session_scope
    from workers.tasks import run_import

    with session_scope() as s:
        lab = create_org(s, kind=OrgKind.UNIVERSITY, region="330100", name="任务导入大学")
        job = service.start(s, kind=service.ImportKind.CAPABILITIES, organisation_id=lab.id, user_id=None,
                            filename="caps.csv", content=_csv_bytes())
        job_id = job.id
    assert ("imports.run", (job_id,)) in queued_jobs  # sent once the upload committed
    assert run_import.apply(args=[job_id]).get() == 9
    assert run_import.apply(args=[job_id]).get() == 9  # a redelivered task finds the job done
    with session_scope() as s:
        done = s.get(ImportJob, job_id)
        assert (done.status, done.created_count, done.rejected_count) == (ImportStatus.DONE, 3, 6)
        assert s.scalar(select(func.count()).select_from(Capability).where(Capability.organisation_id == lab.id)) == 3
        assert s.scalar(select(func.count()).select_from(ImportRow).where(ImportRow.job_id == job_id)) == 9
