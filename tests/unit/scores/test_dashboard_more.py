"""The dashboard's trends, funnel, chain and country charts, its drill-down lists (which respect confidentiality)
and the exports of every new table."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from backend.accounts.models import Role
from backend.ledger.kinds import EventKind as K
from backend.needs.models import Need, NeedStatus, Visibility
from backend.scores import service
from backend.scores.pages import SVG_POLICY
from tests.common.portal import create_user, sign_in

AS_OF = datetime(2025, 12, 31).date()
NEW_CHARTS = ("trends", "funnel", "chains", "countries")


def when(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 3, 0, tzinfo=UTC)


@pytest.fixture
def analyst(client, db_session):  # noqa: ANN001
    user = create_user(db_session, Role.GOVERNMENT_ANALYST)
    sign_in(client, user)
    return user


def open_needs(world, confidential: int | None = None) -> None:  # noqa: ANN001
    """The world's needs are drafts (their creation moves no score); open them, one of them confidential."""
    for index, need_id in enumerate(world.need_ids):
        need = world.session.get(Need, need_id)
        need.status = NeedStatus.OPEN
        if index == confidential:
            need.visibility, need.summary = Visibility.CONFIDENTIAL, "一项关于主轴热变形的保密需求"
    world.session.flush()


def january(world) -> None:  # noqa: ANN001
    """Need 0: answered in 4 days, accepted, a project; need 1: first response after 20 days (stale); need 2
    (confidential): never answered (stale); need 3: posted on the 25th, answered in 8 days; a partnership
    with Germany. Recomputed."""
    open_needs(world, confidential=2)
    world.emit(K.NEED_POSTED, when(1, 3), need=0)
    world.emit(K.MATCH_PROPOSED, when(1, 4), need=0, cap=0, fused_score=0.8, rank=1)
    world.emit(K.MATCH_UNIVERSITY_INTERESTED, when(1, 7), need=0, cap=0, **{"from": "proposed"})
    world.emit(K.MATCH_ACCEPTED, when(1, 13), need=0, cap=0, **{"from": "university_interested"})
    world.emit(K.PROJECT_CREATED, when(1, 20), need=0, cap=0, contract_value_cny=1_000_000, major_level="none")
    world.emit(K.NEED_POSTED, when(1, 10), need=1)
    world.emit(K.MATCH_ACCEPTED, when(1, 30), need=1, cap=0, **{"from": "firm_interested"})
    world.emit(K.NEED_POSTED, when(1, 5), need=2)
    world.emit(K.NEED_POSTED, when(1, 25), need=3)
    world.emit(K.MATCH_UNIVERSITY_INTERESTED, when(2, 2), need=3, cap=1, **{"from": "proposed"})
    world.emit(K.PARTNERSHIP_CREATED, when(1, 15), country="DE", kind="joint_rd", value_cny=500_000)
    world.emit(K.NEED_POSTED, when(3, 2), need=3)  # a second posting does not make need 3 a March need
    service.recompute(world.session, as_of=AS_OF)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_trends_cover_the_last_twelve_months_with_gaps_for_months_without_data(world, client, analyst):
    january(world)
    body = client.get("/api/v1/metrics?lang=en&period=month&at=2025-03-01").json()
    assert [t["period_start"] for t in body["trends"]][::11] == ["2024-04-01", "2025-03-01"]
    by_month = {t["period_start"]: t["dimensions"] for t in body["trends"]}
    assert by_month["2025-01-01"]["cooperation"] is not None
    assert by_month["2024-12-01"]["cooperation"] is None  # no scored event before January
    march = next(d for d in body["dimensions"] if d["code"] == "cooperation")
    assert by_month["2025-03-01"]["cooperation"] == march["value"]
    html = client.get("/dashboard?lang=en&period=month&at=2025-03-01").text
    assert '<img src="/dashboard/charts/trends.svg?region=330600' in html
    assert "The five scores over time, Shaoxing (0–100)" in html


def test_the_funnel_follows_the_cohort_with_the_conversion_at_each_step(world, client, analyst):
    january(world)
    body = client.get("/api/v1/metrics?lang=en&period=month&at=2025-01-01").json()
    steps = {s["code"]: s for s in body["funnel"]}
    assert [s["code"] for s in body["funnel"]] == ["posted", "matched", "responded", "accepted", "project",
                                                  "completed", "commercialised"]
    assert (steps["posted"]["needs"], steps["matched"]["needs"], steps["accepted"]["needs"]) == (4, 1, 2)
    assert steps["posted"]["conversion"] is None
    assert steps["matched"]["conversion"] == pytest.approx(25.0)
    assert steps["project"]["needs"] == 1 and steps["completed"]["needs"] == 0
    html = client.get("/dashboard?lang=en&period=month&at=2025-01-01").text
    assert "From need to commercialisation: needs posted in January 2025" in html
    assert "25%" in text_of(html)


