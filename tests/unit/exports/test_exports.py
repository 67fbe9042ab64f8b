"""Exports open in a spreadsheet, hold only what the user may see, and never carry a live formula."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from backend.accounts.models import Role
from backend.exports import neutralise
from backend.matches import matching
from backend.matches.models import Match
from backend.needs.models import Visibility
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_need, create_org
from tests.common.portal import create_user, sign_in

FORMULA = "=cmd|' /C calc'!A0"


@pytest.fixture
def matched(db_session):
    lab = create_org(db_session, kind=OrgKind.UNIVERSITY, region="330100", name="导出大学")
    cap = create_capability(db_session, lab, title="谐波减速器柔性轴承疲劳寿命", contact="+86 575 1234",
                            description="柔性轴承疲劳寿命试验，波发生器成形磨削。")
    firm = create_org(db_session, name="导出企业")
    public = create_need(db_session, firm, title=FORMULA + " 柔性轴承", description="柔性轴承疲劳失效。")
    secret = create_need(db_session, firm, title="保密标题柔性轴承早期失效", description="波发生器两千小时失效。",
                         visibility=Visibility.CONFIDENTIAL, summary="一项减速器可靠性需求")
    matching.embed_postings(db_session, [cap, public, secret])
    matching.match_need(db_session, public.id)
    matching.match_need(db_session, secret.id)
    assert db_session.scalar(select(Match.id).where(Match.need_id == secret.id)) is not None
    return firm, lab


def _xlsx(response) -> list[list]:  # noqa: ANN001
    assert response.status_code == 200, response.text[:300]
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _csv(response) -> list[list[str]]:  # noqa: ANN001
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_formula_cells_are_neutralised():
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", FORMULA):
        assert neutralise(value).startswith("'")
    assert neutralise("普通文本") == "普通文本" and neutralise(3) == 3


def test_the_firm_exports_its_needs_in_full_with_no_live_formula(client, db_session, matched):
    firm, _lab = matched
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER, firm))
    rows = _xlsx(client.get("/needs/mine/export?format=xlsx"))
    titles = [r[1] for r in rows[1:]]
    assert "保密标题柔性轴承早期失效" in titles  # its own confidential need, in full
    assert "'" + FORMULA + " 柔性轴承" in titles and not any(str(t).startswith("=") for t in titles)
    as_csv = _csv(client.get("/needs/mine/export?format=csv"))
    assert len(as_csv) == len(rows) and as_csv[0][0] in ("Id", "编号")


def test_the_office_sees_a_confidential_need_by_its_summary_only(client, db_session, matched):
    _firm, lab = matched
    sign_in(client, create_user(db_session, Role.TECH_TRANSFER_OFFICER, lab))
    for response in (client.get("/matches/export?format=xlsx"),):
        text = str(_xlsx(response))
        assert "一项减速器可靠性需求" in text
        assert "保密标题" not in text and "两千小时" not in text
    caps = _xlsx(client.get("/capabilities/mine/export"))
    assert caps[1][1] == "谐波减速器柔性轴承疲劳寿命" and "'+86 575 1234" in caps[1]


def test_exports_hold_only_the_viewers_organisation(client, db_session, matched):
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))  # another firm
    assert _xlsx(client.get("/needs/mine/export"))[1:] == []
    assert _xlsx(client.get("/matches/export"))[1:] == []
    assert client.get("/projects/export").status_code == 200


def test_exports_are_for_their_roles_only(client, db_session):
    assert client.get("/needs/mine/export", follow_redirects=False).status_code == 303
    sign_in(client, create_user(db_session, Role.GOVERNMENT_ANALYST))
    for path in ("/needs/mine/export", "/capabilities/mine/export", "/matches/export", "/projects/export"):
        assert client.get(path).status_code == 403, path
    sign_in(client, create_user(db_session, Role.FIRM_MEMBER))
    assert client.get("/needs/mine/export?format=pdf").status_code == 422
