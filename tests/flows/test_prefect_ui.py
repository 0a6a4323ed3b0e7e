"""Prefect as its users see it, on a real (temporary) Prefect server: a pipeline run with a
failing source shows that source's task Failed with its error in the logs, the other
sources Completed, and a Markdown artifact with the run summary and the report's link."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trendline.flows.embedded import drain_prefect

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


MISSING = "no-such-screening-list.csv"


@pytest.fixture
def served(prefect_server, home):
    """`trendline serve` in a subprocess against the test's Prefect server, configured (by
    its own environment, as an operator would) with a screening list that is missing."""
    trendline = Path(sys.executable).with_name("trendline")
    log = home.parent / "serve.log"
    env = {**os.environ, "TRENDLINE_SOURCES__WATCHLISTS": "live",
           "TRENDLINE_SOURCES__SCREENING_LIST__PATH": str(home.parent / MISSING)}
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(trendline), "serve"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        yield log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_served_run_with_a_failing_source_fails_that_task_only_and_publishes_a_summary(
        served):
    from prefect.deployments import run_deployment

    from trendline.flows.pipeline import ARTIFACT_KEY

    run = wait_for_deployment(run_deployment, served)
    assert run.state.type.value == "COMPLETED", run.state  # the others ran on
    drain_prefect()
    tasks, logs, artifacts, flow_run = asyncio.run(_read(run.id))

    names = {t.name for t in tasks}
    failed = [t for t in tasks if t.name.startswith("refresh-screening_list")]
    assert failed and failed[0].state.type.value == "FAILED", names
    assert MISSING in (failed[0].state.message or "")
    refresh = [t for t in tasks if t.name.startswith("refresh-") and t not in failed]
    assert len(refresh) >= 5 and all(t.state.type.value == "COMPLETED" for t in refresh), \
        {t.name: t.state.type.value for t in refresh}
    assert not any(t.name.startswith(("unit", "refresh_source")) for t in tasks), names

    mine = [entry for entry in logs if entry.task_run_id == failed[0].id]
    assert any(entry.level >= 40 and MISSING in entry.message for entry in mine), \
        [entry.message for entry in logs][:10]

    summary = [a for a in artifacts if a.key == ARTIFACT_KEY]
    assert summary and summary[0].type == "markdown"
    text = summary[0].data
    assert "screening_list | **failed**" in text and "**Report:** [alerts-" in text
    assert "file://" in text and "Indicators evaluated" in text


def wait_for_deployment(run_deployment, log: Path, timeout: float = 240):
    """Run pipeline/daily once the served deployment is registered."""
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + timeout
    while True:
        try:
            return run_deployment("pipeline/daily", parameters={},
                                  timeout=max(10.0, deadline - time.monotonic()))
        except ObjectNotFound:  # not registered yet
            if time.monotonic() > deadline:
                raise AssertionError(f"no deployment served: {log.read_text()[-500:]}") \
                    from None
            time.sleep(1)


@pytest.mark.parametrize("server,level", [("", "CRITICAL"), ("http://127.0.0.1:4200/api", None)])
def test_logs_are_quiet_only_in_the_embedded_one_shot_mode(settings, monkeypatch, server, level):
    import os

    from trendline.core.settings import apply_prefect_environment

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    if server:
        env["PREFECT_API_URL"] = server
    monkeypatch.setattr(os, "environ", env)  # nothing leaks into the other tests
    apply_prefect_environment(settings)
    assert os.environ.get("PREFECT_LOGGING_LEVEL") == level
    assert ("trendline" in os.environ.get("PREFECT_LOGGING_EXTRA_LOGGERS", "")) == bool(server)


def test_deployments_carry_descriptions(home):
    from trendline.core.settings import load_settings
    from trendline.flows.serve import deployments

    for dep in deployments(load_settings()):
        assert dep.description and dep.description != "None", dep.name
