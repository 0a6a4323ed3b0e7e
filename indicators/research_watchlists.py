"""Joint CN-RU AI papers that involve watch-listed organisations (English and CNKI papers).

Membership is read from the resolved, dated intervals (`listings`): "listed at the time"
means a listing dated on or before the end of the publication year and not removed by
then; a listing without a date is counted in its own `date_unknown` series, never as
"not listed"; "listed now" is a second series, so a later listing never rewrites history.
"""

from __future__ import annotations

import pandas as pd

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import (
    among,
    evidence,
    joint_ai,
    partial_years,
    records,
    span,
    year_of,
    yearly,
)

ENTITY_LISTS = ("entity_list", "meu_list")
ADDED = "added_while_collaborating"  # set: organisations listed while co-authoring


def listed_hits(frames, side: str, lists: set[str]) -> pd.DataFrame:
    """One row per (joint AI work, organisation on `side`, listing): year, listed_on,
    removed_on, and the flags at_time / now / date_unknown."""
    works = joint_ai(frames["works"], columns=("id", "year"))
    aff, lst = frames["affiliations"], frames["listings"]
    if works.empty or aff.empty or lst.empty:
        return pd.DataFrame(columns=["work_id", "org_id", "year", "at_time", "now",
                                     "date_unknown", "listed_on", "list_name", "name"])
    lst = lst[lst["list_name"].isin(lists)].astype({"org_id": str})
    keep = ((aff["country"] == side) & aff["org_id"].notna()).to_numpy()
    aff = aff.loc[keep & among(aff["work_id"], works), ["work_id", "org_id"]].drop_duplicates()
    hits = aff.assign(org_id=aff["org_id"].astype(str)).merge(
        lst[["org_id", "list_name", "name", "listed_on", "removed_on", "date_known"]],
        on="org_id")
    hits["year"] = year_of(hits["work_id"], works)
    if isinstance(hits["work_id"].dtype, pd.CategoricalDtype):  # the few works it names
        hits["work_id"] = hits["work_id"].cat.remove_unused_categories()
    end = pd.to_datetime(hits["year"].map({y: pd.Timestamp(int(y), 12, 31)
                                            for y in hits["year"].unique()}))
    listed = _dates(hits["listed_on"])
    removed = _dates(hits["removed_on"])
    hits["at_time"] = (listed <= end) & (removed.isna() | (removed > end))
    hits["now"] = removed.isna()
    hits["date_unknown"] = listed.isna() & hits["now"]
    return hits


def _dates(values: pd.Series) -> pd.Series:
    """Dates as timestamps, converting each distinct value once (None stays NaT)."""
    distinct = {v: pd.Timestamp(v) for v in values.dropna().unique()}
    return pd.to_datetime(values.map(distinct))


def _collab(frames, params, as_of, ind_id: str, side: str, lists: set[str], query: str,
            headline: str = "at_time"):
    hits = listed_hits(frames, side, lists)
    works = joint_ai(frames["works"], columns=("id", "year"))
    per_work = hits.groupby("work_id").agg(year=("year", "first"), at_time=("at_time", "any"),
                                           now=("now", "any"), date_unknown=("date_unknown", "any"))
    years = span([*per_work["year"].unique(), *works["year"].dropna().unique()]) \
        if len(per_work) else range(0)
    flags = {name: yearly(per_work[per_work[name]].groupby("year").size(), years)
             for name in ("at_time", "now", "date_unknown")}
    counted = per_work[per_work[headline]].reset_index().rename(columns={"work_id": "id"})
    ev = evidence(counted, "work")
    shown = {r["id"] for rs in ev.sample.values() for r in rs}
    detail = hits[hits["work_id"].astype(str).isin(shown)]
    matched: dict[str, list[dict]] = {}
    orgs = frames.get("orgs")
    names = dict(zip(orgs["id"].astype(str), orgs["name"], strict=False)) \
        if orgs is not None and len(orgs) else {}
    for o in detail.to_dict("records"):  # only the sampled works' listings: a few dozen
        matched.setdefault(str(o["work_id"]), []).append({  # one name per organisation
            "org_id": str(o["org_id"]), "org": names.get(str(o["org_id"])) or o["name"],
            "list": o["list_name"],
            "listed_on": None if pd.isna(o["listed_on"]) else str(o["listed_on"])[:10],
            "listed_at_the_time": bool(o["at_time"])})
    for recs in ev.sample.values():
        for rec in recs:
            rec["matched"] = matched.get(rec["id"], [])
    sets = {"works": {str(int(y)): sorted(g["id"]) for y, g in counted.groupby("year")}}
    if params.get(ADDED, False):
        added, marks = added_while_collaborating(hits, int(params.get("collab_window_years", 3)))
        sets[ADDED] = added
        ev = ev.also(records(marks))  # listings beside the papers, not counted with them
    series = {"value": flags[headline], "listed_at_the_time": flags["at_time"],
              "listed_now": flags["now"], "date_unknown": flags["date_unknown"]}
    return [Result(ind_id, series, sets=sets, query=query,
                   partial_periods=partial_years(series["value"], as_of, params), **ev.into())]


