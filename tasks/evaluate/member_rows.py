"""Member lists written to `evidence_members` a chunk of rows at a time: each column
turned into plain Python values for one chunk only, so a list of a million records
never stands as a million Python objects (its text is taken from the categories by
code, chunk by chunk)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from itertools import repeat

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from trendline.tasks.evaluate.member_spill import drop_pages, in_arrow, is_spilled

KEY = ("period", "subject", "kind", "record_id")
CHUNK = 50_000  # rows turned into tuples at a time
_TYPED = {"year": "Int64", "demo": "boolean", "value": "Float64"}


def write(conn, ind: str, frame: pd.DataFrame) -> int:
    """One member frame's rows (see `_order`); a record listed twice under the same
    key (period, subject, kind) is kept once. Rows written."""
    unkeyed = [c for c in KEY if c not in frame or _any_missing(frame[c])]
    if unkeyed:  # SQLite's OR IGNORE would drop such rows without a word
        raise ValueError(f"{ind}: member rows without {', '.join(unkeyed)}")
    frame = frame.iloc[_order(frame)]
    drop_pages()  # a spilled list is in memory now, in this order
    takers = {c: _taker(frame[c]) for c in frame.columns
              if c in KEY or _any_known(frame[c])}
    cols = ["indicator_id", *takers]
    if conn.dialect.name == "postgresql":  # COPY cannot skip a repeated record: drop first
        keep = ~frame.duplicated(list(KEY)).to_numpy()
        _copy(conn, ind, cols, takers, len(frame), keep)
        return int(keep.sum())
    marks = ", ".join("?" for _ in cols)
    sql = f"INSERT OR IGNORE INTO evidence_members ({', '.join(cols)}) VALUES ({marks})"
    cur = conn.connection.driver_connection.cursor()
    written = 0
    try:
        for rows in _chunks(ind, takers, len(frame)):
            cur.executemany(sql, rows)
            written += cur.rowcount
    finally:
        cur.close()
    return written


def _chunks(ind: str, takers: dict, n: int) -> Iterator:
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        rows = list(zip(repeat(ind, hi - lo), *(take(lo, hi) for take in takers.values()),
                        strict=False))
        drop_pages()  # the slice of spilled text this chunk read
        yield rows


def _order(frame: pd.DataFrame) -> np.ndarray:
    """Rows by period text (the index's key order), then by the codes of a spilled
    column (its text is then read a slice at a time); stable."""
    period = frame["period"]
    if isinstance(period.dtype, pd.CategoricalDtype):
        names = np.asarray(period.cat.categories.astype(str), dtype=object)
        rank = np.empty(len(names) + 1, dtype=np.int64)
        rank[np.argsort(names, kind="stable")] = np.arange(len(names))
        rank[-1] = len(names)  # a missing period (code -1) sorts last
        by_period = rank[period.array.codes]
    else:
        by_period = pd.Categorical(period.astype(str)).codes
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype) and is_spilled(col.cat.categories):
            return np.lexsort((col.array.codes, by_period))
    return np.argsort(by_period, kind="stable")


def _any_missing(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return bool((s.array.codes < 0).any())
    return bool(s.isna().any())


def _any_known(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return bool((s.array.codes >= 0).any())
    return bool(s.notna().any())


def _taker(s: pd.Series) -> Callable[[int, int], list]:
    """(lo, hi) -> that chunk of the column as plain Python values, missing ones None
    (never NaN or "nan")."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return _category_taker(s.array.codes, s.cat.categories)
    if s.name in _TYPED:
        typed = s.astype(_TYPED[s.name])
        return lambda lo, hi: typed.iloc[lo:hi].to_numpy(dtype=object, na_value=None).tolist()

    def text(lo: int, hi: int) -> list:  # each distinct value of the chunk once
        codes, uniques = pd.factorize(s.iloc[lo:hi], use_na_sentinel=True)
        if not len(uniques):
            return [None] * (hi - lo)
        out = np.asarray(uniques, dtype=object)[codes]
        out[codes < 0] = None
        return out.tolist()
    return text


def _category_taker(codes: np.ndarray, cats: pd.Index) -> Callable[[int, int], list]:
    """Text kept in Arrow (a million pair labels) is taken by code a chunk at a time;
    Python strings already standing (work ids) are shared, not copied."""
    if in_arrow(cats):
        text = pa.chunked_array(pa.array(cats.array))  # Arrow's take would join them
        starts = np.cumsum([0, *(len(c) for c in text.chunks)])

        def arrow(lo: int, hi: int) -> list:
            part = codes[lo:hi]
            out = np.full(len(part), None, dtype=object)
            which = np.searchsorted(starts, part, side="right") - 1
            for k in np.unique(which[part >= 0]):
                at = (which == k) & (part >= 0)
                out[at] = text.chunk(int(k)).take(pa.array(part[at] - starts[k])).to_numpy(
                    zero_copy_only=False)
            return out.tolist()
        return arrow
    if pd.api.types.infer_dtype(cats, skipna=True) == "string":
        names = cats.to_numpy(dtype=object)
    else:  # numbers or flags as categories: their text
        names = np.asarray(cats.astype(str), dtype=object)

    def plain(lo: int, hi: int) -> list:
        part = codes[lo:hi]
        if not len(names):
            return [None] * len(part)
        out = names[part]
        out[part < 0] = None
        return out.tolist()
    return plain


def _copy(conn, ind: str, cols: list[str], takers: dict, n: int, keep: np.ndarray) -> None:
    """PostgreSQL: COPY ... FROM STDIN as CSV, a chunk of rows at a time written by
    Arrow's CSV writer (psycopg's `write_row` costs 9 µs a row). Every value is quoted,
    so an empty text stays empty and an unquoted empty field is NULL."""
    options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
    cur = conn.connection.driver_connection.cursor()
    with cur.copy(f"COPY evidence_members ({', '.join(cols)}) FROM STDIN "
                  "WITH (FORMAT csv)") as copy:
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            table = pa.table({"indicator_id": pa.array([ind] * (hi - lo), pa.string()),
                              **{c: pa.array(take(lo, hi)) for c, take in takers.items()}})
            out = io.BytesIO()
            pa_csv.write_csv(table.filter(pa.array(keep[lo:hi])), out, options)
            drop_pages()
            copy.write(out.getbuffer())
