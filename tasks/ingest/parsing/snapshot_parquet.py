"""Reading one Parquet part of an OpenAlex works snapshot the columnar way.

Per row group, first only the filter's leaf columns are read (`id`, the authorships'
`countries` and institutions' `country_code`, `is_xpac`, by Parquet column path), the
candidate rows found with Arrow compute, XPAC candidates (when they are left out) set
aside on their id and flag alone, and only then the other stored fields of the rows left
are read (and only for a group that has any), turned into Python objects and joined to
their filter fields (keep_item, as for JSON Lines). Row groups are read on a thread pool
(Arrow decodes outside the GIL); parts are spread over processes or a Dask cluster like the
JSON Lines ones.
pyarrow.parquet.ParquetFile is used rather than the dataset API because it projects leaf
columns inside lists of structs (the dataset API projects struct fields, not fields inside
`authorships`' list)."""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from trendline.tasks.ingest.parsing.snapshot_layout import content_key, version_of
from trendline.tasks.ingest.parsing.snapshot_scan import (
    PartitionResult,
    failed,
    keep_item,
)

# The leaves work_rows reads (list levels left out of the names); nothing else is decoded.
STORED = {"id", "doi", "title", "display_name", "publication_year", "language", "type",
          "cited_by_count", "fwci", "is_authors_truncated", "updated_date", "is_xpac",
          "citation_normalized_percentile.value",
          "citation_normalized_percentile.is_in_top_10_percent",
          "cited_by_percentile_year.min", "cited_by_percentile_year.max",
          "authorships.author.display_name", "authorships.countries",
          "authorships.raw_affiliation_strings", "authorships.institutions.id",
          "authorships.institutions.display_name", "authorships.institutions.ror",
          "authorships.institutions.country_code", "topics.id", "topics.display_name",
          "topics.score", "topics.subfield.id", "topics.subfield.display_name",
          "topics.field.id", "topics.field.display_name", "grants.funder_display_name",
          "concepts.id"}
# Stored leaves whose values come from OpenAlex's own bounded lists (languages, work types,
# institutions, topics, concepts, funders): read as Arrow dictionaries, so a page's
# dictionary is not expanded into a string for every row before the few candidate rows are
# taken (measured here: the stored columns of a 30k-work part in half the time). Free text
# and per-work values (titles, names, raw affiliations, DOIs, ids) are read plain, as their
# pages are mostly not dictionary-encoded; so are the country codes the filter compares.
DICTIONARY_ROWS = 4096  # mean rows per group from which dictionaries pay (measured here)
VOCABULARIES = ("language", "type", "authorships.institutions.id",
                "authorships.institutions.display_name", "authorships.institutions.ror",
                "topics.", "concepts.", "grants.")
_LIST = re.compile(r"\.list\.(element|item)|\.(element|item)$")
_PREFIX = len("https://openalex.org/W")


def scan_parquet(path: str, countries: tuple[str, ...], include_xpac: bool = False,
                 threads: int | None = None, **_ignored) -> PartitionResult:
    """The joint works of one Parquet part (XPAC left out unless `include_xpac`); a part
    that cannot be read comes back with `failed` set and nothing else."""
    result = PartitionResult(path, os.path.getsize(path), version=version_of(path),
                             key=content_key(path))
    _pool_that_keeps_pages()
    try:
        first = pq.ParquetFile(path, pre_buffer=False)
        groups = range(first.metadata.num_row_groups)
        cores = threads or os.cpu_count() or 1
        read = _reader_for(first, path, countries, include_xpac, cores)
        pf = read.open() if read.dictionaries else first
        threads = min(cores, len(groups))
        if threads <= 1:  # one process per core already: no thread pool, one file handle
            _take(result, (read(g, pf) for g in groups), countries, include_xpac)
        else:
            with ThreadPoolExecutor(threads) as pool:  # one handle per thread
                _take(result, pool.map(read, groups), countries, include_xpac)
    except (pa.ArrowException, OSError, ValueError, KeyError) as exc:
        return failed(result, f"unreadable Parquet ({type(exc).__name__}: {exc})")
    return result


