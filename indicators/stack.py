"""Member lists one under another without spelling out their categories: a column that is
categorical in any part stays categorical, codes into the largest part's categories with
the other parts' few new values added after them (no hash table over a million work ids,
no Python string per row)."""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def stack(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one under another (columns in order of first appearance; a column a
    part lacks is missing there)."""
    if len(parts) == 1:
        return parts[0]
    columns = list(dict.fromkeys(c for p in parts for c in p.columns))
    out = {}
    for c in columns:
        cols = [p[c] if c in p else pd.Series([None] * len(p), dtype=object) for p in parts]
        text = _text_codes(cols) if any(
            isinstance(x.dtype, pd.CategoricalDtype) for x in cols) else None
        out[c] = text if text is not None else pd.concat(
            [x.astype(object) if isinstance(x.dtype, pd.CategoricalDtype) else x for x in cols],
            ignore_index=True)
    return pd.DataFrame(out)


def _text_codes(cols: list[pd.Series]) -> pd.Categorical | None:
    """The columns as one categorical of text, or None when a value is not text."""
    cats = [x.cat.categories for x in cols if isinstance(x.dtype, pd.CategoricalDtype)]
    base = max(cats, key=len)
    if len(cats) == len(cols) and all(c is base for c in cats):  # one set: codes as they are
        codes = np.concatenate([x.cat.codes.to_numpy().astype("int32") for x in cols])
        return coded(codes, base, all(x.cat.ordered for x in cols))
    locals_ = []  # per part: its codes and its distinct values
    for x in cols:
        if isinstance(x.dtype, pd.CategoricalDtype):
            locals_.append((x.cat.codes.to_numpy(), x.cat.categories))
        else:
            codes, uniques = pd.factorize(x, use_na_sentinel=True)
            locals_.append((codes, pd.Index(uniques, dtype=object)))
    for _, values in locals_:
        if len(values) and pd.api.types.infer_dtype(values, skipna=True) != "string":
            return None
    others = [v for _, v in locals_ if v is not base]
    wanted = pd.unique(np.concatenate([np.asarray(v, dtype=object) for v in others])) \
        if others else np.array([], dtype=object)
    base_text = arrow_text(base)
    # the few wanted values hashed, the many categories probed (not the other way round)
    hit = pc.index_in(base_text, value_set=pa.array(wanted, base_text.type))
    found = np.flatnonzero(hit.is_valid().to_numpy(zero_copy_only=False))
    at = np.full(len(wanted), -1, dtype="int64")
    at[hit.filter(hit.is_valid()).to_numpy()] = found
    new = at < 0
    where = np.where(new, len(base) + np.cumsum(new) - 1, at)
    position = pd.Index(wanted, dtype=object)
    codes = []
    for local, values in locals_:
        if values is base:
            codes.append(local.astype("int64"))
            continue
        mapped = where[position.get_indexer(np.asarray(values, dtype=object))] \
            if len(values) else np.zeros(0, dtype="int64")
        codes.append(np.where(local >= 0, mapped[np.maximum(local, 0)] if len(mapped) else -1,
                              -1))
    codes = np.concatenate(codes).astype("int32")
    if not new.any():
        return coded(codes, base)
    more = pa.chunked_array([*base_text.chunks, pa.array(wanted[new], base_text.type)])
    out = coded(codes, pd.Index(pd.array(more, "string[pyarrow]")))
    _extends(out.categories, base)
    return out


_EXTENDED: dict[int, tuple[weakref.ref, weakref.ref]] = {}


def _extends(categories: pd.Index, base: pd.Index) -> None:
    key = id(categories)

    def forget(_):
        _EXTENDED.pop(key, None)
    _EXTENDED[key] = (weakref.ref(categories, forget), weakref.ref(base))


def extension_of(categories: pd.Index) -> pd.Index | None:
    """The categories that `categories` begin with, when stack() built them by adding a
    few values after those (and both still live): their hashes, say, need not be
    computed again for a million work ids."""
    got = _EXTENDED.get(id(categories))
    if got is None or got[0]() is not categories:
        return None
    return got[1]()


def arrow_text(index: pd.Index) -> pa.ChunkedArray:
    """An index of text as Arrow (no copy when pandas holds it in Arrow already)."""
    text = pa.array(np.asarray(index, dtype=object) if index.dtype == object else index)
    text = text if isinstance(text, pa.ChunkedArray) else pa.chunked_array([text])
    return text if pa.types.is_large_string(text.type) else text.cast(pa.large_string())


def coded(codes: np.ndarray, labels, ordered: bool = False) -> pd.Categorical:
    """Codes into labels known to be distinct, as a categorical, without pandas checking
    them again (that check builds a Python string per label: ~150 MiB for a million)."""
    try:
        dtype = pd.CategoricalDtype._from_fastpath(pd.Index(labels), ordered)
    except AttributeError:  # pragma: no cover (a pandas without the fast path)
        dtype = pd.CategoricalDtype(pd.Index(labels), ordered)
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)
