"""A source, as a type: every way data comes in (a scheduled refresh, `import-cnki`,
`import-deals`, `ingest-snapshot`, the demo) is a `Source`, run by the one `run_source()`
(tasks/ingest/runner.py).

- `fetch(settings) -> raw`: I/O only (HTTP, a file, the bundled demo snapshot); raises Skip
  when the source is not configured for this run;
- `normalise(raw) -> Batch`: pure, raw records to rows for the store's tables, with the
  rejected rows named (file, line, field, reason);
- `load(conn, batch, run_id, now) -> rows written`: an idempotent load inside the run's one
  transaction (default: upsert every table of the batch);
- `family`: the scheduled refresh it belongs to (publications, watchlists, deals), or None
  for a one-off import;
- `minimum_rows(settings)`: a batch with fewer rows fails the refresh (a changed format must
  never read as an empty source);
- `retry(settings) -> (attempts, first backoff in seconds)` of the whole fetch (a client
  that retries each request itself declares one attempt);
- `hold_back(conn, batch, settings) -> reason or None`: a refresh too drastic to write
  unconfirmed (a watch-list that would lose most of its entries); it fails with the reason
  until the run is told `accept_shrink`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from trendline.core.settings import Settings


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


Load = Callable[[Any, Batch, str, dt.datetime], int]


def _no_minimum(_settings: Settings) -> int:
    return 0


def _once(_settings: Settings) -> tuple[int, float]:
    return 1, 0.0  # local files: reading again would not help


def _given(raw: Any) -> Any:
    return raw


def _nothing_to_fetch(_settings: Settings) -> Any:
    raise SourceError("this source is given its data; it fetches nothing")


@dataclass(frozen=True)
class Source:
    name: str
    fetch: Callable[[Settings], Any] = _nothing_to_fetch
    normalise: Callable[[Any], Batch] = _given
    family: str | None = None
    load: Load | None = None
    minimum_rows: Callable[[Settings], int] = _no_minimum
    retry: Callable[[Settings], tuple[int, float]] = _once
    hold_back: Callable[[Any, Batch, Settings], str | None] | None = None

    def already_normalised(self) -> Source:
        """This source, for a batch the caller normalised itself (an import that reports
        on each file before it writes): `run_source(res, src.already_normalised(), batch)`
        validates and writes it as this source."""
        return replace(self, normalise=_given)


def given(name: str, load: Load | None = None) -> Source:
    """A one-off source whose data the caller already holds as a Batch (a deal file an
    import normalised with its companions): `run_source(res, given(...), raw=batch)`."""
    return Source(name=name[:64], load=load)
