"""Refresh flows: all sources, or the named families and sources."""

from __future__ import annotations

from typing import Literal

from prefect import flow

from trendline.core.locks import store_lock
from trendline.flows.resources import current
from trendline.flows.steps import prefect_step
from trendline.tasks.ingest import FAMILIES, RefreshOutcome, ingest

Family = Literal["watchlists", "publications", "deals"]


@flow(name="refresh", description="Refresh sources (all, or the families and names given).")
def refresh(
    families: list[Family] | None = None,
    sources: list[str] | None = None,
    publications: Literal["demo", "openalex"] | None = None,
    accept_shrink: bool = False,
) -> list[RefreshOutcome]:
    """`sources`: source names (unknown ones are refused); `publications`: where
    publications come from this time (default: the configured `sources.publications`);
    `accept_shrink`: confirm a watch-list refresh that removes a large share of a list."""
    res = current().publications_from(publications)
    with store_lock(res.settings.database_url, wait=True):
        return ingest(res, sources, prefect_step, tuple(families or FAMILIES),
                      accept_shrink=accept_shrink)
