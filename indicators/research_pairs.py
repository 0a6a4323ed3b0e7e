"""Who works with whom: the Russian-Chinese institution pairs of joint papers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import (
    SAMPLE,
    Evidence,
    coded,
    english_ai,
    one_value,
    partial_years,
    span,
    yearly,
)

TABLE_2 = {
    "RAS - CAS": 15, "Skoltech - Hangzhou Dianzi": 12, "Skoltech - ECUST": 12,
    "ITMO - Hangzhou Dianzi": 11, "Kazan Federal - SJTU": 10, "MSU - Zhejiang": 9,
    "Don State Tech - Beijing Jiaotong": 9, "Kurchatov - CAS": 9,
    "RAS - China Aero Geophysical Survey": 8, "Skoltech - Guangdong Univ. of Technology": 8,
}


def org_codes(aff: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Each affiliation's organisation as an integer: the resolved one, else OpenAlex's
    institution (int32 codes into the returned index of ids; -1: neither)."""
    org, inst = pd.Categorical(aff["org_id"]), pd.Categorical(aff["inst"])
    codes = inst.codes.astype("int32")  # no int8 wrap
    codes[codes >= 0] += len(org.categories)
    resolved = org.codes >= 0
    codes[resolved] = org.codes[resolved]
    return codes, pd.Index([*map(str, org.categories), *map(str, inst.categories)])


