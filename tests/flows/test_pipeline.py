"""The whole path on the demo snapshot, without Prefect: idempotent and traceable."""

from __future__ import annotations

import json

import sqlalchemy as sa
from helpers import CAPTURED, run_pipeline

from trendline.core import schema
from trendline.core.db import table_counts
from trendline.core.settings import load_settings


def test_demo_pipeline_fires_alerts_with_evidence(engine, settings):
    refreshed, evaluation, report, _ = run_pipeline(engine, settings)
    assert {r.source: r.status for r in refreshed}["openalex"] == "succeeded"
    assert (
        report.exists()
        and report.with_suffix(".md").exists()
        and report.with_suffix(".txt").exists()
    )
    ids = {e.indicator.id for e in evaluation.evaluations}
    assert {
        "research.joint_output",
        "research.entity_list_collab",
        "investment.disclosed_flow",
    } <= ids
    assert evaluation.fired > 0 and not evaluation.errors
    with engine.connect() as conn:
        firing = conn.execute(
            sa.select(schema.alerts).where(schema.alerts.c.state == "firing")
        ).all()
        values = conn.execute(sa.select(schema.indicator_values)).mappings().all()
    assert firing and all(a.evidence for a in firing)
    joint = {v["period"]: v for v in values if v["indicator_id"] == "research.joint_output"}
    # the demo's 2010-2019 counts follow the brief: 296 papers, 2019 = 14x 2010
    assert sum(joint[str(y)]["value"] for y in range(2010, 2020)) == 296
    assert joint["2019"]["value"] == 14 * joint["2010"]["value"]
    assert "group_by=publication_year" in joint["2019"]["query"]
    assert len(joint["2019"]["evidence"]) == 20 and joint["2019"]["evidence_count"] == 84
    assert "trendline evidence research.joint_output --period 2019" in joint["2019"]["detail"][
        "list_all"]
    assert {p["source"] for p in joint["2019"]["provenance"]} >= {"openalex"}


def test_second_run_changes_no_row_and_sends_nothing_twice(home, monkeypatch):
    monkeypatch.setenv("TRENDLINE_APPRISE_URLS", "alerts,weekly=capture://")
    settings = load_settings()
    from trendline.core.db import make_engine, migrate

    settings.home.mkdir(parents=True)
    engine = make_engine(settings.database_url)
    migrate(engine)
    CAPTURED.clear()
    run_pipeline(engine, settings)
    first = table_counts(engine)
    sent_first = len(CAPTURED)
    with engine.connect() as conn:
        snapshot = json.dumps(
            [
                list(r)
                for r in conn.execute(sa.select(schema.works.c.id, schema.works.c.refresh_run_id))
            ],
            default=str,
        )
    _, evaluation, _, delivery = run_pipeline(engine, settings)
    assert table_counts(engine) == first
    assert sent_first == 1 and len(CAPTURED) == 1, "the alert digest is sent once"
    assert evaluation.transitions == [] and delivery.sent == 0
    with engine.connect() as conn:
        again = json.dumps(
            [
                list(r)
                for r in conn.execute(sa.select(schema.works.c.id, schema.works.c.refresh_run_id))
            ],
            default=str,
        )
    assert again == snapshot, "an unchanged refresh rewrites nothing"
