"""One module per source. Each module defines:

- NAME (str): the source's name in `trendline refresh NAME` and in refresh_runs;
- FAMILY (str): publications | watchlists | deals, the refresh flow that runs it;
- fetch(settings) -> raw: I/O only (HTTP, a file, the bundled demo snapshot);
- normalise(raw) -> Batch: pure, raw records to rows for the store's tables;
- optionally load(conn, batch, run_id, now): a custom idempotent load; the default upserts
  every table in the batch;
- optionally minimum_rows(settings) -> int: a batch with fewer rows fails the refresh
  (a changed format must not read as an empty source).

A source that should not run (no API key, no file configured) raises Skip.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any


class Skip(Exception):
    """The source is not configured for this run; the message says why, in one line."""


class SourceError(Exception):
    """The source failed in a way the user can act on; nothing was written."""


@dataclass(frozen=True)
class Reject:
    """One bad input row: where it is and what is wrong with it."""

    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


@dataclass
class Batch:
    """A normalised refresh: rows per table (without provenance columns), plus rejects."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    read: int = 0
    mode: str = "live"  # demo | live | file
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def content_hash(self) -> str:
        blob = json.dumps(self.tables, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()


def all_sources() -> dict[str, ModuleType]:
    found = {}
    for mod in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        if hasattr(module, "NAME") and hasattr(module, "fetch"):
            found[module.NAME] = module
    return found
