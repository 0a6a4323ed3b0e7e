"""One module per source, each declaring `SOURCE = Source(...)` (tasks/ingest/source.py);
`all_sources()` finds them. Parsing helpers shared by several sources live in
tasks/ingest/parsing/, clients in tasks/ingest/clients/."""

from __future__ import annotations

import importlib
import pkgutil

from trendline.tasks.ingest.source import Batch, Reject, Skip, Source, SourceError

__all__ = ["Batch", "Reject", "Skip", "Source", "SourceError", "all_sources"]


def all_sources() -> dict[str, Source]:
    """Every module's declared source, by name."""
    found: dict[str, Source] = {}
    for mod in pkgutil.iter_modules(__path__):
        declared = getattr(importlib.import_module(f"{__name__}.{mod.name}"), "SOURCE", None)
        if isinstance(declared, Source):
            if declared.name in found:
                raise ValueError(f"source {declared.name} declared twice")
            found[declared.name] = declared
    return found
