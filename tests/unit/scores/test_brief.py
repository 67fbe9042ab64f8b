"""The printable monthly brief at /dashboard/brief: what moved, what is stuck, which alerts are open."""

import re
from datetime import UTC, datetime

import pytest

from backend.accounts.models import Role
from backend.ledger.kinds import EventKind as K
from backend.scores import service
from tests.common.portal import create_user, sign_in
from tests.unit.scores.test_dashboard_more import AS_OF, open_needs, text_of


def when(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 3, 0, tzinfo=UTC)


@pytest.fixture
def analyst(client, db_session):  # noqa: ANN001
    user = create_user(db_session, Role.GOVERNMENT_ANALYST)
    sign_in(client, user)
    return user


def two_months(world) -> None:  # noqa: ANN001
    """January: one accepted match; February: three, and a confidential need left unanswered."""
    open_needs(world, confidential=2)
    world.emit(K.NEED_POSTED, when(1, 3), need=0)
    world.emit(K.MATCH_ACCEPTED, when(1, 9), need=0, cap=0, **{"from": "university_interested"})
    for need in (1, 3):
        world.emit(K.NEED_POSTED, when(2, 2), need=need)
    for need, cap in ((1, 0), (1, 1), (3, 0)):
        world.emit(K.MATCH_ACCEPTED, when(2, 6), need=need, cap=cap, **{"from": "firm_interested"})
    world.emit(K.NEED_POSTED, when(2, 3), need=2)
    service.recompute(world.session, as_of=AS_OF)


def test_the_brief_says_what_moved_and_what_is_stuck(world, client, analyst):
    two_months(world)
    response = client.get("/dashboard/brief?region=330600&period=2025-02&lang=en")
    assert response.status_code == 200
    html = response.text
    assert "Monthly brief: Shaoxing, February 2025" in html
    moved = html[html.index('id="brief-moved-h"'):html.index('id="brief-stuck-h"')]
    body = client.get("/api/v1/metrics?region=330600&period=month&at=2025-02-01&lang=en").json()
    changes = sorted(((abs(c["trend"]), c["name"]) for d in body["dimensions"] for c in d["components"]
                      if c["trend"]), key=lambda t: -t[0])
    assert len(changes) >= 5
    shown = re.findall(r'<th scope="row">([^<]+)</th>', moved)
    assert shown == [name for _size, name in changes[:5]]  # the five largest changes, largest first
    assert "Needs without a response in 14 days" in shown  # 0% of January's needs, 33.3% of February's
    assert "0%" in moved and "33.3%" in moved
    stuck = text_of(html[html.index('id="brief-stuck-h"'):html.index('id="brief-alerts-h"')])
    assert "1 needs posted this month had no response within 14 days." in stuck
    assert "一项关于主轴热变形的保密需求" in stuck and "需求2" not in html
    assert '<link rel="stylesheet" href="/static/css/brief.css">' in html and "<style" not in html
    assert 'src="/static/js/print.js"' in html


def test_the_brief_lists_the_open_alerts_of_its_region(world, client, analyst):
    from backend.alerts.models import Alert, AlertKind, AlertStatus

    two_months(world)
    html = client.get("/dashboard/brief?region=330624&period=2025-02&lang=en").text
    assert "No open alerts." in html[html.index('id="brief-alerts-h"'):]
    s = world.session
    xinchang, shengzhou = world.firms[0].region_id, world.firms[1].region_id
    stale = Alert(kind=AlertKind.STALE_NEED, subject=f"need:{world.need_ids[0]}", region_id=xinchang,
                  need_id=world.need_ids[0])
    gap = Alert(kind=AlertKind.CHAIN_GAP, subject="chain:1", region_id=None)
    elsewhere = Alert(kind=AlertKind.STALLED_PROJECT, subject="project:1", region_id=shengzhou)
    done = Alert(kind=AlertKind.SCORE_DROP, subject="score:x", region_id=xinchang, status=AlertStatus.RESOLVED)
    s.add_all([stale, gap, elsewhere, done])
    s.flush()
    section = html_section(client.get("/dashboard/brief?region=330624&period=2025-02&lang=en").text)
    assert f'href="/dashboard/alerts/{stale.id}">Stale need<' in section
    assert "Chain with open needs and no active capability" in section
    assert "Stalled project" not in section and "Score drop" not in section  # another district; resolved
    assert "2 open alerts, newest first" in section
    city = html_section(client.get("/dashboard/brief?period=2025-02&lang=en").text)
    assert "3 open alerts, newest first" in city  # the city counts its districts' alerts


def html_section(html: str) -> str:
    return html[html.index('id="brief-alerts-h"'):]


def test_the_brief_defaults_to_the_latest_month_and_is_one_click_from_the_dashboard(world, client, analyst):
    two_months(world)
    dashboard = client.get("/dashboard?lang=en").text
    link = re.search(r'href="(/dashboard/brief\?[^"]+)"', dashboard)
    assert link and "period=2025-02" in link.group(1) and "Print brief" in dashboard
    assert "February 2025" in client.get(link.group(1).replace("&amp;", "&") + "&lang=en").text
    assert "Monthly brief: Shaoxing, February 2025" in client.get("/dashboard/brief?lang=en").text


def test_the_brief_in_chinese(world, client, analyst):
    two_months(world)
    html = client.get("/dashboard/brief?period=2025-02&lang=zh").text
    assert "月度简报：绍兴市，2025年2月" in html and "哪些指标变化了" in html


@pytest.mark.parametrize("query", ["period=2025-13", "period=February", "period=2025-2-01", "region=110000",
                                   "chain=nothing"])
def test_bad_brief_parameters_are_a_clear_message(client, analyst, query):
    response = client.get(f"/dashboard/brief?{query}&lang=en")
    assert response.status_code == 422
    assert "YYYY-MM" in response.text or "Choose Shaoxing" in response.text or "does not exist" in response.text


def test_an_empty_brief_says_no_data_yet(client, analyst):
    html = client.get("/dashboard/brief?period=2025-02&lang=en").text
    assert "No data yet for this region, chain and period" in html
    assert "Nothing to compare" in html and not re.search(r"\bnan\b", html, re.I)
    assert "No open alerts." in html


def test_the_print_stylesheet_hides_the_site_chrome(client):
    css = client.get("/static/css/brief.css")
    assert css.status_code == 200 and "@media print" in css.text and "header.site" in css.text