def _reader_for(first: pq.ParquetFile, path: str, countries: tuple[str, ...],
                include_xpac: bool, cores: int) -> _GroupReader:
    """What to read of each row group of this part, from its footer."""
    leaves = {c.path: c.physical_type for c in (first.schema.column(i)
                                                for i in range(len(first.schema)))}
    stored = [p for p in leaves if _LIST.sub("", p) in STORED]
    words = [p for p in stored if leaves[p] == "BYTE_ARRAY"
             and _LIST.sub("", p).startswith(VOCABULARIES)]
    groups = first.metadata.num_row_groups
    if first.metadata.num_rows < DICTIONARY_ROWS * groups:
        words = []  # small groups: a second open and the cast would cost more
    # Arrow's own threads only for cores the groups leave idle: in one process per core
    # they only contend (measured: a third more CPU for the same part)
    filters = _filter_paths(list(leaves))
    rest = [p for p in stored if p not in filters]  # the filter's leaves are not read twice
    return _GroupReader(path, filters, rest, countries, include_xpac, first.metadata, words,
                        arrow_threads=cores > groups)


def _take(result: PartitionResult, done, countries: tuple[str, ...],
          include_xpac: bool) -> None:
    offset = 0
    for group in done:
        result.seen += group.seen
        for row, item in group.items:
            keep_item(result, offset + row + 1, _plain(item), countries, include_xpac)
        offset += group.rows
        result.read += group.rows


