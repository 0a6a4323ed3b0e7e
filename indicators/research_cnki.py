"""Chinese-language joint AI papers from CNKI exports."""

from __future__ import annotations

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import among, evidence, partial_years, span, yearly

BRIEF_TOTAL, BRIEF_YEARS = 43, 16  # 2005-2020
INSTITUTIONS = {"ras": "ror:05qrfxd25", "cas": "ror:034t30j35"}  # resolved organisations
FUNDERS = {"nsfc": "NSFC", "program_973": "973 Program"}


@indicator(
    id="research.chinese_language",
    title="Chinese-language joint AI papers (CNKI)",
    needs=("works", "affiliations"),
    group="research", order=11,
    lag='publications', brief_window=(2005, 2020),
    series=(
        Series('value', 'papers', 'CNKI joint AI papers'),
        Series('ras', 'papers', 'with RAS authors'),
        Series('cas', 'papers', 'with CAS authors'),
        Series('nsfc', 'papers', 'funded by NSFC'),
        Series('program_973', 'papers', 'funded by the 973 Program'),
    ),
    baseline=Baseline(
        headline='43 CNKI papers in 2005-2020',
        summary="A CNKI search found 43 Chinese-language AI papers co-written by Chinese and "
        "Russian researchers in 2005-2020, with no steady trend apart from a rise after "
        "2018. RAS authors are on 16 (37%), CAS authors on 3 (7%); NSFC funded 11 and the "
        "973 Program (National Basic Research Program) 3 more.",
        figures={"papers_2005_2020": 43, "ras": 16, "cas": 3, "nsfc": 11, "program_973": 3},
        where={
            "papers_2005_2020": "brief, Chinese-language research (lines 894-897)",
            "ras": "brief, Chinese-language research, '37 percent' (lines 910-913); "
            "appendix Table 1A (lines 1674-1677)",
            "cas": "brief, Chinese-language research, 'three papers (7 percent)' (lines "
            "913-914); appendix Table 1A (lines 1677-1680)",
            "nsfc": "brief, Chinese-language research, 'Eleven of the 43' (lines 935-937)",
            "program_973": "brief, Chinese-language research, 'Three additional projects', "
            "973 Project (lines 942-945)",
        },
        end=2020,
    ),
    rules=(Rule("absolute", "warning", op=">=", threshold=round(2 * BRIEF_TOTAL / BRIEF_YEARS, 3),
                message="Twice the brief's 2005-2020 yearly mean"),),
)
def chinese_language(frames, params, as_of):
    """CNKI papers resolved as AI (the keyword definition) with Chinese and Russian
    affiliations (countries decided from the institution names, Belarus not Russia), per
    year; alongside, those with RAS or CAS among the resolved organisations and those
    funded by NSFC or the 973 Program."""
    works, aff = frames["works"], frames["affiliations"]
    if works.empty:
        return [Result("research.chinese_language", {"value": {}}, notes=["no works stored"])]
    cnki = works[(works["source"] == "cnki") & works["is_ai"].astype(bool)
                 & works["is_joint"].astype(bool) & works["year"].notna()]
    years = span(cnki["year"])
    series = {"value": yearly(cnki.groupby("year").size(), years)}
    orgs = aff[among(aff["work_id"], cnki)] if len(aff) else aff
    for name, org in {**INSTITUTIONS, **params.get("institutions", {})}.items():
        signed = orgs.loc[(orgs["org_id"] == org).to_numpy(), ["work_id"]].rename(
            columns={"work_id": "id"})
        series[name] = yearly(cnki[among(cnki["id"], signed)].groupby("year").size(), years)
    for name, funder in FUNDERS.items():
        funded = cnki[cnki["funders"].str.contains(funder, regex=False, na=False)]
        series[name] = yearly(funded.groupby("year").size(), years)
    ev = evidence(cnki, "work", extra=("funders",))
    return [Result(
        "research.chinese_language", series,
        partial_periods=partial_years(series["value"], as_of, params),
        query="CNKI imports: AI by the keyword definition, CN and RU affiliations",
        notes=[] if len(cnki) else ["no CNKI joint AI papers imported: trendline import-cnki"],
        **ev.into(),
    )]
