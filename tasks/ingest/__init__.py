"""Ingest: every source fetched, normalised and written, one transaction a source."""

from __future__ import annotations

from trendline.core.resources import Resources
from trendline.core.steps import Step, direct
from trendline.tasks.ingest.runner import run_source
from trendline.tasks.ingest.runs import RefreshOutcome
from trendline.tasks.ingest.source import Source
from trendline.tasks.ingest.sources import all_sources

__all__ = ["FAMILIES", "RefreshOutcome", "Source", "ingest", "run_source", "source_names"]

FAMILIES = ("watchlists", "publications", "deals")  # watch-lists first: resolve needs them


def source_names(only: list[str] | None = None, families=FAMILIES) -> list[str]:
    """Scheduled sources in refresh order (by family, then name); `only` narrows them."""
    found = all_sources()
    return [n for f in families for n in sorted(found)
            if found[n].family == f and (not only or n in only)]


def ingest(res: Resources, only: list[str] | None = None, step: Step = direct,
           families=FAMILIES, accept_shrink: bool = False) -> list[RefreshOutcome]:
    """Refresh each source as its own step; a failed source never stops the others.
    An `only` name that is no source is refused (ValueError) before anything runs.
    `accept_shrink`: confirm refreshes a source's `hold_back` check would hold back."""
    sources = all_sources()
    unknown = sorted(set(only or ()) - set(sources))
    if unknown:
        raise ValueError(f"unknown source {', '.join(unknown)}; choose from "
                         f"{', '.join(sorted(sources))}")
    return [
        step(f"refresh-{name}",
             lambda name=name: run_source(res, sources[name], accept_shrink=accept_shrink))
        for name in source_names(only, families)
    ]
