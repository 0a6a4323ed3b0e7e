"""The daily pipeline: the plain tasks.pipeline, with each unit as a Prefect task, and a
Markdown artifact with the run summary and a link to the report."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from trendline.core.locks import store_lock
from trendline.flows.ops import announce_failure
from trendline.flows.resources import current
from trendline.flows.steps import prefect_step
from trendline.tasks.pipeline import PipelineOutcome
from trendline.tasks.pipeline import pipeline as run_pipeline
from trendline.tasks.publish.run_summary import markdown

ARTIFACT_KEY = "pipeline-run-summary"


@flow(name="pipeline", on_failure=[announce_failure],
      description="Refresh every source, resolve facts, evaluate every "
      "indicator against the brief's baseline, write the report and deliver alerts.")
def pipeline(accept_history: bool = False, accept_shrink: bool = False) -> PipelineOutcome:
    """`accept_history`: alerts about periods before `alerts.announce_from` are recorded
    as history, not announced. `accept_shrink`: a watch-list refresh that would remove
    more than `max_removed_share` of a list is confirmed, not held back."""
    res = current()
    with store_lock(res.settings.database_url, wait=True):  # a scheduled run waits its turn
        out = run_pipeline(res, step=prefect_step, accept_history=accept_history,
                           accept_shrink=accept_shrink)
    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=markdown(out.refreshed, out.evaluation, out.report, out.delivery,
                          res.settings.reports.base_url),
        description="What this run refreshed, evaluated, fired and sent; the report.",
    )
    return out
