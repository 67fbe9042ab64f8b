"""matching/ is the pure engine: it imports nothing from the platform and reads no environment."""

import ast
import subprocess
import sys
from pathlib import Path

from backend.config import ROOT

ENGINE = ROOT / "matching"


def _modules() -> list[Path]:
    return sorted(ENGINE.glob("*.py"))


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] == "backend"]
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] == "backend":
                found.append(f"from {node.module} import ...")
            if node.module == "os" and any(a.name in ("environ", "getenv", "environb") for a in node.names):
                found.append("from os import environ/getenv")
        elif isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb", "putenv"):
            found.append(f"os.{node.attr}")
    return [f"{path.name}:{o}" for o in found]


def test_the_engine_neither_imports_the_platform_nor_reads_the_environment():
    modules = _modules()
    assert {"lexical.py", "embedders.py", "calibration.py"} <= {p.name for p in modules}
    offences = [o for p in modules for o in _offences(p)]
    assert offences == []


def test_the_checker_catches_both_kinds(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom backend.config import get_settings\nx = os.environ.get('A')\n")
    assert _offences(bad) == ["bad.py:from backend.config import ...", "bad.py:os.environ"]


def test_importing_every_engine_module_loads_no_platform_module():
    names = [f"matching.{p.stem}" for p in _modules() if p.stem != "__init__"]
    code = (f"import importlib, sys\nfor n in {names!r}: importlib.import_module(n)\n"
            "print(sorted(m for m in sys.modules if m == 'backend' or m.startswith('backend.')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