def added_while_collaborating(hits: pd.DataFrame, window: int):
    """Organisations added to a list in a year when they had joint papers in that year or
    the `window` - 1 years before: {year: [org ids]} and a `listing` record each. Listings
    without a date cannot be placed in time and are left out."""
    dated = hits[hits["listed_on"].notna()]
    added: dict[str, list] = {}
    marks: dict[str, list] = {}
    for (org, day, name, lst), g in dated.groupby(["org_id", "listed_on", "name", "list_name"]):
        year = int(str(day)[:4])
        papers = sorted(g.loc[g["year"].between(year - window + 1, year), "work_id"].unique())
        if not papers or org in added.get(str(year), ()):
            continue
        added.setdefault(str(year), []).append(org)
        marks.setdefault(str(year), []).append({
            "kind": "listing", "id": org, "org": name, "list": lst, "listed_on": str(day)[:10],
            "papers": papers[:20], "label": f"{name} added to {lst} on {str(day)[:10]} with "
            f"{len(papers)} joint paper(s) in {year - window + 1}-{year}"})
    return added, marks


@indicator(
    id="research.entity_list_collab",
    title="Joint papers with a Chinese organisation on the U.S. Entity List",
    needs=("works", "affiliations", "listings", "orgs"),
    group="research", order=7,
    lag='publications', brief_window=None,
    series=(
        Series('value', 'papers', 'joint papers with a Chinese organisation listed at the time'),
        Series('listed_at_the_time', 'papers', 'with an organisation listed at the time'),
        Series('listed_now', 'papers', 'with an organisation listed now'),
        Series('date_unknown', 'papers', 'with an organisation whose listing date is unknown'),
        Series('works', 'papers', 'joint papers with a listed Chinese organisation'),
        Series('added_while_collaborating', 'organisations',
               'organisations listed while collaborating'),
    ),
    baseline=Baseline(
        headline='5 of 43 CNKI papers (English ones not counted)',
        summary="Of the 43 CNKI joint papers, 5 had a Chinese author at an Entity-List "
        "university (Beihang, HIT, HEU, BUPT); two of them, both from 2010, are by the same "
        "Beihang and Moscow Aviation Institute authors.",
        figures={"cnki_papers": 5, "cnki_total": 43, "beihang_mai_2010": 2},
        where={
            "cnki_papers": "brief, Chinese-language research, 'five papers' (lines 918-923)",
            "cnki_total": "brief, Chinese-language research (lines 894-897)",
            "beihang_mai_2010": "brief, Chinese-language research, 'Two of these five papers', "
            "both 2010 (lines 927-931)",
        },
        end=2020,
    ),
    rules=(
        Rule("any_new", "warning", series="works"),
        Rule("yoy", "critical", op=">=", threshold=1.0, min_base=2),
        Rule("any_new", "critical", series=ADDED),
    ),
)
def entity_list_collab(frames, params, as_of):
    """Joint CN-RU AI papers (OpenAlex and CNKI) per year whose Chinese side includes an
    organisation on the Entity List or the Military End-User list. The value counts those
    listed at the time (by the end of the publication year); `listed_now` those listed
    today; `date_unknown` those whose listing date is not known. Evidence names the
    organisation, the list and the listing date. `added_while_collaborating`: organisations
    added to a list in a year when they had joint papers in it or the
    `collab_window_years` (3) - 1 years before."""
    lists = set(params.get("lists", ENTITY_LISTS))
    params = {ADDED: True, **params}
    return _collab(frames, params, as_of, "research.entity_list_collab", "CN", lists,
                   f"joint AI works with a CN affiliation resolved to an organisation on "
                   f"{sorted(lists)}, listed by the end of the publication year")


@indicator(
    id="research.defence_ru_collab",
    title="Joint papers with a Russian Ministry of Defense or ERA technopolis affiliation",
    needs=("works", "affiliations", "listings", "orgs"),
    group="research", order=8,
    lag='publications', brief_window=None,
    series=(
        Series('value', 'papers', 'joint papers with a Russian defense affiliation'),
        Series('listed_at_the_time', 'papers', 'with a defense organisation listed at the time'),
        Series('listed_now', 'papers', 'with a defense organisation listed now'),
        Series('date_unknown', 'papers', 'with an organisation whose listing date is unknown'),
        Series('works', 'papers', 'joint papers with a Russian defense affiliation'),
    ),
    baseline=Baseline(
        headline='not measured',
        summary="Not measured in the brief: it lists collaboration with Russian Ministry of "
        "Defense institutions or ERA technopolis residents as a sign to watch.",
        figures={},
    ),
    rules=(Rule("any_new", "warning", series="works"),),
)
def defence_ru_collab(frames, params, as_of):
    """Joint CN-RU AI papers per year whose Russian side is affiliated with the Russian
    Ministry of Defense (its research institutes) or the ERA military technopolis (the
    `ru_defence` list, which describes affiliations rather than dated sanctions: the
    value counts organisations on it now)."""
    lists = set(params.get("lists", ("ru_defence",)))
    return _collab(frames, params, as_of, "research.defence_ru_collab", "RU", lists,
                   f"joint AI works with a RU affiliation resolved to {sorted(lists)}",
                   headline="now")
