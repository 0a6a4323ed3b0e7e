"""The layering contracts (pyproject.toml [tool.importlinter]) hold, and fail on a
back-arrow: the same contracts run on a copy of the tree with one bad import added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("trendline", "tasks", "flows", "indicators")


def lint(tree: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT), "--config", str(tree / "pyproject.toml"),
                           "--no-cache"], cwd=tree, env=env, capture_output=True, text=True)


@pytest.fixture
def tree(tmp_path):
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold(tree):
    out = lint(tree)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("module, bad", [
    ("indicators/common.py", "import sqlalchemy"),
    ("indicators/common.py", "from tasks.frames import load_frames"),
    ("tasks/ingest/runs.py", "from tasks.publish import outbox"),
    ("tasks/resolve/deals.py", "from tasks.evaluate import evaluation"),
    ("tasks/frames/__init__.py", "import flows.pipeline"),
    ("flows/steps.py", "import trendline.cli"),
])
def test_a_back_arrow_breaks_them(tree, module, bad):
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{bad}  # noqa\n", encoding="utf-8")
    out = lint(tree)
    assert out.returncode != 0 and "BROKEN" in out.stdout, out.stdout
