"""Chinese-language joint AI papers from CNKI exports."""

from __future__ import annotations

from indicators.base import Baseline, Result, Rule, indicator, year_series
from indicators.common import partial_years
from indicators.research_common import affiliations_of, paper_record

AI_TOPIC = "cnki:ai"  # set by tasks/sources/cnki.py from the keyword definition
BRIEF_TOTAL, BRIEF_YEARS = 43, 16  # 2005-2020
INSTITUTIONS = {  # series name -> how the institution is written in CNKI affiliations
    "ras": ("俄罗斯科学院", "Russian Academy of Sciences"),
    "cas": ("中国科学院", "Chinese Academy of Sciences"),
}


def _is_ai(topics) -> bool:
    return isinstance(topics, list) and any(
        isinstance(t, dict) and t.get("id") == AI_TOPIC for t in topics)


@indicator(
    id="research.chinese_language",
    title="Chinese-language joint AI papers (CNKI)",
    needs=("works", "affiliations"),
    baseline=Baseline(
        summary="43 Chinese-language joint AI papers in CNKI, 2005-2020; RAS on 16 (37%), "
        "CAS on 3 (7%); NSFC funded 11 and the 973 Program 3; an uptick after 2018.",
        figures={"papers_2005_2020": 43, "ras": 16, "cas": 3, "nsfc": 11, "program_973": 3,
                 "yearly_mean": round(BRIEF_TOTAL / BRIEF_YEARS, 3)},
        end=2020,
    ),
    rules=(Rule("absolute", "warning", op=">=", threshold=round(2 * BRIEF_TOTAL / BRIEF_YEARS, 3),
                message="Chinese-language joint AI papers reached twice the 2005-2020 "
                "yearly mean"),),
)
def chinese_language(frames, params, as_of):
    """CNKI papers with Chinese and Russian affiliations that meet the AI keyword
    definition (data/cnki/definitions.toml), per year; alongside, those with RAS or CAS
    among the institutions and those funded by NSFC or the 973 Program."""
    works = frames["works"]
    if works.empty:
        return [Result("research.chinese_language", {"value": {}}, notes=["no works stored"])]
    cnki = works[(works["source"] == "cnki")
                 & works["countries"].map(lambda cs: {"CN", "RU"} <= set(cs or ()))
                 & works["topics"].map(_is_ai)]
    cnki = cnki[cnki["publication_year"].notna()]
    aff = affiliations_of(frames)
    names = {}
    if not aff.empty:
        aff = aff[aff["work_id"].isin(cnki["id"])]
        for wid, group in aff.groupby("work_id"):
            names[wid] = " ".join(group["institution_name"].fillna(""))
    years = sorted({int(y) for y in cnki["publication_year"]})
    span = range(min(years), max(years) + 1) if years else []
    series: dict[str, dict] = {}
    flags = {
        "value": lambda r: True,
        **{k: (lambda r, f=forms: any(x in names.get(r["id"], "") for x in f))
           for k, forms in INSTITUTIONS.items()},
        "nsfc": lambda r: "NSFC" in (r["funders"] or []),
        "program_973": lambda r: "973 Program" in (r["funders"] or []),
    }
    for name, test in flags.items():
        hits = cnki[cnki.apply(test, axis=1)] if not cnki.empty else cnki
        per = hits.groupby(hits["publication_year"].astype(int)).size().to_dict()
        series[name] = year_series({y: per.get(y, 0) for y in span})
    evidence: dict[str, list] = {}
    for _, row in cnki.sort_values("id").iterrows():
        evidence.setdefault(str(int(row["publication_year"])), []).append(
            paper_record(row, institutions=names.get(row["id"], "")[:300],
                         funders=list(row["funders"] or [])))
    return [Result(
        "research.chinese_language", series, evidence=evidence,
        partial_periods=partial_years(series["value"], as_of),
        query="CNKI imports: CN and RU institutions and the AI keyword definition",
        notes=[] if len(cnki) else ["no CNKI joint AI papers imported: trendline import-cnki"],
    )]