def threads_per_part(workers: int | None, parts: int) -> int:
    """Row-group threads for each of `workers` processes: the cores left to each (2 cores
    and 2 processes: 1, no thread pool, as threads would only contend)."""
    cores = os.cpu_count() or 1
    return max(1, cores // max(1, min(workers or cores, parts)))


def _pool_that_keeps_pages() -> None:
    """jemalloc (the system allocator where the wheel has none) for this process's Arrow
    buffers: mimalloc, Arrow's default, hands freed pages back to the kernel and faults them
    in again, which in a forked worker cost more system time than the decoding itself
    (measured here, 4 parts of 30k works: 0.23-0.37 s system against 0.05-0.07)."""
    if pa.default_memory_pool().backend_name != "mimalloc":
        return
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # pragma: no cover - a wheel built without jemalloc
        pa.set_memory_pool(pa.system_memory_pool())


def warm() -> None:
    """Arrow builds its compute function registry on first use (about a second): done
    once in the parent, forked workers inherit it."""
    pc.list_flatten(pa.array([[1]]))


def _filter_paths(paths: list[str]) -> list[str]:
    wanted = [p for p in paths if p.startswith("authorships.")
              and (".countries." in p or p.endswith(".country_code"))]
    if "id" not in paths or not wanted:
        raise KeyError("no id or authorships.countries column: not an OpenAlex works part")
    return ["id", *wanted, *(["is_xpac"] if "is_xpac" in paths else [])]


@dataclass
class _Group:
    rows: int  # rows in the row group
    seen: list[int]  # work keys of every row
    items: list[tuple[int, dict]]  # (row, record) of the candidates, in row order


@dataclass
class _GroupReader:
    """Reads one row group: the filter's leaves first (`id`, the country columns and
    `is_xpac`), then the stored leaves of only the rows left, and only when rows are left:
    a candidate that is an XPAC record (when they are left out) needs nothing more than
    its id and flag, so a group of none but those is not decoded further."""

    path: str
    filters: list[str]
    rest: list[str]  # the stored leaves the filter does not read
    countries: tuple[str, ...]
    include_xpac: bool
    metadata: pq.FileMetaData | None = None  # the footer, parsed once
    dictionaries: list[str] = field(default_factory=list)
    arrow_threads: bool = False

    def open(self) -> pq.ParquetFile:
        # a local file: no pre-buffering (it pays on object stores; here it measured 10%
        # slower)
        return pq.ParquetFile(self.path, metadata=self.metadata, pre_buffer=False,
                              read_dictionary=self.dictionaries)

    def __call__(self, group: int, pf: pq.ParquetFile | None = None) -> _Group:
        pf = pf or self.open()
        cols = pf.read_row_group(group, columns=self.filters, use_threads=self.arrow_threads)
        rows = _candidates(cols.column("authorships").combine_chunks(), self.countries,
                           cols.num_rows)
        seen = _keys(cols.column("id"))
        flagged = set()
        if rows and not self.include_xpac and "is_xpac" in cols.column_names:
            picked = cols.select(["id", "is_xpac"]).take(pa.array(rows)).to_pylist()
            flagged = {r for r, x in zip(rows, picked, strict=True) if x["is_xpac"]}
            items = {r: x for r, x in zip(rows, picked, strict=True) if r in flagged}
        else:
            items = {}
        full = [r for r in rows if r not in flagged]
        if full:  # the rest of the stored leaves, joined to the filter's
            table = pf.read_row_group(group, columns=self.rest,
                                      use_threads=self.arrow_threads).take(pa.array(full))
            table = table.cast(pa.schema([f.with_type(_values_of(f.type)) for f in table.schema]))
            known = cols.take(pa.array(full)).to_pylist()
            items.update((r, _joined(a, b)) for r, a, b in zip(full, table.to_pylist(), known,
                                                               strict=True))
        return _Group(cols.num_rows, seen, sorted(items.items()))


def _joined(record, fields):
    """`fields` (the same row's filter leaves) put into `record` (its other leaves): the
    two reads of one row hold the same lists, so they join element by element."""
    if isinstance(record, dict) and isinstance(fields, dict):
        for name, value in fields.items():
            record[name] = _joined(record[name], value) if name in record else value
        return record
    if isinstance(record, list) and isinstance(fields, list):
        return [_joined(a, b) for a, b in zip(record, fields, strict=True)]
    return fields if record is None else record


def _values_of(kind: pa.DataType) -> pa.DataType:
    """The type with its dictionaries as their values: the taken rows are cast to it before
    they become Python objects (to_pylist of plain strings is several times faster)."""
    if pa.types.is_dictionary(kind):
        return kind.value_type
    if pa.types.is_list(kind):
        return pa.list_(kind.value_field.with_type(_values_of(kind.value_type)))
    if pa.types.is_large_list(kind):
        return pa.large_list(kind.value_field.with_type(_values_of(kind.value_type)))
    if pa.types.is_struct(kind):
        return pa.struct([f.with_type(_values_of(f.type)) for f in kind])
    return kind


def _candidates(auths: pa.ListArray, countries: tuple[str, ...], n: int) -> list[int]:
    """Rows whose authorships name every country (as an author's or institution's)."""
    entries = pc.list_flatten(auths)
    row_of_entry = pc.list_parent_indices(auths)
    codes, owners = [], []
    for name in ("countries", "institutions"):
        if name not in [entries.type.field(i).name for i in range(entries.type.num_fields)]:
            continue
        sub = pc.struct_field(entries, name)
        if name == "institutions":
            owner = pc.take(row_of_entry, pc.list_parent_indices(sub))
            sub = pc.struct_field(pc.list_flatten(sub), "country_code")
        else:
            owner = pc.take(row_of_entry, pc.list_parent_indices(sub))
            sub = pc.list_flatten(sub)
        codes.append(sub)
        owners.append(owner)
    keep = None
    for code in countries:
        hit = set()
        for sub, owner in zip(codes, owners, strict=True):
            hit.update(pc.filter(owner, pc.equal(sub, code)).to_pylist())
        keep = hit if keep is None else keep & hit
    return sorted(keep or ())


def _keys(ids: pa.ChunkedArray) -> list[int]:
    tails = pc.utf8_slice_codeunits(ids, _PREFIX)
    try:
        return pc.drop_null(pc.cast(tails, pa.int64())).to_pylist()
    except pa.ArrowInvalid:  # an odd id among them: the well-formed ones
        return [int(t) for t in tails.to_pylist() if t and t.isdigit()]


def _plain(item: dict) -> dict:
    """Parquet dates and times as the ISO text the JSON records carry."""
    when = item.get("updated_date")
    if when is not None and not isinstance(when, str):
        item["updated_date"] = when.isoformat()
    return item
