"""Resolve facts, evaluate the indicators, raise and resolve alerts, write the report: the
pipeline's stages after ingest, in the pipeline's order."""

from __future__ import annotations

from prefect import flow

from trendline.core.locks import store_lock
from trendline.flows.ops import announce_failure
from trendline.flows.resources import current
from trendline.flows.steps import prefect_step
from trendline.tasks.evaluate import EvaluateOutcome
from trendline.tasks.evaluate import evaluate as run_evaluate
from trendline.tasks.publish import announce, report
from trendline.tasks.resolve import resolve


@flow(name="evaluate", on_failure=[announce_failure],
      description="Resolve facts and evaluate every indicator on what the "
      "store holds now; write the alert report and queue the announcement.")
def evaluate(accept_history: bool = False) -> tuple[EvaluateOutcome, str]:
    res = current()
    with store_lock(res.settings.database_url, wait=True):
        prefect_step("resolve", lambda: resolve(res))
        outcome = run_evaluate(res, step=prefect_step, accept_history=accept_history)
        written = prefect_step("report", lambda: report(res))
        # queued here; `trendline deliver` (or the next run) sends
        prefect_step("announce", lambda: announce(res, flows=("evaluate",)))
    return outcome, str(written)
