"""Shared, vectorised helpers: the paper sets, evidence (count, bounded sample, members)
and small record builders. Pure: frames in, plain values out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from trendline.indicators.stack import arrow_text, coded, stack  # noqa: F401 (coded: re-exported)

SAMPLE = 20  # records kept per value: the newest (or most relevant) first
ENGLISH_SOURCES = ("openalex", "snapshot")  # the brief's English-language set; CNKI apart


@dataclass
class Evidence:
    """Per period: a bounded sample of records, the full count, and every member's id.
    `kind`: the kind of record the count counts ("" when several kinds count alike).
    `a + b` counts both; `a.also(b)` lists b's records beside a's (the partner
    organisations behind the papers, say) without counting them."""

    sample: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    members: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["period", "kind", "id"]))
    kind: str = ""

    def __add__(self, other: Evidence) -> Evidence:
        counts = dict(self.counts)
        for p, n in other.counts.items():
            counts[p] = counts.get(p, 0) + n
        kind = self.kind if not other.counts or other.kind == self.kind else (
            other.kind if not self.counts else "")
        return self._merged(other, counts, kind)

    def also(self, other: Evidence) -> Evidence:
        return self._merged(other, dict(self.counts), self.kind)

    def _merged(self, other: Evidence, counts: dict[str, int], kind: str) -> Evidence:
        sample = {p: list(v) for p, v in self.sample.items()}
        for p, recs in other.sample.items():
            sample[p] = (sample.get(p, []) + recs)[: 2 * SAMPLE]
        frames = [m for m in (self.members, other.members) if len(m)]
        members = stack(frames) if frames else self.members
        return Evidence(sample, counts, members, kind)

    def into(self) -> dict[str, Any]:
        """Result keyword arguments."""
        return {"evidence": self.sample, "counts": self.counts, "members": self.members,
                "kind": self.kind}


def evidence(frame: pd.DataFrame, kind: str, period: str = "year", id_col: str = "id",
             rank: str | None = None, extra: Iterable[str] = ()) -> Evidence:
    """Evidence of `frame`'s rows by period: the count, the first SAMPLE rows by `rank`
    (descending; else newest id first) and every id. One sort and one group-by."""
    f = frame[frame[period].notna()] if len(frame) else frame
    if not len(f):
        return Evidence(kind=kind)
    periods = _periods(f[period])
    members = pd.DataFrame({"period": periods, "kind": one_value(kind, len(f)),
                            "id": pd.Categorical(f[id_col].astype(str))
                            if f[id_col].dtype != "category" else f[id_col].array})
    counts = {str(k): int(v) for k, v in members["period"].value_counts().items() if v}
    key = rank or id_col
    cols = list(dict.fromkeys([id_col, key, *extra]))
    by = f[key]
    if by.dtype == "category":  # newest id first: on the text, or on codes in text order
        by = by.cat.codes if by.cat.ordered else by.astype(str)
    ordered = f[cols].assign(_p=periods, _k=by.to_numpy())
    ordered = ordered.sort_values(["_p", "_k"], ascending=[True, False])
    head = ordered.groupby("_p", sort=False, observed=True).head(SAMPLE)
    sample: dict[str, list[dict]] = {}
    for rec in head.to_dict("records"):
        p = rec.pop("_p")
        rec.pop("_k")
        out = {"kind": kind, "id": str(rec.pop(id_col))}
        out.update({k: clean(v) for k, v in rec.items() if k in extra})
        sample.setdefault(p, []).append(out)
    return Evidence(sample, counts, members, kind)


def _periods(col: pd.Series) -> pd.Categorical:
    """A column of years (or other periods) as a categorical of period text: each
    distinct value spelled once."""
    codes, uniques = pd.factorize(col, sort=True)
    names = [_period(v) for v in uniques]
    if len(set(names)) < len(names):  # values that read alike (2019 and "2019")
        return pd.Categorical(col.map(dict(zip(uniques, names, strict=True))))
    return pd.Categorical.from_codes(codes, categories=names)


def among(ids: pd.Series, works: pd.DataFrame) -> np.ndarray:
    """Which of `ids` (work ids, of the affiliations say) are among `works`: by category
    code when both share the frames' one set of work ids, else by text."""
    mine, theirs = ids.dtype, works["id"].dtype
    if isinstance(mine, pd.CategoricalDtype) and isinstance(theirs, pd.CategoricalDtype) \
            and mine.categories is theirs.categories:
        hit = np.zeros(len(mine.categories) + 1, dtype=bool)  # the last: code -1
        hit[works["id"].cat.codes.to_numpy()] = True
        return hit[ids.cat.codes.to_numpy()]
    return ids.isin(works["id"]).to_numpy()


def is_in(col: pd.Series, values: Iterable) -> np.ndarray:
    """Which of `col` are among `values` (a few ids): a categorical column's categories
    are probed against the few values, so no hash table over a million ids is built (and
    cached on the shared categories for the rest of the evaluation)."""
    if not isinstance(col.dtype, pd.CategoricalDtype):
        return col.isin(list(values)).to_numpy()
    text = arrow_text(col.cat.categories)
    hit = pc.is_in(text, value_set=pa.array([str(v) for v in values], text.type))
    return np.append(hit.to_numpy(zero_copy_only=False), False)[col.cat.codes.to_numpy()]


