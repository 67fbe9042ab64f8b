"""Fixtures of the browser tests: headless Chromium (Playwright); the served app is in tests/conftest.py."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Screenshots of every step, kept after the run in the test output folder (`test-output/` of the checkout,
# or MATCHMAKER_TEST_OUTPUT).
OUTPUT = Path(os.environ.get("MATCHMAKER_TEST_OUTPUT", Path(__file__).resolve().parents[3] / "test-output"))
SHOTS = OUTPUT / "screenshots"


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
