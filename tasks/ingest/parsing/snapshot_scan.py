"""Reading one JSON Lines part of an OpenAlex works snapshot (where the parts are:
snapshot_layout.py), streamed in bounded chunks (never loaded whole). A line is parsed only when
its bytes contain every wanted country code, and then only the fields Trendline stores are
decoded (msgspec, unknown fields skipped). No database here: the worker processes run it."""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass, field
from typing import TypedDict

import msgspec

from trendline.tasks.ingest.parsing.snapshot_layout import content_key, version_of
from trendline.tasks.ingest.parsing.snapshot_lines import LineTooLong, candidates
from trendline.tasks.ingest.source import Reject
from trendline.tasks.ingest.sources.openalex import work_rows

SOURCE = "snapshot"

try:  # ISA-L inflates several times faster than zlib; plain gzip otherwise
    from isal import igzip as gzip_module  # noqa: F401 (the merged-ids files)
    from isal.isal_zlib import error as _isal_error
except ImportError:  # pragma: no cover
    import gzip as gzip_module  # noqa: F401

    _isal_error = zlib.error

# What a truncated or corrupt partition raises while it is read.
UNREADABLE = (EOFError, OSError, zlib.error, _isal_error)


# Only the fields work_rows reads: msgspec skips the rest of each record unparsed.
class _Named(TypedDict, total=False):
    id: str | None
    display_name: str | None


class _Institution(TypedDict, total=False):
    id: str | None
    display_name: str | None
    ror: str | None
    country_code: str | None


class _Authorship(TypedDict, total=False):
    author: _Named | None
    institutions: list[_Institution]
    countries: list[str]
    raw_affiliation_strings: list[str]


class _Topic(TypedDict, total=False):
    id: str | None
    display_name: str | None
    score: float | None
    subfield: _Named | None
    field: _Named | None


class _Grant(TypedDict, total=False):
    funder_display_name: str | None


class _Percentile(TypedDict, total=False):
    value: float | None
    is_in_top_10_percent: bool | None


class _YearPercentile(TypedDict, total=False):
    min: float | None
    max: float | None


class _Work(TypedDict, total=False):
    id: str
    doi: str | None
    title: str | None
    display_name: str | None
    publication_year: int | None
    language: str | None
    type: str | None
    cited_by_count: int | None
    fwci: float | None
    citation_normalized_percentile: _Percentile | None
    cited_by_percentile_year: _YearPercentile | None
    authorships: list[_Authorship]
    topics: list[_Topic]
    grants: list[_Grant]
    concepts: list[_Named]
    is_authors_truncated: bool | None
    updated_date: str | None
    is_xpac: bool | None


_DECODER = msgspec.json.Decoder(_Work)


@dataclass
class PartitionResult:
    path: str
    size: int
    read: int = 0
    works: list[dict] = field(default_factory=list)
    authorships: list[dict] = field(default_factory=list)
    errors: int = 0
    version: str = ""  # the partition's updated_date: a work lives where it was last updated
    seen: list[int] = field(default_factory=list)  # work keys of every record read
    removed: int = 0  # stored works this partition holds in a newer, not joint version
    xpac: int = 0  # candidate records left out as XPAC (expansion-pack) works
    lines: int = 0  # lines read, blank ones too (for line numbers)
    failed: str = ""  # why the partition could not be read (truncated, not gzip, ...)
    key: str = ""  # snapshot_layout.content_key of the part
    rejects: list[Reject] = field(default_factory=list)  # the first MAX_REJECTS bad records

    def reject(self, line: int, name: str, reason: str) -> None:
        self.errors += 1
        if len(self.rejects) < MAX_REJECTS:
            self.rejects.append(Reject(self.path, line, name, reason))


MAX_REJECTS = 100  # bad records named per part; all are counted
MAX_LINE = 64 << 20  # bytes one decompressed record may take (a line without end stops here)


def needles(countries: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(f'"{c}"'.encode() for c in countries)


_WORK_ID = re.compile(r"(https://openalex\.org/)?W\d{1,18}")
_AT = re.compile(r"at `\$\.?([^`]*)`")


def scan_partition(path: str, countries: tuple[str, ...], cap: int = MAX_LINE,
                   include_xpac: bool = False) -> PartitionResult:
    """Read one partition and normalise the works whose affiliations span `countries`
    (XPAC records left out unless `include_xpac`). A bad record is a reject of its line;
    a partition that cannot be read to its end (truncated, not gzip, corrupt, a line past
    `cap`) comes back with `failed` set and nothing else: none of it is stored, and the
    others go on."""
    result = PartitionResult(path, os.path.getsize(path), version=version_of(path),
                             key=content_key(path))
    try:
        _scan(result, countries, cap, include_xpac)
    except UNREADABLE + (LineTooLong,) as exc:
        reason = "truncated (ends before the end of its compressed stream)" if isinstance(
            exc, EOFError) else f"unreadable ({type(exc).__name__}: {exc})"
        if isinstance(exc, LineTooLong):
            reason = f"after line {result.lines}: {exc}"
        return failed(result, reason)
    except Exception as exc:  # a fault of this part's reading fails this part only
        return failed(result, f"could not be read ({type(exc).__name__}: {exc})")
    return result


def failed(result: PartitionResult, reason: str) -> PartitionResult:
    return PartitionResult(result.path, result.size, read=result.read, failed=reason,
                           key=result.key)


def _scan(result: PartitionResult, countries: tuple[str, ...], cap: int,
          include_xpac: bool) -> None:
    counts = [0, 0]  # records, lines
    try:
        for line_no, line in candidates(result.path, needles(countries), result.seen,
                                        counts, cap):
            keep_record(result, line_no, line, countries, include_xpac)
    finally:
        result.read, result.lines = counts[:2]


def keep_record(result: PartitionResult, line_no: int, line: bytes,
                countries: tuple[str, ...], include_xpac: bool) -> None:
    """Decode one candidate record; keep it when it is a joint work, else reject or skip."""
    try:
        item = _DECODER.decode(line)
    except msgspec.ValidationError as exc:
        m = _AT.search(str(exc))
        result.reject(line_no, m.group(1) if m else "(record)", str(exc))
        return
    except msgspec.DecodeError as exc:
        result.reject(line_no, "(line)", f"not JSON ({exc})")
        return
    keep_item(result, line_no, item, countries, include_xpac)


def keep_item(result: PartitionResult, line_no: int, item: dict,
              countries: tuple[str, ...], include_xpac: bool) -> None:
    """A decoded record (from JSON or Parquet) into the result when it is a joint work."""
    if not _WORK_ID.fullmatch(str(item.get("id") or "")):
        result.reject(line_no, "id", f"missing or not an OpenAlex work id: {item.get('id')!r}")
        return
    if item.get("is_xpac") and not include_xpac:
        result.xpac += 1
        return
    try:
        work, auths = work_rows(item)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        result.reject(line_no, "(record)", f"{type(exc).__name__}: {exc}")
        return
    if set(countries) <= set(work["countries"]):
        work["source"] = SOURCE
        work["updated_date"] = max(work["updated_date"] or "", result.version) or None
        work["snapshot_part"] = result.key
        result.works.append(work)
        result.authorships.extend(auths)