def year_of(ids: pd.Series, works: pd.DataFrame) -> np.ndarray:
    """The year of each of `ids`, all among `works`: by category code when both share the
    frames' one set of work ids (no hash table over a million ids), else by text."""
    mine, theirs = ids.dtype, works["id"].dtype
    if isinstance(mine, pd.CategoricalDtype) and isinstance(theirs, pd.CategoricalDtype) \
            and mine.categories is theirs.categories:
        year = works["year"].to_numpy()
        at = np.full(len(mine.categories) + 1, np.nan if year.dtype.kind == "f" else -1,
                     dtype=year.dtype)
        at[works["id"].cat.codes.to_numpy()] = year
        return at[ids.cat.codes.to_numpy()]
    return ids.astype(str).map(dict(zip(works["id"].astype(str), works["year"],
                                        strict=True))).to_numpy()


def one_value(value: str, n: int) -> pd.Categorical:
    """A column of one repeated word: a byte a row."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])


def records(period_records: Mapping[str, list[dict]]) -> Evidence:
    """Evidence from small hand-built records (counts, pairs, listings, series points)."""
    rows = [(p, r.get("kind", ""), str(r.get("id", "")), *described(p, r))
            for p, rs in period_records.items() for r in rs]
    kinds = {row[1] for row in rows}
    return Evidence({p: list(rs[:SAMPLE]) for p, rs in period_records.items()},
                    {p: len(rs) for p, rs in period_records.items()},
                    pd.DataFrame(rows, columns=["period", "kind", "id", *DESCRIBED]),
                    kinds.pop() if len(kinds) == 1 else "")


# what a hand-built record says of itself, kept with every member (not only the sample)
DESCRIBED = ("label", "year", "url", "demo", "value", "unit")


def described(period: str, rec: Mapping[str, Any]) -> tuple:
    """label, year, url, demo, value and its unit of one hand-built record; a count's
    value is in papers unless the record names its unit."""
    value = rec.get("count", rec.get("value"))
    unit = rec.get("unit") or ("papers" if rec.get("count") is not None else "")
    year = rec.get("year") or str(rec.get("date") or period)[:4]
    return (rec.get("label"), int(year) if str(year).isdigit() else None, rec.get("url") or "",
            rec.get("demo"), None if value is None else float(value), unit or None)


def english_ai(works: pd.DataFrame, joint: bool = True, columns: Iterable[str] | None = None
               ) -> pd.DataFrame:
    """The brief's set: AI works in the configured language from OpenAlex (API or snapshot),
    with at least one Chinese and one Russian affiliation unless `joint` is False.
    `columns`: only these are copied (a million works are not copied whole for two)."""
    if works.empty:
        return works
    mask = works["is_ai"] & works["in_language"] & works["source"].isin(ENGLISH_SOURCES)
    if joint:
        mask &= works["is_joint"]
    return _rows(works, mask, columns)


def joint_ai(works: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Joint CN-RU AI works from every source, CNKI included."""
    if works.empty:
        return works
    return _rows(works, works["is_ai"] & works["is_joint"], columns)


def _rows(works: pd.DataFrame, mask: pd.Series, columns: Iterable[str] | None) -> pd.DataFrame:
    mask = mask.to_numpy(dtype=bool)
    return works[mask] if columns is None else works.loc[mask, list(columns)]


def yearly(counts: pd.Series, span: Iterable[int] | None = None) -> dict[str, float]:
    """A group-by result (year -> n) as {period: value}, zero-filled over `span`."""
    got = {int(k): float(v) for k, v in counts.items()}
    years = sorted(set(span) if span is not None else got)
    return {str(y): got.get(y, 0.0) for y in years}


def span(years: Iterable) -> range:
    """Every year from the first to the last given (one pass over distinct values)."""
    series = years if isinstance(years, pd.Series) else pd.Series(list(years), dtype="float64")
    ys = pd.Series(pd.unique(series.dropna())).astype("int64")
    return range(int(ys.min()), int(ys.max()) + 1) if len(ys) else range(0)


def last_complete_year(as_of, params: Mapping | None = None) -> int:
    """The last year that is complete `lag_months` (a param the evaluation sets from config
    `periods`) after it ended."""
    lag = int((params or {}).get("lag_months", 0))
    return (as_of.year * 12 + as_of.month - 1 - lag) // 12 - 1


def through_complete(counts: Mapping[str, float], as_of, params: Mapping | None = None
                     ) -> dict[str, float]:
    """A yearly count of records, with the years that have none as 0 from the first year
    with a record to the last complete year: no record that year is none that year, and
    the table, the chart and the verdict all read it so."""
    years = [int(p) for p in counts if p.isdigit()]
    if not years:
        return dict(counts)
    last = max(max(years), last_complete_year(as_of, params))
    return {str(y): float(counts.get(str(y), 0.0)) for y in range(min(years), last + 1)}


def partial_years(periods: Iterable[str], as_of, params: Mapping | None = None
                  ) -> frozenset[str]:
    """Years still filling in: a year is complete only `lag_months` (a param the
    evaluation sets from config `periods`) after it ends, since publication databases and
    deal reports fill in for months."""
    first_partial = last_complete_year(as_of, params) + 1
    return frozenset(p for p in periods if p[:4].isdigit() and int(p[:4]) >= first_partial)


def clean(x: Any) -> Any:
    """A frame cell as plain Python: NaN/NaT/NA become None."""
    if isinstance(x, list | dict | tuple):
        return x
    try:
        return None if pd.isna(x) else (x.item() if hasattr(x, "item") else x)
    except (TypeError, ValueError):
        return x


def rows(frames: Mapping[str, pd.DataFrame], name: str) -> list[dict[str, Any]]:
    """A small frame's rows as dicts with NaN turned into None ([] when absent)."""
    frame = frames.get(name)
    if frame is None or frame.empty:
        return []
    return [{k: clean(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def _period(value: Any) -> str:
    if isinstance(value, float | int) or hasattr(value, "item"):
        return str(int(value))
    return str(value)
