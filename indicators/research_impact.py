"""Citation impact of joint papers, and Huawei's papers with Russian institutions."""

from __future__ import annotations

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import (
    among,
    english_ai,
    evidence,
    partial_years,
    records,
    span,
    year_of,
    yearly,
)


@indicator(
    id="research.citation_impact",
    title="Citation impact of joint China-Russia AI papers",
    needs=("works",),
    group="research", order=6,
    lag='publications', brief_window=(2010, 2019),
    series=(
        Series('value', 'percent', 'share of joint papers among the top 10% most cited'),
        Series('top10_gain', 'points', 'top-10% share above the pooled 2010-2019 share'),
        Series('mean_fwci', 'index', 'mean field-weighted citation impact'),
        Series('mean_citations', 'citations', 'mean citations per paper'),
    ),
    baseline=Baseline(
        headline='not measured (our baseline: the pooled 2010-2019 share)',
        summary="The brief sets no citation figure; it only asks watchers to follow the "
        "citation impact of joint AI papers. Our baseline is the pooled share of joint "
        "papers up to 2019 in the top 10% of their year and field, from the first run.",
        figures={},
    ),
    rules=(Rule("absolute", "warning", series="top10_gain", op=">=", threshold=5.0),),
)
def citation_impact(frames, params, as_of):
    """Per year, the percentage of joint papers among the top 10% most cited of their
    year and field (OpenAlex's citation_normalized_percentile) as the value; mean FWCI and
    mean citations alongside. `top10_gain` is the value minus the pooled share of all rated
    papers up to the baseline year (2019 unless `baseline_end`): top-10% papers over rated
    papers, not a mean of yearly shares."""
    works = english_ai(frames["works"],
                       columns=("id", "year", "is_top10", "fwci", "cited_by_count"))
    if works.empty:
        return [Result("research.citation_impact", {"value": {}}, notes=["no joint works"])]
    end = int(params.get("baseline_end", 2019))
    rated = works[works["is_top10"].notna()]
    top = rated[rated["is_top10"].astype(bool)]
    years = span(works["year"].dropna())
    n_rated, n_top = rated.groupby("year").size(), top.groupby("year").size()
    share = {str(y): (100 * float(n_top.get(y, 0)) / float(n_rated[y]) if y in n_rated else None)
             for y in years}
    before = rated[rated["year"] <= end]
    base = 100 * float(before["is_top10"].astype(bool).sum()) / len(before) if len(before) else None
    gain = {p: (None if v is None or base is None else round(v - base, 3))
            for p, v in share.items()}
    fwci = works.groupby("year")["fwci"].mean().round(3)
    cites = works.groupby("year")["cited_by_count"].mean().round(2)
    notes = [f"baseline top-10% share {base:.2f}% ({int(before['is_top10'].astype(bool).sum())} "
             f"of {len(before)} rated papers to {end}, pooled)" if base is not None
             else "no rated joint papers up to the baseline year: the rule waits for data"]
    ev = evidence(top, "work", rank="fwci", extra=("fwci",))
    pooled = f"the pooled 2010-{end} share"  # its counts are in the notes
    return [Result(
        "research.citation_impact",
        {"value": share, "top10_gain": gain, "mean_fwci": yearly(fwci.dropna()),
         "mean_citations": yearly(cites.dropna())}, reference=base, reference_words=pooled,
        partial_periods=partial_years(share, as_of, params), notes=notes,
        query="joint AI works with citation_normalized_percentile.is_in_top_10_percent",
        **ev.into(),
    )]


