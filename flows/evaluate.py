"""Resolve facts, evaluate the indicators, raise and resolve alerts, write the report."""

from __future__ import annotations

from prefect import flow

from trendline.core.resources import open_resources
from trendline.flows.ops import announce_failure
from trendline.flows.steps import prefect_step
from trendline.tasks.evaluate import EvaluateOutcome
from trendline.tasks.evaluate import evaluate as run_evaluate
from trendline.tasks.publish import announce, report
from trendline.tasks.resolve import resolve


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