def test_chains_and_partner_countries(world, client, analyst):
    january(world)
    body = client.get("/api/v1/metrics?lang=en&period=month&at=2025-01-01").json()
    chains = {c["chain"]: c for c in body["chains"]}
    assert "equipment" not in chains  # the root is the whole platform, not a breakdown
    assert chains["bearings"]["accepted_matches"] == 1 and chains["bearings"]["joint_projects"] == 1
    assert chains["hydrogen_drones"]["accepted_matches"] == 1
    assert body["countries"] == [{"country_code": "DE", "country_name": "Germany", "partnerships": 1,
                                  "value_cny": 500000.0}]
    html = client.get("/dashboard?lang=zh&period=month&at=2025-01-01").text
    assert "德国" in html and "轴承" in html


def test_the_new_charts_are_titled_svg_with_axes_and_their_own_policy(world, client, analyst):
    january(world)
    for name in NEW_CHARTS:
        response = client.get(f"/dashboard/charts/{name}.svg?lang=en&period=month&at=2025-01-01")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.headers["content-security-policy"] == SVG_POLICY
        assert "<script" not in response.text
        assert ET.fromstring(response.content).tag == "{http://www.w3.org/2000/svg}svg"
    funnel = client.get("/dashboard/charts/funnel.svg?lang=en&period=month&at=2025-01-01").text
    assert "From need to commercialisation" in funnel and "Needs (number)" in funnel and "Commercialised" in funnel
    countries = client.get("/dashboard/charts/countries.svg?lang=zh&period=month&at=2025-01-01").text
    assert "德国" in countries and "合作国家" in countries
    trends = client.get("/dashboard/charts/trends.svg?lang=en&period=month&at=2025-01-01").text
    assert "Score (0–100)" in trends and "Jan 2025" in trends
    assert client.get("/dashboard/charts/secrets.svg").status_code == 422


def test_empty_data_draws_no_new_chart_and_says_no_data_yet(client, analyst):
    html = client.get("/dashboard?lang=en").text
    assert "/dashboard/charts/trends.svg" not in html and "/dashboard/charts/funnel.svg" not in html
    assert "No stale needs in this region, chain and period." in html
    for name in NEW_CHARTS:
        svg = client.get(f"/dashboard/charts/{name}.svg?lang=en").text
        assert "No data yet" in svg and not re.search(r"\bnan\b", svg, re.I)


def test_stale_needs_are_the_unanswered_cohort_and_a_confidential_one_shows_only_its_summary(world, client,
                                                                                              analyst):
    january(world)
    html = client.get("/dashboard?lang=en&period=month&at=2025-01-01").text
    section = html[html.index('id="list-stale_needs"'):html.index('id="list-stalled_projects"')]
    assert "需求1" in section  # answered after 20 days
    assert "一项关于主轴热变形的保密需求" in section and "confidential: summary only" in section
    assert "需求2" not in html and "主轴热变形。" not in html  # neither the title nor the text
    assert "需求0" not in section and "需求3" not in section  # answered in time
    assert "Stale needs (2)" in text_of(section)
    body = client.get("/api/v1/metrics?period=month&at=2025-01-01").json()
    stale = next(c for d in body["dimensions"] for c in d["components"] if c["code"] == "stale_need_share")
    assert stale["detail"]["stale"] == 2  # the list is the figure's drill-down
    district = client.get("/dashboard?lang=en&region=330681&period=month&at=2025-01-01").text
    district_section = district[district.index('id="list-stale_needs"'):district.index('id="list-stalled')]
    assert "需求1" in district_section and "保密需求" not in district_section


def test_the_export_of_stale_needs_keeps_the_confidential_title_out(world, client, analyst):
    january(world)
    response = client.get("/dashboard/export?period=month&at=2025-01-01&table=stale_needs&format=csv&lang=en")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["Id", "Need", "Summary"] and len(table) == 3
    assert "需求2" not in response.content.decode("utf-8-sig")
    confidential = next(r for r in table[1:] if r[2])
    assert confidential[1] == "confidential: summary only" and confidential[3] == ""  # no firm either


