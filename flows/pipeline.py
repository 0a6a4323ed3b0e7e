"""The daily pipeline: the plain tasks.pipeline, with each unit as a Prefect task."""

from __future__ import annotations

from prefect import flow

from flows.steps import prefect_step
from tasks.pipeline import PipelineOutcome
from tasks.pipeline import pipeline as run_pipeline
from trendline.locks import store_lock
from trendline.resources import open_resources


@flow(name="pipeline", description="Refresh every source, resolve facts, evaluate every "
      "indicator against the brief's baseline, write the report and deliver alerts.")
def pipeline(config: str | None = None, overrides: dict | None = None) -> PipelineOutcome:
    res = open_resources(config, overrides)
    with store_lock(res.settings.database_url, wait=True):  # a scheduled run waits its turn
        return run_pipeline(res, step=prefect_step)
