"""Every command on an empty or partly refreshed store: it works and says what is missing."""

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


def test_evaluate_on_a_fresh_store(engine, settings):
    """Every indicator evaluates on an empty store and says it has no data."""
    from trendline.core.resources import Resources
    from trendline.tasks.evaluate.evaluation import evaluate_store
    from trendline.tasks.resolve import resolve

    res = Resources(settings, engine)
    resolve(res)
    outcome = evaluate_store(res)
    assert len(outcome.evaluations) == 25 and not outcome.errors
    assert all(t.change == "no_data" for t in outcome.transitions)


def test_weekly_summary_on_a_fresh_store(engine, settings):
    from trendline.core.db import utcnow
    from trendline.tasks.publish.weekly import build_weekly

    path, _ = build_weekly(engine, settings, utcnow())
    assert path.is_file()
