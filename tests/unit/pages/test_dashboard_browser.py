"""The government dashboard in a real browser (headless Chromium): an analyst opens it in Chinese and in
English, every chart loads as an SVG image of real size, Chinese is drawn with real glyphs, not boxes."""

from datetime import UTC, datetime

import pytest

from backend.accounts.models import Role
from backend.db import session_scope
from backend.ledger import service as ledger
from backend.ledger.kinds import EventKind as K
from backend.matches.models import Match
from backend.organisations.models import OrgKind
from backend.partnerships.models import Partnership, PartnershipKind
from backend.scores import service
from tests.common.factories import create_capability, create_need, create_org
from tests.common.portal import PASSWORD, create_user

CHARTS = ("radar", "districts", "trends", "funnel", "chains", "countries")

# Draws two different characters in a font; boxes (a missing font's .notdef glyph) make the two images equal.
SAME_GLYPHS = """([font, a, b]) => {
  const draw = (ch) => {
    const c = document.createElement("canvas"); c.width = 40; c.height = 40;
    const g = c.getContext("2d"); g.font = "32px " + font; g.fillText(ch, 2, 34);
    return Array.from(g.getImageData(0, 0, 40, 40).data).join(",");
  };
  return draw(a) === draw(b);
}"""


def at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 3, 0, tzinfo=UTC)


def small_region() -> str:
    """Three months of needs, matches and a German partnership in two districts; scores recomputed. Returns the
    analyst's e-mail."""
    with session_scope() as s:
        firms = [create_org(s, region="330624"), create_org(s, region="330602")]
        lab = create_org(s, kind=OrgKind.UNIVERSITY, region="330602", name="示例文理学院")
        foreign = create_org(s, kind=OrgKind.FOREIGN_PARTNER, region="DE", name="Sample Hochschule")
        cap = create_capability(s, lab)
        for month in (1, 2, 3):
            for n, firm in enumerate(firms[: 1 + month % 2]):
                need = create_need(s, firm, title=f"需求{month}{n}")
                match = Match(need_id=need.id, capability_id=cap.id, fused_score=0.6, proposed_at=at(month, 2))
                s.add(match)
                s.flush()
                refs = {"need_id": need.id, "region_id": firm.region_id, "chain_id": need.chain_id}
                ledger.record(s, K.NEED_POSTED, organisation_ids=[firm.id], occurred_at=at(month, 1), **refs)
                ledger.record(s, K.MATCH_PROPOSED, organisation_ids=[firm.id, lab.id], match_id=match.id,
                              capability_id=cap.id, data={"fused_score": 0.6, "rank": 1}, occurred_at=at(month, 2),
                              **refs)
                if month != 2:
                    ledger.record(s, K.MATCH_ACCEPTED, organisation_ids=[firm.id, lab.id], match_id=match.id,
                                  capability_id=cap.id, data={"from": "firm_interested"},
                                  occurred_at=at(month, 5 + n), **refs)
        partnership = Partnership(local_organisation_id=firms[0].id, foreign_organisation_id=foreign.id,
                                  country_code="DE", kind=PartnershipKind.JOINT_RD, started_on=at(2, 1).date())
        s.add(partnership)
        s.flush()
        ledger.record(s, K.PARTNERSHIP_CREATED, region_id=firms[0].region_id,
                      organisation_ids=[firms[0].id, foreign.id], partnership_id=partnership.id,
                      data={"country": "DE", "kind": "joint_rd", "value_cny": 800000}, occurred_at=at(2, 10))
        service.recompute(s, as_of=datetime(2025, 12, 31).date())
        return create_user(s, Role.GOVERNMENT_ANALYST, email="analyst@dashboard.example.cn").email


@pytest.mark.parametrize("lang,heading", [("zh", "地区“五力”指数"), ("en", "The five powers of the region")])
def test_an_analyst_sees_every_chart_of_the_dashboard_in_both_languages(browser, served, tmp_path, lang, heading):
    email = small_region()
    context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{served}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    assert page.url.endswith("/dashboard")

    charts = {}
    page.on("response", lambda r: charts.__setitem__(r.url.split("/charts/")[1].split(".svg")[0], r)
            if "/dashboard/charts/" in r.url else None)
    page.goto(f"{served}/dashboard?lang={lang}&period=quarter&at=2025-01-01", wait_until="networkidle")
    assert page.locator("h1").inner_text() == heading
    for name in CHARTS:
        assert name in charts and charts[name].status == 200, name
        assert charts[name].headers["content-type"].startswith("image/svg+xml")
        image = page.locator(f"img[src^='/dashboard/charts/{name}.svg']")
        assert image.evaluate("i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0"), name
        box = image.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, name
    assert page.locator("section.drilldown table").count() == 3
    # Chinese in the page's font and in the charts' font is drawn with real glyphs, not boxes.
    page_font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    for font in (page_font, '"WenQuanYi Micro Hei"'):
        assert not page.evaluate(SAME_GLYPHS, [font, "共", "力"]), font
    shot = tmp_path / f"dashboard-{lang}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    context.close()


def test_the_brief_is_one_click_away_and_prints_without_the_site_chrome(browser, served, tmp_path):
    email = small_region()
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{served}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.goto(f"{served}/dashboard?lang=zh&period=month&at=2025-03-01")
    page.click("text=打印简报")
    assert "/dashboard/brief?" in page.url and "period=2025-03" in page.url
    assert "月度简报" in page.locator("h1").inner_text()
    assert page.locator("[data-print]").is_visible()  # the Print button appears when scripts run
    page.emulate_media(media="print")
    assert page.locator("header.site").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".no-print").first.evaluate("e => getComputedStyle(e).display") == "none"
    page.screenshot(path=str(tmp_path / "brief-print.png"), full_page=True)
    pdf = tmp_path / "brief.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.stat().st_size > 10_000
