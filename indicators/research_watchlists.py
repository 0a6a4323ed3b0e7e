"""Joint papers that involve watch-listed organisations."""

from __future__ import annotations

from indicators.base import Baseline, Result, Rule, indicator, year_series
from indicators.common import joint_works, partial_years, work_record


def listed_partners(frames, side: str, list_names: set[str]):
    """Joint CN-RU works where an affiliation on `side` (country) matched a listed org."""
    works = joint_works(frames["works"])
    aff = frames["affiliations"]
    if works.empty or aff.empty:
        return works.iloc[0:0], aff.iloc[0:0]
    hits = aff[
        (aff["country_code"] == side)
        & aff["work_id"].isin(works["id"])
        & aff["lists"].map(lambda ls: bool(set(ls or ()) & list_names))
    ]
    return works[works["id"].isin(hits["work_id"])], hits


@indicator(
    id="research.entity_list_collab",
    title="Joint papers with a Chinese organisation on the U.S. Entity List",
    needs=("works", "affiliations", "watchlist_entries"),
    baseline=Baseline(
        summary="In the CNKI sample, 5 of 43 joint papers had a Chinese author at an "
        "Entity-List university (Beihang, Harbin Institute of Technology, Harbin "
        "Engineering University, BUPT); two Beihang-Moscow Aviation Institute papers in 2010.",
        figures={"cnki_papers": 5, "cnki_total": 43, "beihang_mai_2010": 2},
        end=2020,
    ),
    rules=(
        Rule("any_new", "warning", series="works"),
        Rule("yoy", "critical", op=">=", threshold=1.0),
    ),
)
def entity_list_collab(frames, params, as_of):
    """Joint CN-RU papers per year whose Chinese side includes an organisation on the
    Entity List (or the Military End-User list), with the matched organisation, the list
    and the match rule in the evidence."""
    lists = set(params.get("lists", ["entity_list", "meu_list"]))
    works, hits = listed_partners(frames, "CN", lists)
    by_work = hits.groupby("work_id")
    evidence: dict[str, list] = {}
    sets: dict[str, list] = {}
    for _, w in works.sort_values("id").iterrows():
        matched = by_work.get_group(w["id"])
        orgs = [
            {"org": m["org_name"], "lists": sorted(set(m["lists"]) & lists),
             "rule": m["match_rule"], "score": m["match_score"], "affiliation": m["institution_name"]}
            for _, m in matched.drop_duplicates("org_id").iterrows()
        ]
        year = str(int(w["publication_year"]))
        evidence.setdefault(year, []).append(work_record(w, matched=orgs))
        sets.setdefault(year, []).append(w["id"])
    values = year_series(works.groupby("publication_year").size().to_dict()) if len(works) else {}
    return [
        Result(
            "research.entity_list_collab",
            {"value": values},
            evidence=evidence,
            sets={"works": sets},
            query=f"joint CN+RU works with a CN affiliation matched to lists {sorted(lists)}",
            partial_periods=partial_years(values, as_of),
        )
    ]
