"""Pages in a real browser: headless Chromium driven by Playwright against the served app."""

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from backend.db import session_scope
from backend.matches import matching
from backend.organisations.models import OrgKind
from tests.common.factories import create_capability, create_need, create_org

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path("/tmp/matchmaker-screenshots")


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("no Chromium at /usr/bin/chromium (.ci/run installs Debian's chromium and fonts-wqy-microhei)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def served(committed):  # noqa: ANN001
    """The real app on a free local port, in a thread."""
    import uvicorn

    from backend.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


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
    assert "语义非常接近" in " ".join(text) or "semantically very close" in " ".join(text)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "need.png"), full_page=True)


def test_a_missing_page_is_a_friendly_404(browser, served):
    page = browser.new_page()
    response = page.goto(f"{served}/capabilities/987654")
    assert response.status == 404
    assert "does not exist" in page.inner_text("body")
