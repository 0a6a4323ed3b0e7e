"""The daily pipeline: the plain tasks.pipeline, with each unit as a Prefect task."""

from __future__ import annotations

from prefect import flow

from flows.ops import announce_failure
from flows.steps import prefect_step
from tasks.pipeline import PipelineOutcome
from tasks.pipeline import pipeline as run_pipeline
from trendline.resources import open_resources


@flow(name="pipeline", on_failure=[announce_failure],
      description="Refresh every source, resolve facts, evaluate every "
      "indicator against the brief's baseline, write the report and deliver alerts.")
def pipeline(config: str | None = None, overrides: dict | None = None) -> PipelineOutcome:
    return run_pipeline(open_resources(config, overrides), step=prefect_step)
