"""Citation impact of joint papers, and Huawei's papers with Russian institutions."""

from __future__ import annotations

import pandas as pd

from indicators.base import Baseline, Result, Rule, indicator, year_series
from indicators.common import partial_years
from indicators.research_common import affiliations_of, joint_english, org_name, paper_record


@indicator(
    id="research.citation_impact",
    title="Citation impact of joint China-Russia AI papers",
    needs=("works",),
    baseline=Baseline(
        summary="Not quantified in the brief; the first run sets the baseline from the "
        "stored joint papers up to 2019.",
        figures={},
    ),
    rules=(Rule("absolute", "warning", series="top10_gain", op=">=", threshold=5.0,
                message="Share of joint papers in the top 10% most cited rose >= 5 points"),),
    unit="%",
)
def citation_impact(frames, params, as_of):
    """Per year, the percentage of joint papers among the top 10% most cited of their
    year and field (OpenAlex's citation_normalized_percentile, or cited_by_percentile_year
    for older records) as the value; mean FWCI and mean citations alongside.
    `top10_gain` is the value minus the mean share up to the baseline year (2019 unless
    `baseline_end` is given): the brief set no figure, so the first data sets it."""
    works = joint_english(frames["works"])
    if works.empty:
        return [Result("research.citation_impact", {"value": {}}, notes=["no joint works"])]
    end = int(params.get("baseline_end", 2019))
    known = works[works["is_top10"].notna()]
    share, fwci, cites, evidence = {}, {}, {}, {}
    for year, group in works.groupby(works["publication_year"].astype("Int64")):
        if pd.isna(year):
            continue
        rated = known[known["publication_year"] == year]
        top = rated[rated["is_top10"].astype(bool)]
        share[int(year)] = 100 * len(top) / len(rated) if len(rated) else None
        fw = group["fwci"].dropna()
        fwci[int(year)] = round(float(fw.mean()), 3) if len(fw) else None
        cites[int(year)] = round(float(group["cited_by_count"].dropna().mean()), 2)
        evidence[str(int(year))] = [
            paper_record(r, fwci=r.get("fwci"), percentile=r.get("citation_percentile"),
                         top10=True)
            for _, r in top.sort_values("id").iterrows()
        ]
    value = year_series(share)
    before = [v for p, v in value.items() if int(p) <= end and v is not None]
    base = sum(before) / len(before) if before else None
    gain = {p: (None if v is None or base is None else round(v - base, 3))
            for p, v in value.items()}
    notes = [f"baseline top-10% share {base:.2f}% (mean to {end})" if base is not None
             else "no joint papers up to the baseline year: the rule waits for data"]
    return [Result(
        "research.citation_impact",
        {"value": value, "top10_gain": gain, "mean_fwci": year_series(fwci),
         "mean_citations": year_series(cites)},
        evidence=evidence, partial_periods=partial_years(value, as_of), notes=notes,
        query="joint works: citation_normalized_percentile.is_in_top_10_percent, fwci",
    )]


@indicator(
    id="research.huawei_ru",
    title="Papers co-authored by Huawei and Russian institutions",
    needs=("works", "affiliations"),
    baseline=Baseline(
        summary="Huawei-affiliated authors took part in 17 of the 296 joint papers, with "
        "Huawei's Russian arm (5), Skoltech (4), RAS (2), SPIIRAS (2), MIPT (2) and HSE (2).",
        figures={"collaborations": 17, "Huawei Russia": 5, "Skoltech": 4, "RAS": 2,
                 "SPIIRAS": 2, "MIPT": 2, "HSE": 2},
    ),
    rules=(
        Rule("new_member", "info", series="partners",
             message="Huawei published with a new Russian partner institution"),
        Rule("yoy", "warning", op=">=", threshold=0.5),
    ),
)
def huawei_ru(frames, params, as_of):
    """Stored papers with a Huawei affiliation (any country) and a Russian one (Huawei's
    Russian entities count as Russian partners, as in the brief), per year; `partners`
    holds the Russian partner organisations. Only works in the store are seen: with the
    OpenAlex source, that is the CN+RU joint set."""
    works, aff = frames["works"], affiliations_of(frames)
    if works.empty or aff.empty:
        return [Result("research.huawei_ru", {"value": {}}, notes=["no works stored"])]
    works = works[works["source"] != "cnki"]
    aff = aff[aff["work_id"].isin(works["id"])]
    names = aff.apply(org_name, axis=1)
    is_huawei = names.str.contains("huawei", case=False, na=False)
    huawei_works = set(aff.loc[is_huawei, "work_id"])
    russian = aff[(aff["country_code"] == "RU") & aff["work_id"].isin(huawei_works)]
    partners_of: dict[str, set[str]] = {}
    for wid, name in zip(russian["work_id"], names[russian.index], strict=True):
        partners_of.setdefault(wid, set()).add(name)
    hits = works[works["id"].isin(partners_of)]
    counts, partners, evidence = {}, {}, {}
    for _, row in hits.sort_values("id").iterrows():
        if pd.isna(row["publication_year"]):
            continue
        year = int(row["publication_year"])
        period = str(year)
        counts[year] = counts.get(year, 0) + 1
        mine = sorted(partners_of[row["id"]])
        partners.setdefault(period, set()).update(mine)
        evidence.setdefault(period, []).append(paper_record(row, partners=mine))
    for period, ps in partners.items():
        evidence[period] += [{"kind": "partner", "id": p, "label": f"Huawei with {p}"}
                             for p in sorted(ps)]
    if counts:
        counts = {y: counts.get(y, 0) for y in range(min(counts), max(counts) + 1)}
    values = year_series(counts)
    return [Result(
        "research.huawei_ru", {"value": values},
        sets={"partners": {p: sorted(v) for p, v in partners.items()}},
        evidence=evidence, partial_periods=partial_years(values, as_of),
        query="stored works with a Huawei affiliation and a Russian one",
    )]