@indicator(
    id="research.huawei_ru",
    title="Papers co-authored by Huawei and Russian institutions",
    needs=("works", "affiliations", "listings", "orgs"),
    group="research", order=9,
    lag='publications', brief_window=(2010, 2019),
    series=(
        Series('value', 'papers', 'Huawei-Russia papers'),
        Series('partners', 'organisations', 'Russian partner organisations new to Huawei'),
    ),
    baseline=Baseline(
        headline='17 collaborations by partner (2010-2019)',
        summary="Huawei-affiliated authors appear in 17 of the joint papers' collaborations, "
        "tallied per Russian partner: Huawei's own Russian unit 5, Skoltech 4, and RAS, "
        "SPIIRAS, MIPT and HSE 2 each. The tally is per partner; the brief gives no separate "
        "number of distinct papers.",
        figures={"collaborations_by_partner": 17, "Huawei Russia": 5, "Skoltech": 4,
                 "RAS": 2, "SPIIRAS": 2, "MIPT": 2, "HSE": 2},
        where={
            "collaborations_by_partner": "brief, English-language research: Huawei (lines "
            "776-781); the six partner counts add up to it (5 + 4 + 2 + 2 + 2 + 2)",
            "Huawei Russia": "brief, English-language research: Huawei, 'five' (lines 780-782)",
            "Skoltech": "brief, English-language research: Huawei, 'four' (lines 782-783)",
            "RAS": "brief, English-language research: Huawei, 'two' (line 783)",
            "SPIIRAS": "brief, English-language research: Huawei, St. Petersburg Institute for "
            "Informatics and Automation, 'two' (lines 783-785)",
            "MIPT": "brief, English-language research: Huawei, 'two' (lines 785-786)",
            "HSE": "brief, English-language research: Huawei, 'two' (lines 786-787)",
        },
    ),
    rules=(
        Rule("new_member", "info", series="partners",
             message="Russian partner organisations new to Huawei"),
        Rule("yoy", "warning", op=">=", threshold=0.5),
    ),
)
def huawei_ru(frames, params, as_of):
    """Stored AI papers (OpenAlex) with an affiliation resolved to a Huawei entity (the
    `huawei` list) and a Russian one, per year; `partners` holds the Russian partner
    organisations (Huawei's Russian entities count as partners, as in the brief)."""
    works, aff, lst = frames["works"], frames["affiliations"], frames["listings"]
    lists = tuple(params.get("lists") or ("huawei",))
    if works.empty or aff.empty or lst.empty:
        return [Result("research.huawei_ru", {"value": {}}, notes=["no works or lists stored"])]
    works = works.loc[(works["is_ai"].astype(bool) & (works["source"] != "cnki")).to_numpy(),
                      ["id", "year"]]
    huawei = set(lst.loc[lst["list_name"].isin(lists), "org_id"].astype(str))
    inside = among(aff["work_id"], works)  # masks and codes: no copy of the affiliations
    with_huawei = aff.loc[inside & aff["org_id"].isin(huawei).to_numpy(), ["work_id"]]
    ru = aff[inside & (aff["country"] == "RU").to_numpy()
             & among(aff["work_id"], with_huawei.rename(columns={"work_id": "id"}))]
    ru = ru.assign(org=ru["org_id"].astype("object").where(ru["org_id"].notna(),
                                                           ru["inst"].astype("object")))
    hits = works[among(works["id"], ru[["work_id"]].rename(columns={"work_id": "id"}))]
    years = span(hits["year"].dropna())
    values = yearly(hits.groupby("year").size(), years)
    names = frames["orgs"].drop_duplicates("id").set_index("id")["name"]
    per = ru[["work_id", "org"]].dropna()
    per = per.assign(year=year_of(per["work_id"], hits))  # by code: no join on the ids
    partners = {str(int(y)): sorted(str(names.get(o, o)) for o in g["org"].unique())
                for y, g in per.groupby("year")}
    ev = evidence(hits, "work").also(records(  # the partners behind the papers: listed apart
        {p: [{"kind": "partner", "id": n, "label": n} for n in ns]
         for p, ns in partners.items()}))
    return [Result("research.huawei_ru", {"value": values}, sets={"partners": partners},
                   partial_periods=partial_years(values, as_of, params),
                   query="AI works with an affiliation on the huawei list and a Russian one",
                   **ev.into())]


