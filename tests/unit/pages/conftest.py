"""Fixtures of the browser tests: headless Chromium (Playwright) and the real app served on a free port."""

import os
import shutil
import socket
import threading
import time
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


