"""The real Prefect flows, behind one session-scoped temporary server."""

from __future__ import annotations

import pytest
from helpers import CAPTURED

from trendline.db import engine_for, table_counts
from trendline.settings import load_settings

pytestmark = pytest.mark.prefect


def test_pipeline_flow_twice_changes_nothing_and_sends_once(prefect_harness, home, monkeypatch):
    from flows.pipeline import pipeline

    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", "alerts,weekly=capture://")
    CAPTURED.clear()
    first = pipeline()
    assert all(r.status in ("succeeded", "skipped") for r in first.refreshed)
    assert first.evaluation.fired > 0 and first.delivery.sent == 1
    engine = engine_for(load_settings().database_url)
    counts = table_counts(engine)
    second = pipeline()
    assert {r.status for r in second.refreshed} <= {"unchanged", "skipped"}
    assert table_counts(engine) == counts
    assert second.delivery.sent == 0 and len(CAPTURED) == 1


def test_weekly_summary_flow_queues_one_message_per_week(prefect_harness, home, monkeypatch):
    from flows.deliver import weekly_summary
    from flows.pipeline import pipeline

    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", "weekly=capture://")
    pipeline()
    CAPTURED.clear()
    path, delivery = weekly_summary()
    assert path.endswith("summary.html") and delivery.sent == 1
    assert "weekly summary" in CAPTURED[0]["title"].lower()
    assert "data:image/png;base64," in CAPTURED[0]["body"]
    _, again = weekly_summary()
    assert again.sent == 0 and len(CAPTURED) == 1


def test_served_deployments_have_the_configured_schedules(home):
    from flows.serve import deployments

    deps = deployments(load_settings(), None)
    crons = {d.name: d.schedules[0].schedule.cron for d in deps}
    assert crons == {"daily": "0 6 * * *", "weekly": "0 7 * * 1"}
