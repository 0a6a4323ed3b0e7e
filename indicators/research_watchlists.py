"""Joint CN-RU papers that involve watch-listed organisations (English and CNKI papers)."""

from __future__ import annotations

from indicators.base import Baseline, Result, Rule, indicator, year_series
from indicators.common import joint_works, partial_years, work_record
from indicators.watchlist_common import first_listed, listings, year_end

ENTITY_LISTS = ("entity_list", "meu_list")
ADDED = "added_while_collaborating"  # set: organisations listed while co-authoring


def listed_partners(frames, side: str, list_names: set[str]):
    """Joint CN-RU works, and the affiliations on `side` matched to an organisation that
    is, or was, on one of the lists (review matches never count)."""
    works = joint_works(frames["works"])
    aff = frames["affiliations"]
    if works.empty or aff.empty:
        return works.iloc[0:0], aff.iloc[0:0]
    lst = listings(frames)
    ever = {o for o in aff["org_id"].dropna().unique() if lst.entries(o, list_names)}
    counted = aff["match_rule"].isin(["ror", "alias", "fuzzy"])
    on_now = aff["lists"].map(lambda ls: bool(set(ls or ()) & list_names))
    on_list = on_now | aff["org_id"].isin(ever)
    hits = aff[(aff["country_code"] == side) & aff["work_id"].isin(works["id"]) & counted & on_list]
    return works[works["id"].isin(hits["work_id"])], hits


def _collab(frames, params, as_of, ind_id: str, side: str, lists: set[str], query: str):
    works, hits = listed_partners(frames, side, lists)
    lst = listings(frames)
    by_work = {k: g for k, g in hits.groupby("work_id")}
    now: dict[int, int] = {}
    then: dict[int, int] = {}
    evidence: dict[str, list] = {}
    sets: dict[str, dict[str, list]] = {"works": {}}
    for _, w in works.sort_values("id").iterrows():
        year = int(w["publication_year"])
        orgs, listed_then = [], False
        for _, m in by_work[w["id"]].drop_duplicates("org_id").iterrows():
            at_time = bool(lst.on(m["org_id"], year_end(year), lists)) if lst.by_org else True
            listed_then |= at_time
            orgs.append({
                "org": m["org_name"], "org_id": m["org_id"],
                "lists": sorted(set(m["lists"] or ()) & lists),
                "listed_on": first_listed(lst, m["org_id"], lists),
                "listed_at_the_time": at_time, "rule": m["match_rule"],
                "score": m["match_score"], "affiliation": m["institution_name"],
            })
        now[year] = now.get(year, 0) + int(any(o["lists"] for o in orgs))
        then[year] = then.get(year, 0) + int(listed_then)
        rec = work_record(w, matched=orgs)
        for k in ("doi", "url"):  # a missing value in a mixed frame reads as NaN
            rec[k] = rec[k] if isinstance(rec[k], str) else ""
        landing = w.get("url")  # CNKI: the landing page when there is no DOI
        rec["url"] = rec["url"] or (landing if isinstance(landing, str) else "")
        evidence.setdefault(str(year), []).append(rec)
        sets["works"].setdefault(str(year), []).append(w["id"])
    if params.get("added_while_collaborating", False):
        window = int(params.get("collab_window_years", 3))
        added, records = added_while_collaborating(works, hits, lst, lists, window)
        sets[ADDED] = added
        for period, recs in records.items():
            evidence.setdefault(period, []).extend(recs)
    if now:  # a year without such papers is a zero, not a gap: growth compares adjacent years
        joint = joint_works(frames["works"])
        last = max([*now, *(int(y) for y in joint["publication_year"].dropna())])
        for year in range(min(now), last + 1):
            now.setdefault(year, 0)
            then.setdefault(year, 0)
    values = year_series(now)
    return [Result(
        ind_id, {"value": values, "listed_at_the_time": year_series(then)},
        evidence=evidence, sets=sets, query=query,
        partial_periods=partial_years(values, as_of),
    )]


def added_while_collaborating(works, hits, lst, lists: set[str], window: int):
    """Organisations added to a list in a year when they had joint papers in that year or
    the `window` - 1 years before: {year: [org ids]} and a `listing` evidence record each."""
    year_of = dict(zip(works["id"], works["publication_year"].astype(int), strict=True))
    added: dict[str, list] = {}
    records: dict[str, list] = {}
    for org_id, g in hits.groupby("org_id"):
        years = {wid: year_of[wid] for wid in g["work_id"].unique()}
        for e in sorted(lst.entries(org_id, lists), key=lambda e: str(e.get("listed_on"))):
            day = e.get("listed_on")
            if day is None or day != day:  # no listing date: cannot be placed in time
                continue
            year = int(str(day)[:4])
            papers = sorted(w for w, y in years.items() if year - window < y <= year)
            if not papers or org_id in added.get(str(year), ()):
                continue
            name = next((n for n in g["org_name"] if isinstance(n, str) and n), org_id)
            added.setdefault(str(year), []).append(org_id)
            records.setdefault(str(year), []).append({
                "kind": "listing", "id": org_id, "org": name, "list": e["list_name"],
                "listed_on": str(day)[:10], "papers": papers, "window_years": window,
                "label": f"{name} added to {e['list_name']} on {str(day)[:10]} with "
                f"{len(papers)} joint paper(s) in {year - window + 1}-{year}",
                "url": e.get("source_url") or "", "citation": e.get("citation") or "",
                "demo": False,
            })
    return added, records


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
        Rule("yoy", "critical", op=">=", threshold=1.0, min_base=2),
        Rule("any_new", "critical", series=ADDED),
    ),
)
def entity_list_collab(frames, params, as_of):
    """Joint CN-RU papers (OpenAlex and CNKI) per year whose Chinese side includes an
    organisation on the Entity List or the Military End-User list: `value` counts those
    listed now, `listed_at_the_time` those listed by the end of the publication year.
    Evidence names the organisation, the list, the listing date and the match rule.
    `added_while_collaborating`: organisations added to a list in a year when they had
    joint papers in it or the `collab_window_years` (3) - 1 years before."""
    lists = set(params.get("lists", ENTITY_LISTS))
    params = {"added_while_collaborating": True, **params}
    return _collab(frames, params, as_of, "research.entity_list_collab", "CN", lists,
                   f"joint CN+RU works with a CN affiliation matched to lists {sorted(lists)}")


@indicator(
    id="research.defence_ru_collab",
    title="Joint papers with a Russian Ministry of Defence or ERA technopolis affiliation",
    needs=("works", "affiliations", "watchlist_entries"),
    baseline=Baseline(summary="The brief found no such joint papers.", figures={"papers": 0}),
    rules=(Rule("any_new", "warning", series="works"),),
)
def defence_ru_collab(frames, params, as_of):
    """Joint CN-RU papers per year whose Russian side is affiliated with the Russian
    Ministry of Defence (its research institutes) or the ERA military technopolis."""
    lists = set(params.get("lists", ("ru_defence",)))
    return _collab(frames, params, as_of, "research.defence_ru_collab", "RU", lists,
                   f"joint CN+RU works with a RU affiliation matched to lists {sorted(lists)}")
