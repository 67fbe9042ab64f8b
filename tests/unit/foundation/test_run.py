"""`matchmaker run` (what `make run` starts): database, migrations, sample data, web and worker, then a
clean stop of all of it."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil

from backend.config import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - a local test server
        return r.status, r.read().decode()


def test_run_serves_the_sample_platform_and_stops_everything(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("run")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHMAKER_")}
    env |= {"MATCHMAKER_DATA_DIR": str(data_dir), "MATCHMAKER_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"{base}/healthz")
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.5)
        else:
            raise AssertionError("not ready within 180 s")
        assert status == 200 and json.loads(body)["database"]["pgvector"]
        status, body = _get(f"{base}/api/v1/needs")
        needs = json.loads(body)
        assert status == 200 and needs["total"] >= 150 and all(n["is_sample"] for n in needs["items"])
        status, body = _get(f"{base}/")
        assert status == 200 and "示例" in body
        children = psutil.Process(proc.pid).children(recursive=True)
        assert any("worker" in " ".join(c.cmdline()) for c in children)
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode is not None
    # The embedded server stops as the last process using it exits; on a loaded machine that takes a moment.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (data_dir / "pg" / "postmaster.pid").exists():
        time.sleep(0.5)
    assert not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children), output
    assert not (data_dir / "pg" / "postmaster.pid").exists(), output
    postgres = [p for p in psutil.process_iter(["cmdline"]) if str(data_dir) in " ".join(p.info["cmdline"] or [])]
    assert postgres == []
