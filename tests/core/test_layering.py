"""The layering contract (pyproject.toml [tool.importlinter]) holds, and fails on a
back-arrow: the same contract runs, through scripts/lint_layers.py as CI runs it, on a copy
of the tree with one bad import added."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("trendline", "tasks", "flows", "indicators")
_spec = importlib.util.spec_from_file_location("lint_layers", ROOT / "scripts" / "lint_layers.py")
lint_layers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lint_layers)


@pytest.fixture
def tree(tmp_path):
    for pkg in PACKAGES:
        shutil.copytree(ROOT / pkg, tmp_path / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold(tree):
    out = lint_layers.lint(tree)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "BROKEN" not in out.stdout and "KEPT" in out.stdout


@pytest.mark.parametrize("module, bad", [
    ("indicators/common.py", "import sqlalchemy"),
    ("indicators/common.py", "from trendline.tasks.frames import load_frames"),
    ("tasks/ingest/runs.py", "from trendline.tasks.publish import outbox"),
    ("tasks/ingest/runs.py", "from trendline.tasks.resolve import resolve"),
    ("tasks/resolve/deals.py", "from trendline.tasks.evaluate import evaluation"),
    ("tasks/frames/__init__.py", "import trendline.flows.pipeline"),
    ("tasks/publish/report.py", "import prefect"),
    ("flows/steps.py", "import trendline.cli"),
    ("flows/steps.py", "import trendline.web"),
    ("trendline/core/settings.py", "from trendline.indicators import registry"),
    ("trendline/core/db.py", "import trendline.tasks.pipeline"),
    ("trendline/web/__init__.py", "import trendline.cli.commands"),
])
def test_a_back_arrow_breaks_them(tree, module, bad):
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{bad}  # noqa\n", encoding="utf-8")
    out = lint_layers.lint(tree)
    assert out.returncode != 0 and "BROKEN" in out.stdout, out.stdout
