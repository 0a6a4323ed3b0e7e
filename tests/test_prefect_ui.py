"""Prefect as its users see it, on a real (temporary) Prefect server: a pipeline run with a
failing source shows that source's task Failed with its error in the logs, the other
sources Completed, and a Markdown artifact with the run summary and the report's link."""

from __future__ import annotations

import asyncio

import pytest

from trendline.embedded import drain_prefect

pytestmark = pytest.mark.prefect


async def _read(flow_run_id):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )

    async with get_client() as client:
        runs = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        tasks = await client.read_task_runs(flow_run_filter=runs)
        logs = await client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
        flow_run = await client.read_flow_run(flow_run_id)
    return tasks, logs, artifacts, flow_run


def test_a_failing_source_fails_its_task_only_and_the_run_publishes_a_summary(
        prefect_server, home, tmp_path):
    from flows.pipeline import ARTIFACT_KEY, pipeline

    missing = tmp_path / "no-such-screening-list.csv"
    overrides = {"sources": {"watchlists": "live", "screening_list": {"path": str(missing)}}}
    state = pipeline(overrides=overrides, return_state=True)
    out = state.result()
    assert [r.source for r in out.refreshed if r.status == "failed"] == ["screening_list"]
    drain_prefect()  # logs and events ship in the background
    tasks, logs, artifacts, flow_run = asyncio.run(_read(state.state_details.flow_run_id))

    names = {t.name for t in tasks}
    assert any(n.startswith("refresh-screening_list") for n in names), names
    failed = [t for t in tasks if t.name.startswith("refresh-screening_list")]
    assert failed[0].state.type.value == "FAILED"
    assert str(missing.name) in (failed[0].state.message or "")
    refresh = [t for t in tasks if t.name.startswith("refresh-") and t not in failed]
    assert len(refresh) >= 5 and all(t.state.type.value == "COMPLETED" for t in refresh), \
        {t.name: t.state.type.value for t in refresh}
    assert not any(t.name.startswith(("unit", "refresh_source")) for t in tasks)

    errors = [entry for entry in logs if entry.task_run_id == failed[0].id]
    assert errors and any(entry.level >= 40 and missing.name in entry.message
                          for entry in errors), [e.message for e in logs][:10]

    assert flow_run.state.type.value == "COMPLETED"  # the others ran on
    summary = [a for a in artifacts if a.key == ARTIFACT_KEY]
    assert summary and summary[0].type == "markdown"
    text = summary[0].data
    assert "screening_list | **failed**" in text and "**Report:** [alerts-" in text
    assert "file://" in text and "Indicators evaluated" in text


@pytest.mark.parametrize("server,level", [("", "CRITICAL"), ("http://127.0.0.1:4200/api", None)])
def test_logs_are_quiet_only_in_the_embedded_one_shot_mode(settings, monkeypatch, server, level):
    import os

    from trendline.settings import apply_prefect_environment

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    if server:
        env["PREFECT_API_URL"] = server
    monkeypatch.setattr(os, "environ", env)  # nothing leaks into the other tests
    apply_prefect_environment(settings)
    assert os.environ.get("PREFECT_LOGGING_LEVEL") == level
    assert ("tasks" in os.environ.get("PREFECT_LOGGING_EXTRA_LOGGERS", "")) == bool(server)


def test_deployments_carry_descriptions(home):
    from flows.serve import deployments
    from trendline.settings import load_settings

    for dep in deployments(load_settings(), None):
        assert dep.description and dep.description != "None", dep.name
