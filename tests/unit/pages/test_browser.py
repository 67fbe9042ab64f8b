"""Pages in a real browser: headless Chromium driven by Playwright against the served app."""

from backend.db import session_scope
from backend.matches import matching
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_need, create_org
from tests.unit.pages.conftest import SHOTS


def test_a_need_page_shows_explained_cross_language_matches(browser, served):
    with session_scope() as s:
        de = create_org(s, kind=OrgKind.FOREIGN_PARTNER, region="DE", name="Sample Technical University")
        cap = create_capability(s, de, title="Grinding burn detection for wind turbine bearing rollers",
                                description="We detect grinding burn on wind turbine bearing rollers and keep "
                                            "roundness within tolerance.")
        zh = create_capability(s, title="风电滚子磨削烧伤检测", description="风电滚子精密磨削与烧伤在线检测。")
        need = create_need(s, title="风电滚子磨削烧伤", description="风电滚子磨削后表面烧伤，圆度超差。")
        matching.embed_postings(s, [cap, zh, need])
    with session_scope() as s:
        matching.match_need(s, need.id)
    page = browser.new_page()
    page.goto(f"{served}/needs/{need.id}")
    assert "风电滚子磨削烧伤" in page.title()
    cards = page.locator(".match")
    assert cards.count() >= 2
    text = cards.all_inner_texts()
    assert any("Grinding burn detection" in t for t in text)
    assert page.locator(".match mark").count() >= 1
    # the calibrated score in words and percent
    assert any(w in " ".join(text) for w in ("很可能相关", "可能相关", "值得一看", "不太契合", "likely relevant"))
    assert "%" in " ".join(text)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "need.png"), full_page=True)


def test_a_missing_page_is_a_friendly_404(browser, served):
    page = browser.new_page()
    response = page.goto(f"{served}/capabilities/987654")
    assert response.status == 404
    assert "does not exist" in page.inner_text("body")
