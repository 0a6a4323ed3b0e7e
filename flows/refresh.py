"""Refresh flows: all sources, or the named families and sources."""

from __future__ import annotations

from prefect import flow

from trendline.core.resources import open_resources
from trendline.flows.steps import prefect_step
from trendline.tasks.ingest import FAMILIES, RefreshOutcome, ingest


@flow(name="refresh", description="Refresh sources (all, or the families and names given).")
def refresh(
    config: str | None = None,
    overrides: dict | None = None,
    only: list[str] | None = None,
    families: list[str] | None = None,
) -> list[RefreshOutcome]:
    res = open_resources(config, overrides)
    return ingest(res, only, prefect_step, tuple(families or FAMILIES))
