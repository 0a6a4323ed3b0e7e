"""Member lists waiting for their write, kept in memory-mapped temporary files: on a
first evaluation every list of every indicator waits until the values' transaction,
and held in memory they would add to the peak of each indicator after them. A list's
codes and numbers go to one file; a large set of Arrow text (a million pair labels or
work ids) to a file of its own, once for all the lists that share it. The writer reads
them back a chunk at a time and lets the pages go (`drop_pages`)."""

from __future__ import annotations

import logging
import mmap
import tempfile
import weakref

import numpy as np
import pandas as pd
import pyarrow as pa

from trendline.indicators.stack import coded

log = logging.getLogger(__name__)
SPILL = 1 << 18  # bytes: a list or a set of text smaller than this waits in memory
_ALIGN = 64
_MAPS: dict[int, tuple] = {}  # start address of a map -> (its end, weak ref to it)


def spilled(frame: pd.DataFrame, memo: dict) -> pd.DataFrame:
    """The same list, its arrays views of a mapped file (`memo`: the text sets already
    spilled, by id, for the lists that share them); in memory if no file can be made."""
    try:
        return _spilled(frame, memo)
    except OSError as exc:  # a full or read-only temporary folder costs memory, not data
        log.warning("a member list waits in memory (no temporary file: %s)", exc)
        return frame


def _spilled(frame: pd.DataFrame, memo: dict) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)  # its columns rebuilt below align on 0..n-1
    arrays = {name: _array(frame[name]) for name in frame.columns}
    arrays = {name: a for name, a in arrays.items() if a is not None}
    if sum(a.nbytes for a in arrays.values()) < SPILL:
        views = arrays
    else:
        views = _mapped_arrays(arrays)
    out = {}
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            out[name] = pd.Series(coded(views[name], _text(col.cat.categories, memo),
                                        col.cat.ordered), copy=False)
        else:
            out[name] = pd.Series(views[name], copy=False) if name in views else col
    return pd.DataFrame(out, copy=False)


def _array(col: pd.Series) -> np.ndarray | None:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.array.codes
    return col.to_numpy() if isinstance(col.dtype, np.dtype) and col.dtype.kind in "biuf" \
        else None


def _text(cats: pd.Index, memo: dict) -> pd.Index:
    if not in_arrow(cats) or cats.array.nbytes < SPILL:
        return cats
    got = memo.get(("spilled", id(cats)))
    if got is None or got[0]() is not cats:  # the id of a set since freed
        table = pa.table({"text": pa.array(cats.array)})
        got = memo[("spilled", id(cats))] = (weakref.ref(cats), pd.Index(
            pd.arrays.ArrowExtensionArray(pa.ipc.open_file(_mapped(
                lambda out: _write_table(out, table))).read_all().column(0))))
    return got[1]


def _write_table(out, table: pa.Table) -> None:
    with pa.ipc.new_file(out, table.schema) as writer:
        writer.write_table(table)


def _mapped_arrays(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    offsets, at = {}, 0
    for name, a in arrays.items():
        offsets[name], at = at, -(-(at + a.nbytes) // _ALIGN) * _ALIGN

    def write(out) -> None:
        for name, a in arrays.items():
            out.seek(offsets[name])
            out.write(np.ascontiguousarray(a).data)
        out.truncate(max(at, 1))
    whole = _mapped(write)
    return {name: np.frombuffer(whole, dtype=a.dtype, count=len(a), offset=offsets[name])
            for name, a in arrays.items()}


def _mapped(write) -> pa.Buffer:
    """A temporary file written by `write(file)`, mapped read-only (the map outlives the
    file, which is gone once closed) as an Arrow buffer."""
    with tempfile.TemporaryFile(prefix="trendline-members-") as spill:
        write(spill)
        spill.flush()
        pages = mmap.mmap(spill.fileno(), 0, access=mmap.ACCESS_READ)
    whole = pa.py_buffer(pages)
    start = whole.address
    _MAPS[start] = (start + whole.size, weakref.ref(pages, lambda _: _MAPS.pop(start, None)))
    return whole


def is_spilled(cats: pd.Index) -> bool:
    """Whether a set of categories is read from a map (found by its text's address:
    pandas wraps the same Arrow data in new objects)."""
    if not in_arrow(cats) or not len(cats):
        return False
    text = pa.chunked_array(pa.array(cats.array))
    if not text.num_chunks:
        return False
    at = text.chunk(0).buffers()[-1].address
    return any(start <= at < end for start, (end, _) in list(_MAPS.items()))


def drop_pages() -> None:
    """The pages read from the maps leave this process (the files still hold them)."""
    for _, ref in list(_MAPS.values()):
        pages = ref()
        if pages is not None and hasattr(mmap, "MADV_DONTNEED"):
            pages.madvise(mmap.MADV_DONTNEED)


def in_arrow(cats: pd.Index) -> bool:
    return isinstance(cats.dtype, pd.ArrowDtype) or getattr(cats.dtype, "storage", "") in (
        "pyarrow", "pyarrow_numpy")
