"""Reading an OpenAlex works snapshot, one partition at a time: the partition files of a
snapshot root (or its works/ folder) oldest update first, the merged-ids files beside them,
and each partition streamed line by line (never loaded whole). A line is parsed only when
its bytes contain every wanted country code, and then only the fields Trendline stores are
decoded (msgspec, unknown fields skipped). No database here: the worker processes run it."""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import msgspec

from trendline.tasks.ingest.sources.openalex import work_rows

SOURCE = "snapshot"

try:  # ISA-L inflates several times faster than zlib; plain gzip otherwise
    from isal import igzip as gzip_module
    from isal.isal_zlib import error as _isal_error
except ImportError:  # pragma: no cover
    import gzip as gzip_module

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
    citation_normalized_percentile: dict[str, Any] | None
    cited_by_percentile_year: dict[str, Any] | None
    authorships: list[_Authorship]
    topics: list[_Topic]
    grants: list[_Grant]
    concepts: list[_Named]
    is_authors_truncated: bool | None
    updated_date: str | None


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
    failed: str = ""  # why the partition could not be read (truncated, not gzip, ...)


def works_root(root: Path) -> Path:
    """The snapshot's root (with works/ and merged_ids/) or its works/ folder itself."""
    return root / "works" if (root / "works").is_dir() else root


def partitions(root: Path) -> list[Path]:
    """The partition files under a snapshot (or the file itself), oldest update first."""
    if root.is_file():
        return [root]
    works = works_root(root)
    return sorted(works.glob("updated_date=*/part_*.gz"),
                  key=lambda p: (version_of(p), str(p))) or sorted(works.glob("**/*.gz"))


def merged_files(root: Path) -> list[Path]:
    """merged_ids/works/*.csv.gz beside works/: works merged away or deleted."""
    base = root.parent if root.name == "works" else root
    return sorted((base / "merged_ids" / "works").glob("*.csv.gz")) if root.is_dir() else []


def version_of(path: Path | str) -> str:
    """The updated_date of a partition, from its folder name ('' when it has none)."""
    parent = Path(path).parent.name
    return parent.split("=", 1)[1] if parent.startswith("updated_date=") else ""


def needles(countries: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(f'"{c}"'.encode() for c in countries)


_ID = re.compile(rb'"id":\s*"https://openalex\.org/W(\d+)"')


def matching_lines(path: str, countries: tuple[str, ...], seen: list[int] | None = None
                   ) -> Iterator[bytes | None]:
    """Every line of a partition: the line when its bytes mention every country, else None
    (so the caller can count what it read). `seen` collects every record's work key, so a
    newer version that is no longer joint can replace an older one that was."""
    wanted = needles(countries)
    with gzip_module.open(path, "rb") as fh:
        for line in fh:
            if seen is not None and (m := _ID.search(line, 0, 200)):
                seen.append(int(m.group(1)))
            if all(n in line for n in wanted):
                yield line
            elif line.strip():
                yield None


def scan_partition(path: str, countries: tuple[str, ...]) -> PartitionResult:
    """Read one partition and normalise the works whose affiliations span `countries`.
    A partition that cannot be read to its end (truncated, not gzip, corrupt) comes back
    with `failed` set and nothing else: none of it is stored, and the others go on."""
    result = PartitionResult(path, os.path.getsize(path), version=version_of(path))
    try:
        _scan(result, countries)
    except UNREADABLE as exc:
        reason = "truncated (ends before the end of its compressed stream)" if isinstance(
            exc, EOFError) else f"unreadable ({type(exc).__name__}: {exc})"
        return PartitionResult(path, result.size, read=result.read, failed=reason)
    return result


def _scan(result: PartitionResult, countries: tuple[str, ...]) -> None:
    wanted = set(countries)
    for line in matching_lines(result.path, countries, result.seen):
        result.read += 1
        if line is None:
            continue
        try:
            item = _DECODER.decode(line)
        except (msgspec.DecodeError, msgspec.ValidationError):
            result.errors += 1
            continue
        work, auths = work_rows(item)
        if wanted <= set(work["countries"]):
            work["source"] = SOURCE
            work["updated_date"] = max(work["updated_date"] or "", result.version) or None
            result.works.append(work)
            result.authorships.extend(auths)
