"""Who works with whom: Russian-Chinese institution pairs and the joint centres' output."""

from __future__ import annotations

from collections import Counter, defaultdict

import pandas as pd

from indicators.base import Baseline, Result, Rule, indicator, year_series
from indicators.common import partial_years
from indicators.research_common import (
    CENTRES,
    affiliations_of,
    joint_english,
    org_name,
    paper_record,
)

TABLE_2 = {
    "RAS - CAS": 15, "Skoltech - Hangzhou Dianzi": 12, "Skoltech - ECUST": 12,
    "ITMO - Hangzhou Dianzi": 11, "Kazan Federal - SJTU": 10, "MSU - Zhejiang": 9,
    "Don State Tech - Beijing Jiaotong": 9, "Kurchatov - CAS": 9,
    "RAS - China Aero Geophysical Survey": 8, "Skoltech - Guangdong Univ. of Technology": 8,
}


def work_pairs(works: pd.DataFrame, aff: pd.DataFrame) -> dict[str, tuple[set, set]]:
    """work id -> (pairs "Russian org | Chinese org", pairs with a watch-listed member)."""
    if aff.empty:
        return {}
    aff = aff[aff["work_id"].isin(works["id"])]
    sides_of: dict[str, dict[str, dict[str, bool]]] = {}
    for row in aff.to_dict("records"):  # plain dicts: iterrows is ~10x slower here
        sides = sides_of.setdefault(row["work_id"], {"RU": {}, "CN": {}})
        side = sides.get(row.get("country_code"))
        name = org_name(row)
        if side is not None and name:
            listed = bool(row.get("lists")) if isinstance(row.get("lists"), list) else False
            side[name] = side.get(name, False) or listed
    out: dict[str, tuple[set, set]] = {}
    for wid, sides in sides_of.items():
        pairs = {f"{ru} | {cn}" for ru in sides["RU"] for cn in sides["CN"]}
        listed = {f"{ru} | {cn}" for ru, lr in sides["RU"].items()
                  for cn, lc in sides["CN"].items() if lr or lc}
        out[wid] = (pairs, listed)
    return out


