"""The government dashboard at /dashboard, its SVG charts and the same figures under /api/v1/metrics."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from backend.accounts import service as accounts
from backend.accounts.models import Role
from backend.ledger.kinds import EventKind as K
from backend.scores import api, service
from backend.scores.pages import SVG_POLICY
from tests.common.portal import create_user, sign_in

AS_OF = datetime(2025, 12, 31).date()
CHARTS = ("/dashboard/charts/radar.svg", "/dashboard/charts/districts.svg")


def when(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 3, 0, tzinfo=UTC)


@pytest.fixture
def app_client(client):  # noqa: ANN001
    """The test client (the dashboard's routes are registered in backend/app.py)."""
    return client


@pytest.fixture
def analyst(app_client, db_session):  # noqa: ANN001
    user = create_user(db_session, Role.GOVERNMENT_ANALYST)
    sign_in(app_client, user)
    return user


def busy_year(world, *, sample: bool = False) -> None:  # noqa: ANN001
    """January: need 0 posted, matched, accepted, a project; March: need 1 posted and accepted. Recomputed."""
    world.emit(K.NEED_POSTED, when(1, 3), need=0, sample=sample)
    world.emit(K.MATCH_PROPOSED, when(1, 4), need=0, cap=0, fused_score=0.8, rank=1)
    world.emit(K.MATCH_UNIVERSITY_INTERESTED, when(1, 7), need=0, cap=0, **{"from": "proposed"})
    world.emit(K.MATCH_ACCEPTED, when(1, 13), need=0, cap=0, **{"from": "university_interested"})
    world.emit(K.PROJECT_CREATED, when(1, 20), need=0, cap=0, contract_value_cny=1_000_000, major_level="provincial")
    world.emit(K.NEED_POSTED, when(3, 2), need=1)
    world.emit(K.MATCH_PROPOSED, when(3, 3), need=1, cap=1, fused_score=0.7, rank=1)
    world.emit(K.MATCH_ACCEPTED, when(3, 10), need=1, cap=1, **{"from": "firm_interested"})
    service.recompute(world.session, as_of=AS_OF)


def row_cells(html: str, name: str) -> list[str]:
    """The cells after the row header `name` in the page's tables, tags removed."""
    found = re.search(r'<th scope="row">' + re.escape(name) + r"(?:\s*<span[^>]*>[^<]*</span>)?</th>(.*?)</tr>",
                      html, re.S)
    assert found, f"no row {name!r}"
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", found.group(1), re.S)]


def test_an_analyst_sees_the_latest_period_with_its_scores_and_components(world, app_client, analyst):
    busy_year(world)
    page = app_client.get("/dashboard?lang=en")
    assert page.status_code == 200
    html = page.text
    assert "March 2025" in html  # the latest month with data is the default
    assert "Shared cooperation" in html and "Intelligent sensing" in html
    assert row_cells(html, "Accepted matches")[0] == "1"
    assert row_cells(html, "Median days from posting to acceptance")[0] == "8 days"
    assert "(lower is better)" in html
    assert "Needs with a qualified match within 7 days" in html
    assert "Waiting for other work" not in html
    assert '<img src="/dashboard/charts/radar.svg?region=330600' in html
    assert not re.search(r"\bnan\b", html, re.I)
    assert "sample-banner" not in html


def test_the_filters_choose_region_chain_and_period(world, app_client, analyst):
    busy_year(world)
    january = app_client.get("/dashboard?lang=en&region=330624&period=month&at=2025-01-01").text
    assert "January 2025" in january
    assert row_cells(january, "Joint projects")[0] == "1"
    assert "¥1,000,000" in row_cells(january, "Contract value of new projects")[0]
    year = app_client.get("/dashboard?lang=en&region=330600&period=year&at=2025-03-01").text
    assert row_cells(year, "Accepted matches")[0] == "2"
    chain = app_client.get("/dashboard?lang=en&chain=hydrogen_drones&period=quarter&at=2025-01-01").text
    assert row_cells(chain, "Accepted matches")[0] == "1"  # only need 1 is in the hydrogen chain
    assert app_client.get("/dashboard?region=110000").status_code == 422
    assert app_client.get("/dashboard?chain=no_such_chain").status_code == 422
    assert app_client.get("/dashboard?period=decade").status_code == 422
    assert app_client.get("/dashboard?at=March").status_code == 422


def test_the_trend_compares_with_the_previous_period(world, app_client, analyst):
    busy_year(world)
    march = app_client.get("/api/v1/metrics?lang=en&period=month&at=2025-03-01").json()
    cooperation = next(d for d in march["dimensions"] if d["code"] == "cooperation")
    # February has no scored event, so March has no previous period to compare with
    assert cooperation["trend"] is None
    quarter = app_client.get("/api/v1/metrics?lang=en&period=quarter&at=2025-01-01").json()
    assert next(d for d in quarter["dimensions"] if d["code"] == "cooperation")["value"] is not None


def test_empty_data_shows_no_data_yet_and_never_nan(app_client, analyst):
    html = app_client.get("/dashboard?lang=en").text
    assert "No data yet for this region, chain and period" in html
    assert html.count("no data yet") >= 5
    assert not re.search(r"\bnan\b", html, re.I)
    assert "<img" not in html  # no chart of nothing
    body = app_client.get("/api/v1/metrics").json()
    assert body["has_data"] is False and all(d["value"] is None for d in body["dimensions"])
    for chart in CHARTS:
        svg = app_client.get(chart + "?lang=en").text
        assert "No data yet" in svg and not re.search(r"\bnan\b", svg, re.I)


@pytest.mark.parametrize("role", [Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER])
def test_firm_members_and_officers_cannot_open_the_dashboard(app_client, db_session, role):
    sign_in(app_client, create_user(db_session, role))
    for url in ("/dashboard", *CHARTS, "/api/v1/metrics"):
        assert app_client.get(url).status_code == 403, url


def test_without_signing_in_the_dashboard_asks_for_it(app_client):
    response = app_client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert app_client.get("/api/v1/metrics").status_code == 401


def test_an_admin_opens_the_dashboard(world, app_client, db_session):
    busy_year(world)
    sign_in(app_client, create_user(db_session, Role.ADMIN))
    assert app_client.get("/dashboard").status_code == 200


def test_the_charts_are_svg_without_script_and_with_their_own_policy(world, app_client, analyst):
    busy_year(world)
    for chart in CHARTS:
        response = app_client.get(chart + "?lang=en&period=year&at=2025-01-01")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.headers["content-security-policy"] == SVG_POLICY
        assert "<script" not in response.text
        root = ET.fromstring(response.content)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    radar = app_client.get(CHARTS[0] + "?lang=en&period=year&at=2025-01-01").text
    assert "The five powers: Shaoxing" in radar and "Shared cooperation" in radar
    districts = app_client.get(CHARTS[1] + "?lang=zh&period=year&at=2025-01-01").text
    assert "区县对比" in districts and "新昌县" in districts


def test_the_json_has_the_page_figures(world, app_client, analyst):
    busy_year(world)
    query = "lang=en&region=330600&period=quarter&at=2025-01-01"
    body = app_client.get(f"/api/v1/metrics?{query}").json()
    html = app_client.get(f"/dashboard?{query}").text
    assert body["has_data"] is True and body["period_start"] == "2025-01-01" and body["period_end"] == "2025-03-31"
    assert [d["code"] for d in body["dimensions"]] == ["sensing", "planning", "promotion", "characteristic",
                                                       "cooperation"]
    for dimension in body["dimensions"]:
        cells = row_cells(html, dimension["name"])  # the table beside the radar chart
        expected = "no data yet" if dimension["value"] is None else f"{round(dimension['value'], 1):,g}"
        assert cells[0] == expected
        for component in dimension["components"]:
            cells = row_cells(html, component["name"])
            normalised = "no data yet" if component["value"] is None else f"{round(component['value'], 1):,g}"
            assert cells[2] == normalised, component["code"]
    accepted = next(c for d in body["dimensions"] for c in d["components"] if c["code"] == "accepted_matches")
    assert (accepted["raw_value"], accepted["unit"], accepted["name"]) == (2.0, "count", "Accepted matches")
    assert [d["region_code"] for d in body["districts"]][:1] == ["330602"] and len(body["districts"]) == 6


def test_an_analyst_reads_the_metrics_with_a_personal_token(world, app_client, db_session):
    busy_year(world)
    user = create_user(db_session, Role.GOVERNMENT_ANALYST)
    _token, secret = accounts.create_token(db_session, user, "reports")
    response = app_client.get("/api/v1/metrics?period=year&at=2025-06-01",
                              headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json()["period_start"] == "2025-01-01"


def test_the_metrics_are_documented_in_openapi(app_client):
    schema = app_client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/v1/metrics"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/MetricsOut")
    assert {p["name"] for p in operation["parameters"]} == {"region", "chain", "period", "at"}


def test_both_languages_render(world, app_client, analyst):
    busy_year(world)
    chinese = app_client.get("/dashboard?lang=zh").text
    assert "共享合作力" in chinese and "已达成的匹配" in chinese and "2025年3月" in chinese
    english = app_client.get("/dashboard?lang=en").text
    assert "Shared cooperation" in english and "共享合作力" not in english


def test_sample_data_shows_the_banner(world, app_client, analyst):
    busy_year(world, sample=True)
    assert "sample-banner" in app_client.get("/dashboard?lang=en&period=month&at=2025-01-01").text
    assert app_client.get("/api/v1/metrics?period=month&at=2025-01-01").json()["is_sample"] is True


def test_every_dashboard_route_declares_one_guard_for_analysts():
    from fastapi.routing import APIRoute

    from backend.scores import pages
    from tests.unit.security.test_routes import _guards

    routes = [r for m in (pages, api) for r in m.router.routes if isinstance(r, APIRoute)]
    assert {r.path for r in routes} == {"/dashboard", *CHARTS, "/dashboard/charts/{name}.svg", "/dashboard/export",
                                        "/dashboard/lists/{name}", "/dashboard/brief", "/api/v1/metrics"}
    assert all(_guards(r.dependant) == ["roles:admin,government_analyst"] for r in routes)


def test_the_dashboard_tables_export_to_csv_and_xlsx(app_client, analyst, world):  # noqa: ANN001
    import csv
    import io

    from openpyxl import load_workbook

    busy_year(world)
    page = app_client.get("/dashboard")
    assert "/dashboard/export?" in page.text
    book = load_workbook(io.BytesIO(app_client.get("/dashboard/export?table=components&format=xlsx").content)).active
    rows = list(book.iter_rows(values_only=True))
    assert len(rows) > 10 and all(len(r) == 8 for r in rows)
    assert any(isinstance(r[4], int | float) for r in rows[1:])  # normalised values, not text
    districts = app_client.get("/dashboard/export?table=districts&format=csv")
    table = list(csv.reader(io.StringIO(districts.content.decode("utf-8-sig"))))
    assert len(table[0]) == 6 and len(table) == 7  # region + five powers; six districts
    assert app_client.get("/dashboard/export?table=secrets").status_code == 422
