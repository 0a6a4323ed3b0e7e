"""Resolve facts, evaluate the indicators, raise and resolve alerts, write the report."""

from __future__ import annotations

from prefect import flow

from flows.ops import announce_failure
from flows.steps import prefect_step
from tasks.evaluate import EvaluateOutcome
from tasks.evaluate import evaluate as run_evaluate
from tasks.publish import announce, report
from tasks.resolve import resolve
from trendline.resources import open_resources


@flow(name="evaluate", on_failure=[announce_failure],
      description="Resolve facts and evaluate every indicator on what the "
      "store holds now; write the alert report.")
def evaluate(config: str | None = None, overrides: dict | None = None
             ) -> tuple[EvaluateOutcome, str]:
    res = open_resources(config, overrides)
    prefect_step("resolve", lambda: resolve(res))
    outcome = run_evaluate(res, step=prefect_step)
    # queued here; `trendline deliver` sends
    prefect_step("announce", lambda: announce(res, flows=("evaluate",)))
    return outcome, str(prefect_step("report", lambda: report(res)))