@indicator(
    id="research.institution_pairs",
    title="Most prolific Russian-Chinese institution pairs",
    needs=("works", "affiliations"),
    baseline=Baseline(
        summary="Top pairs 2010-2019 (Table 2): RAS-CAS 15; Skoltech with Hangzhou Dianzi "
        "and with ECUST 12 each; ITMO-Hangzhou Dianzi 11; Kazan Federal-SJTU 10; "
        "MSU-Zhejiang, Don State Technical-Beijing Jiaotong and Kurchatov-CAS 9 each; "
        "RAS-China Aero Geophysical Survey and Skoltech-Guangdong Univ. of Technology 8.",
        figures=TABLE_2,
    ),
    rules=(
        Rule("new_member", "info", series="top10",
             message="A new institution pair entered the top 10 of joint AI papers"),
        Rule("new_member", "warning", series="listed_3in3",
             message="A pair with a watch-listed member reached 3 joint papers in 3 years"),
    ),
    unit="pairs",
)
def institution_pairs(frames, params, as_of):
    """Russian-Chinese organisation pairs on joint papers (an organisation is the
    matcher's canonical one when resolved, else the source's institution name). The value
    is the number of distinct pairs per year; `top10` holds each year's ten most prolific
    pairs counted cumulatively; `listed_3in3` the pairs with a watch-listed member and at
    least 3 joint papers in the trailing 3 years."""
    works = joint_english(frames["works"])
    pairs = work_pairs(works, affiliations_of(frames)) if not works.empty else {}
    if not pairs:
        return [Result("research.institution_pairs", {"value": {}},
                       notes=["no joint works with affiliations stored"])]
    year_of = dict(zip(works["id"], works["publication_year"], strict=True))
    by_year: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    listed_pairs: set[str] = set()
    for wid, (ps, listed) in pairs.items():
        year = year_of.get(wid)
        if year is None or pd.isna(year):
            continue
        for p in ps:
            by_year[int(year)][p].append(wid)
        listed_pairs |= listed
    rows = works.set_index("id")
    cumulative: Counter = Counter()
    values, top10, listed3, evidence = {}, {}, {}, {}
    for year in sorted(by_year):
        period = str(year)
        for p, ws in by_year[year].items():
            cumulative[p] += len(ws)
        values[year] = len(by_year[year])
        top = sorted(cumulative.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        top10[period] = [p for p, _ in top]
        window = Counter()
        for y in (year - 2, year - 1, year):
            for p, ws in by_year.get(y, {}).items():
                if p in listed_pairs:
                    window[p] += len(ws)
        listed3[period] = sorted(p for p, n in window.items() if n >= 3)
        shown = dict.fromkeys(top10[period] + listed3[period])
        evidence[period] = [
            {"kind": "pair", "id": p, "label": p, "count": cumulative[p],
             "papers_this_year": len(by_year[year].get(p, [])),
             "works": [paper_record(rows.loc[w].to_dict() | {"id": w})
                       for w in by_year[year].get(p, [])[:20]]}
            for p in shown
        ]
    series = year_series(values)
    return [Result(
        "research.institution_pairs", {"value": series},
        sets={"top10": top10, "listed_3in3": listed3}, evidence=evidence,
        partial_periods=partial_years(series, as_of),
        query="joint works' affiliations, Russian x Chinese organisations",
    )]


def author_texts(aff: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Lower-cased affiliation text per row, and per (work, author) all of it joined."""
    if aff.empty:
        empty = pd.Series(dtype=str)
        return empty, empty
    names = aff["org_name"] if "org_name" in aff else pd.Series(None, index=aff.index)
    text = (names.fillna("").astype(str) + " " + aff["institution_name"].fillna("") + " "
            + aff["raw_affiliation"].fillna("")).str.lower()
    per_author = text.groupby([aff["work_id"], aff["author_position"]]).agg(" ".join)
    return text, per_author


def centre_works(aff: pd.DataFrame, centre: dict, texts=None) -> set[str]:
    """Works signed by a centre: its name in an affiliation, or one author listing both
    of its parties."""
    if aff.empty:
        return set()
    text, per_author = texts or author_texts(aff)
    names = [n.lower() for n in centre.get("names", [])]
    found = set(aff.loc[text.map(lambda t: any(n in t for n in names)), "work_id"])
    parties = [p.lower() for p in centre.get("parties", [])]
    if len(parties) == 2:
        both = per_author.map(lambda t: all(p in t for p in parties))
        found |= {wid for wid, _pos in per_author[both].index}
    return found


@indicator(
    id="research.joint_centres",
    title="Output of joint China-Russia research centres and labs",
    needs=("works", "affiliations"),
    baseline=Baseline(
        summary="The brief names the Hangzhou Dianzi University-ITMO Joint Institute "
        "(2018), the Skoltech-Huawei Innovation Joint Lab (2018) and MIPT's joint lab with "
        "Huawei's Russian Research Institute (2020); their output was not counted.",
        figures={"centres_named": 3},
    ),
    rules=(
        Rule("new_member", "info", series="centre",
             message="First paper from a joint centre"),
        Rule("yoy", "warning", series="output", op=">=", threshold=1.0),
    ),
)
def joint_centres(frames, params, as_of):
    """Papers per year signed by each joint centre listed in data/research/centres.toml
    (one subject per centre), matched on affiliation names or on an author affiliated
    with both parties; zeros from the centre's founding year to the latest stored year."""
    works = frames["works"]
    aff = affiliations_of(frames)
    centres = params.get("centres") or CENTRES
    rows = works.set_index("id") if not works.empty else works
    texts = author_texts(aff) if not aff.empty else None
    stored_years = works["publication_year"].dropna() if not works.empty else []
    last = int(max(stored_years)) if len(stored_years) else None  # zeros up to the data's end
    results = []
    for centre in centres:
        ids = sorted(w for w in centre_works(aff, centre, texts) if w in rows.index)
        years = {}
        evidence: dict[str, list] = {}
        for wid in ids:
            row = rows.loc[wid].to_dict() | {"id": wid}
            year = row.get("publication_year")
            if year is None or pd.isna(year):
                continue
            years[int(year)] = years.get(int(year), 0) + 1
            evidence.setdefault(str(int(year)), []).append(paper_record(row, centre=centre["name"]))
        first = min([*years, int(centre.get("founded") or 9999)])
        values = year_series({y: years.get(y, 0) for y in range(first, last + 1)}
                             if last and first <= last else {})
        output = {p: (v if years and int(p) >= min(years) else None) for p, v in values.items()}
        results.append(Result("research.joint_centres", {"value": values, "output": output},
                              evidence=evidence, subject=centre["name"],
                              partial_periods=partial_years(values, as_of),
                              query="affiliations naming the centre, or both its parties"))
    results.insert(0, _all_centres(results, as_of))
    return results


def _all_centres(per_centre: list[Result], as_of) -> Result:
    """Subject `all`: the centres' summed output, and which centres published each year
    (the `centre` set, for the first-paper rule)."""
    total: dict[str, float] = {}
    evidence: dict[str, list] = {}
    active: dict[str, list[str]] = {}
    for r in per_centre:
        for period, v in r.values.items():
            total[period] = total.get(period, 0.0) + (v or 0)
        for period, recs in r.evidence.items():
            active.setdefault(period, []).append(r.subject)
            evidence.setdefault(period, []).append(
                {"kind": "centre", "id": r.subject, "label": f"{r.subject}: {len(recs)} papers"})
            evidence[period] += recs
    values = {p: total[p] for p in sorted(total)}
    return Result("research.joint_centres", {"value": values}, evidence=evidence,
                  sets={"centre": active}, partial_periods=partial_years(values, as_of),
                  query="affiliations naming a joint centre, or both its parties")
