"""Every command on an empty or partly refreshed store: it works and says what is missing,
or (marked xfail) the defect is pinned here until the stage that owns it is fixed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from trendline.cli import main


@pytest.mark.parametrize("args", [["indicators"], ["indicators", "--format", "json"],
                                  ["alerts"], ["alerts", "--all"], ["deliver"]])
def test_read_commands_on_a_fresh_store(home, args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "trendline: error:" not in result.output and not (home / "errors.log").exists()


@pytest.mark.xfail(raises=ValueError, strict=False,
                   reason="load_frames merges empty frames of different dtypes "
                   "(tasks/frames, being rewritten on another branch)")
def test_evaluate_on_a_fresh_store(engine, settings):
    from tasks.evaluate.evaluation import evaluate_store

    outcome = evaluate_store(engine, settings)
    assert not outcome.transitions


def test_weekly_summary_on_a_fresh_store(engine, settings):
    from tasks.publish.weekly import build_weekly
    from trendline.db import utcnow

    path, _ = build_weekly(engine, settings, utcnow())
    assert path.is_file()