def work_pairs(works: pd.DataFrame, aff: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
    """(work, year, ru, cn) as integers: every Russian x Chinese organisation pair per
    work, organisations as codes into the returned index of ids. Numpy arrays all the way
    (32-bit until the key needs 64): no filtered copy of the affiliations, and works
    matched by category code."""
    country = pd.Categorical(aff["country"])
    wanted = [country.categories.get_loc(c) if c in country.categories else -2
              for c in ("RU", "CN")]
    is_ru = country.codes == wanted[0]
    keep = is_ru | (country.codes == wanted[1])
    work, years = work_years(works, aff["work_id"])
    keep &= years[work] >= 0
    codes, orgs = org_codes(aff)
    keep &= codes >= 0
    width = len(orgs) + 1
    key = work[keep].astype("int64")  # (work, organisation, is_ru) in one key, in place
    del work
    key *= width
    key += codes[keep]
    del codes
    key *= 2
    key += is_ru[keep]
    del keep, is_ru
    key = sorted_unique(key)  # by work, then organisation
    ru = (key & 1).astype(bool)
    key >>= 1
    org = (key % width).astype("int32")
    key //= width
    work = key.astype("int32")
    del key
    left, right = cross(work[ru], work[~ru])  # sorted by work: RU x CN rows of each work
    pairs = pd.DataFrame({"ru": org[ru][left].astype("int32"),
                          "cn": org[~ru][right].astype("int32"),
                          "year": years[work[ru][left]]})
    return pairs, orgs


def work_years(works: pd.DataFrame, work_ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each affiliation's work as an integer code (int32), and the year of every code
    (int16; -1: not among `works`, or no year). The frames share one set of work-id
    categories, so the match is on codes; other frames are matched on the text."""
    cat = pd.Categorical(work_ids)
    ids = works["id"]
    if isinstance(ids.dtype, pd.CategoricalDtype) and ids.cat.categories.equals(cat.categories):
        at = ids.cat.codes.to_numpy()
    else:
        at = pd.Index(cat.categories.astype(str)).get_indexer(ids.astype(str))
    years = np.full(len(cat.categories) + 1, -1, dtype="int16")
    year = pd.to_numeric(works["year"], errors="coerce").to_numpy(dtype=float)
    ok = (at >= 0) & ~np.isnan(year)
    years[at[ok]] = year[ok].astype("int16")
    return cat.codes.astype("int32"), years


def runs(a: np.ndarray, inverse: bool = False) -> tuple[np.ndarray, ...]:
    """The distinct values of an array (sorted in place when it is not sorted yet), how
    often each occurs, and with `inverse` each element's run number: np.unique's answers
    without its argsort and copies."""
    if len(a) > 1 and not (a[1:] >= a[:-1]).all():
        a.sort()
    new = np.empty(len(a), dtype=bool)
    new[:1] = True
    np.not_equal(a[1:], a[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, len(a)))
    if not inverse:
        return a[starts], counts
    return a[starts], counts, (np.cumsum(new, dtype="int32") - 1)


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """np.unique of an array the caller no longer needs, sorted in place (np.unique would
    hold two more copies of it)."""
    a.sort()
    keep = np.empty(len(a), dtype=bool)
    keep[:1] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def cross(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (i, j) of every pair with a[i] == b[j], for sorted integer arrays: a
    join without hash tables, in memory proportional to its output."""
    starts = np.searchsorted(b, a, "left")
    counts = np.searchsorted(b, a, "right") - starts
    left = np.repeat(np.arange(len(a)), counts)
    first = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    return left, first + np.arange(len(left))


def pair_years(pairs: pd.DataFrame, width: int) -> tuple[np.ndarray, ...]:
    """Papers per (pair, year), sorted by pair then year: each distinct pair (ru * width +
    cn), and per (pair, year) row the pair's number, the year and the papers."""
    year = pairs["year"].to_numpy()
    first, wide = int(year.min()), int(year.max() - year.min()) + 1
    key = pairs["ru"].to_numpy().astype("int64") * width + pairs["cn"].to_numpy()
    key *= wide
    key += year - first
    del year
    both, counts = runs(key)
    del key
    per_year = (both % wide + first).astype("int16")
    uniq, _, index = runs(both // wide, inverse=True)
    return uniq, index, per_year, counts


def _ranked(uniq, index, per_year, counts, listed_pair, label) -> tuple[dict, dict, dict]:
    """Per year: the ten pairs with the most papers to date, the watch-listed pairs with 3
    papers in the trailing 3 years, and both as the sample's records. The trailing window
    is kept for the watch-listed pairs only."""
    watched = np.flatnonzero(listed_pair)
    running = np.zeros(len(uniq))
    recent: dict[int, np.ndarray] = {}  # the watched pairs' last three years
    top10, listed3, marks, names = {}, {}, {}, {}

    def name(i: int) -> str:
        if i not in names:
            names[i] = label(i)
        return names[i]

    for y in np.unique(per_year).tolist():
        this = np.bincount(index[per_year == y], weights=counts[per_year == y],
                           minlength=len(uniq))
        running += this
        recent = {z: v for z, v in recent.items() if z > y - 3} | {y: this[watched]}
        del this
        best = np.argpartition(-running, 9)[:10] if len(running) > 10 else range(len(running))
        top = sorted((int(i) for i in best if running[i] > 0),
                     key=lambda i: (-running[i], name(i)))
        three = watched[sum(recent.values()) >= 3].tolist()
        top10[str(y)] = [name(i) for i in top]
        listed3[str(y)] = sorted(name(i) for i in three)
        marks[str(y)] = [{"kind": "pair", "id": name(i), "label": name(i),
                          "count": int(running[i])}
                         for i in list(dict.fromkeys([*top, *three]))[:SAMPLE]]
    return top10, listed3, marks


def _pair_evidence(per_year, counts, index, uniq, orgs, names, width, marks) -> Evidence:
    """Every pair of every year as a member, the marked pairs (the top 10 and the
    watch-listed ones the alerts name) first in the sample. A label is built once per
    distinct pair of names and the members hold codes into them: no string per row."""
    name_of, named = pd.factorize(pd.Series([names.get(o, o) for o in orgs.tolist()]))
    both = name_of[uniq // width].astype("int64") * len(named) + name_of[uniq % width]
    if len(named) == width:  # every organisation's name its own: pairs of names distinct
        distinct, label_of = both, np.arange(len(both), dtype="int32")
    else:
        distinct, label_of = np.unique(both, return_inverse=True)
    label_of, labels = label_of.reshape(-1), _joined_names(named, distinct)
    if any(" | " in str(n) for n in named):  # two joined pairs of names could read alike
        again, labels = pd.factorize(labels)
        label_of = again[label_of]
    year = per_year
    present = np.unique(year)  # the periods: codes into them without a hash table
    at = np.full(int(present[-1] - present[0]) + 1, -1, dtype="int8" if len(present) < 128
                 else "int16")
    at[present - present[0]] = np.arange(len(present))
    members = pd.DataFrame({
        "period": coded(at[year - present[0]], [str(int(y)) for y in present]),
        "kind": one_value("pair", len(year)),
        "id": coded(label_of.astype("int32")[index], labels),
        "value": counts.astype("float32"),  # paper counts: exact to 16 million
        "unit": one_value("papers", len(year))})
    counts = {str(k): int(v) for k, v in members["period"].value_counts().items() if v}
    sample = {p: rs[:SAMPLE] for p, rs in marks.items()}
    return Evidence(sample, counts, members, "pair")


def _joined_names(named: pd.Index, pairs: np.ndarray, chunk: int = 1 << 17) -> pd.Index:
    """"RU name | CN name" of each pair of name codes (`ru * len(named) + cn`), built in
    Arrow a chunk at a time (large strings, as pandas keeps them: no copy after)."""
    text, sep = pa.array(named, pa.large_string()), pa.scalar(" | ", pa.large_string())
    chunks = [pc.binary_join_element_wise(text.take(pa.array(part // len(named))),
                                          text.take(pa.array(part % len(named))), sep)
              for part in (pairs[lo:lo + chunk] for lo in range(0, len(pairs), chunk))]
    return pd.array(pa.chunked_array(chunks, pa.large_string()), "string[pyarrow]")


@indicator(
    id="research.institution_pairs",
    title="Most prolific China-Russia institution pairs",
    needs=("works", "affiliations", "orgs", "listings"),
    group="research", order=5,
    lag='publications', brief_window=(2010, 2019),
    series=(
        Series('value', 'pairs', 'distinct Russian-Chinese institution pairs'),
        Series('top10', 'pairs', 'institution pairs new to the top 10'),
        Series('listed_3in3', 'pairs',
               'pairs with a watch-listed member and 3 joint papers in 3 years'),
    ),
    baseline=Baseline(
        headline='RAS-CAS first (15 papers, 2010-2019)',
        summary="Most prolific pairs 2010-2019 (Table 2): RAS-CAS 15; Skoltech with Hangzhou "
        "Dianzi and with ECUST, 12 each; ITMO-Hangzhou Dianzi 11; Kazan Federal-SJTU 10; "
        "MSU-Zhejiang, Don State Technical-Beijing Jiaotong and Kurchatov-CAS, 9 each; "
        "RAS-China Aero Geophysical Survey and Skoltech-Guangdong Univ. of Technology, 8.",
        figures=TABLE_2,
        where={
            "RAS - CAS": "brief, Table 2 (lines 679-682)",
            "Skoltech - Hangzhou Dianzi": "brief, Table 2 (lines 684-687)",
            "Skoltech - ECUST": "brief, Table 2 (lines 689-695)",
            "ITMO - Hangzhou Dianzi": "brief, Table 2 (line 697)",
            "Kazan Federal - SJTU": "brief, Table 2 (line 698)",
            "MSU - Zhejiang": "brief, Table 2 (line 699)",
            "Don State Tech - Beijing Jiaotong": "brief, Table 2 (lines 700-703)",
            "Kurchatov - CAS": "brief, Table 2 (lines 705-709)",
            "RAS - China Aero Geophysical Survey": "brief, Table 2 (lines 711-718)",
            "Skoltech - Guangdong Univ. of Technology": "brief, Table 2 (lines 720-723)",
        },
    ),
    rules=(
        Rule("new_member", "info", series="top10",
             message="Institution pairs new to the top 10"),
        Rule("new_member", "warning", series="listed_3in3",
             message="Pairs with a watch-listed member and 3 joint papers in 3 years"),
    ),
)
def institution_pairs(frames, params, as_of):
    """Russian-Chinese organisation pairs on joint papers (the resolved organisation, else
    OpenAlex's institution). The value is the number of distinct pairs per year; `top10`
    holds each year's ten most prolific pairs counted cumulatively; `listed_3in3` the pairs
    with a watch-listed member and at least 3 joint papers in the trailing 3 years."""
    works = english_ai(frames["works"], columns=("id", "year"))
    pairs, orgs = work_pairs(works, frames["affiliations"]) if len(works) else (
        pd.DataFrame(), pd.Index([]))
    if pairs.empty:
        return [Result("research.institution_pairs", {"value": {}},
                       notes=["no joint works with affiliations stored"])]
    o = frames["orgs"].drop_duplicates("id")
    names = dict(zip(o["id"].astype(str), o["name"], strict=True))
    listed = set(frames["listings"]["org_id"].astype(str)) if len(frames["listings"]) else set()
    is_listed = np.asarray(orgs.isin(listed))
    width = len(orgs)
    del works
    uniq, index, per_year, counts = pair_years(pairs, width)
    del pairs
    pairs_a_year = pd.Series(per_year).value_counts()  # a few distinct years: a tiny table
    values = yearly(pairs_a_year, span(pairs_a_year.index))  # distinct pairs a year
    ids = orgs.tolist()

    def label(i: int) -> str:
        ru, cn = ids[int(uniq[i]) // width], ids[int(uniq[i]) % width]
        return f"{names.get(ru, ru)} | {names.get(cn, cn)}"

    top10, listed3, marks = _ranked(uniq, index, per_year, counts,
                                    is_listed[uniq // width] | is_listed[uniq % width], label)
    ev = _pair_evidence(per_year, counts, index, uniq, orgs, names, width, marks)
    return [Result("research.institution_pairs", {"value": values},
                   sets={"top10": top10, "listed_3in3": listed3},
                   partial_periods=partial_years(values, as_of, params),
                   query="joint AI works' affiliations: Russian x Chinese organisations",
                   **ev.into())]
