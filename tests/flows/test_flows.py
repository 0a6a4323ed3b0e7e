"""The real Prefect flows through the CLI, behind one session-scoped temporary server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import CAPTURED

from trendline.cli import main
from trendline.core.db import engine_for, table_counts
from trendline.core.settings import load_settings

pytestmark = pytest.mark.prefect


def cli(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_run_twice_then_weekly_summary(prefect_server, home, monkeypatch):
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", "alerts,weekly=capture://")
    CAPTURED.clear()
    first = cli("run")
    report = Path(re.search(r"Report: (\S+)", first)[1])
    assert report.is_file() and report.with_suffix(".md").is_file()
    assert re.search(r"Alerts: [1-9]\d* fired", first) and "Messages: 1 sent" in first
    counts = table_counts(engine_for(load_settings().database_url))

    second = cli("run")
    assert "Alerts: 0 fired, 0 resolved" in second and "Messages: 0 sent" in second
    assert "succeeded" not in second.split("Indicators")[0], "an unchanged source is not rewritten"
    assert table_counts(engine_for(load_settings().database_url)) == counts
    assert len(CAPTURED) == 1

    weekly = cli("summary")
    assert "summary.html" in weekly and "1 sent" in weekly
    assert "weekly summary" in CAPTURED[-1]["title"].lower()
    assert "cid:research.joint_output.png" in CAPTURED[-1]["body"]  # charts by reference
    assert "data:" not in CAPTURED[-1]["body"]
    assert "0 sent" in cli("summary") and len(CAPTURED) == 2  # once a week


def test_served_deployments_have_the_configured_schedules(home):
    from trendline.flows.serve import deployments

    deps = deployments(load_settings())
    crons = {d.name: d.schedules[0].schedule.cron for d in deps}
    assert crons == {"daily": "0 6 * * *", "weekly": "0 7 * * 1"}