def test_stalled_projects_have_no_milestone_in_sixty_days_and_hide_a_confidential_need(world, client, analyst):
    open_needs(world, confidential=2)
    world.emit(K.NEED_POSTED, when(1, 2), need=0)
    world.emit(K.NEED_POSTED, when(1, 2), need=1)
    world.emit(K.NEED_POSTED, when(1, 2), need=2)
    world.emit(K.PROJECT_CREATED, when(1, 20), need=0, cap=0, contract_value_cny=0, major_level="none")
    world.emit(K.PROJECT_COMPLETED, when(2, 15), need=0, cap=0, **{"from": "active"})
    world.emit(K.PROJECT_CREATED, when(2, 1), need=1, cap=0, contract_value_cny=0, major_level="none")
    world.emit(K.PROJECT_MILESTONE_DONE, when(3, 20), need=1, cap=0, milestone_id=1, title="样机")
    world.emit(K.PROJECT_CREATED, when(1, 12), need=2, cap=1, contract_value_cny=0, major_level="none")
    service.recompute(world.session, as_of=AS_OF)
    april = client.get("/dashboard/lists/stalled_projects?lang=en&period=month&at=2025-04-01")
    assert april.status_code == 200
    assert "项目00" not in april.text  # completed
    assert "项目10" not in april.text  # a milestone on 20 March, within 60 days of 30 April
    assert "项目21" not in april.text and "一项关于主轴热变形的保密需求" in april.text  # stalled, shown by summary
    june = client.get("/dashboard/lists/stalled_projects?lang=en&period=month&at=2025-06-01").text
    assert "项目10" in june and "1–2 / 2" in june
    book = load_workbook(io.BytesIO(client.get(
        "/dashboard/export?period=month&at=2025-06-01&table=stalled_projects&format=xlsx").content)).active
    rows = list(book.iter_rows(values_only=True))
    assert len(rows) == 3 and not any("项目21" in str(r) for r in rows)


def test_recent_partnerships_are_listed_and_paged(world, client, analyst):
    open_needs(world)
    for day in range(1, 24):
        world.emit(K.PARTNERSHIP_CREATED, when(5, day), country="DE", kind="joint_rd", value_cny=1000 * day)
    service.recompute(world.session, as_of=AS_OF)
    first = client.get("/dashboard/lists/partnerships?lang=en&period=month&at=2025-05-01")
    assert first.status_code == 200
    assert "Sample Hochschule" in first.text and "1–20 / 23" in first.text and 'rel="next"' in first.text
    second = client.get("/dashboard/lists/partnerships?lang=en&period=month&at=2025-05-01&page=2").text
    assert "21–23 / 23" in second
    beyond = client.get("/dashboard/lists/partnerships?lang=en&period=month&at=2025-05-01&page=3").text
    assert "/ 23" in beyond and "Sample Hochschule" not in beyond  # an empty page still knows the total
    dashboard = client.get("/dashboard?lang=en&period=month&at=2025-05-01").text
    assert "/dashboard/lists/partnerships?region=330600" in dashboard and "All 23, page by page" in dashboard
    assert client.get("/dashboard/lists/partnerships?page=0").status_code == 422
    assert client.get("/dashboard/lists/everything").status_code == 422


@pytest.mark.parametrize("table,columns", [("trends", 7), ("funnel", 4), ("chains", 8), ("countries", 3),
                                           ("partnerships", 8)])
def test_every_new_table_exports_to_csv_and_xlsx(world, client, analyst, table, columns):
    january(world)
    query = f"/dashboard/export?period=month&at=2025-01-01&table={table}"
    rows = list(load_workbook(io.BytesIO(client.get(query + "&format=xlsx").content)).active.iter_rows(
        values_only=True))
    assert len(rows) >= 2 and all(len(r) == columns for r in rows)
    text = client.get(query + "&format=csv").content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == len(rows)


def test_bad_drill_down_parameters_are_a_clear_message(client, analyst):
    response = client.get("/dashboard/lists/stale_needs?region=110000&lang=en")
    assert response.status_code == 422 and "Choose Shaoxing or one of its districts." in response.text
    assert client.get("/dashboard/lists/stale_needs?at=soon").status_code == 422


@pytest.mark.parametrize("role", [Role.FIRM_MEMBER, Role.TECH_TRANSFER_OFFICER])
def test_others_cannot_open_the_new_routes(client, db_session, role):
    sign_in(client, create_user(db_session, role))
    for url in ("/dashboard/charts/trends.svg", "/dashboard/lists/stale_needs", "/dashboard/brief",
                "/dashboard/export?table=stale_needs"):
        assert client.get(url).status_code == 403, url
