"""The daily pipeline: the plain tasks.pipeline, with each unit as a Prefect task, and a
Markdown artifact with the run summary and a link to the report."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.ops import announce_failure
from flows.steps import prefect_step
from tasks.pipeline import PipelineOutcome
from tasks.pipeline import pipeline as run_pipeline
from tasks.publish.run_summary import markdown
from trendline.locks import store_lock
from trendline.resources import open_resources

ARTIFACT_KEY = "pipeline-run-summary"


@flow(name="pipeline", on_failure=[announce_failure],
      description="Refresh every source, resolve facts, evaluate every "
      "indicator against the brief's baseline, write the report and deliver alerts.")
def pipeline(config: str | None = None, overrides: dict | None = None) -> PipelineOutcome:
    res = open_resources(config, overrides)
    with store_lock(res.settings.database_url, wait=True):  # a scheduled run waits its turn
        out = run_pipeline(res, step=prefect_step)
    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=markdown(out.refreshed, out.evaluation, out.report, out.delivery,
                          res.settings.reports.base_url),
        description="What this run refreshed, evaluated, fired and sent; the report.",
    )
    return out
