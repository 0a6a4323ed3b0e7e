"""Formal China-Russia research ties: agreements, joint centres, degree programmes,
summer schools and funded joint projects."""

from __future__ import annotations

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import partial_years, rows, through_complete
from trendline.indicators.investment_common import by_year, event_evidence, parties_of

FORMAL_TYPES = ("research_agreement", "joint_centre", "joint_degree", "summer_school",
                "research_project")


@indicator(
    id="research.formalization",
    title="Formal China-Russia research ties (agreements, joint centres, programmes)",
    needs=("events", "parties", "listings"),
    group="formal", order=12,
    lag='deals', brief_window=None,
    series=(
        Series('value', 'events', 'formal research ties'),
        Series('events', 'events', 'new formal research ties'),
        Series('watchlisted', 'events', 'formal ties with a watch-listed organisation'),
    ),
    baseline=Baseline(
        headline='9 ties named, 2018-2020 (not counted)',
        summary="The brief names formal ties rather than counting them: CAS-RAS agreements "
        "(2018, 2019), the Hangzhou Dianzi-ITMO Joint Institute (2018) and two NSFC-funded "
        "joint projects (2020), a Beihang-Moscow Aviation Institute joint MA (2020), Huawei "
        "labs with Skoltech (2018) and MIPT (2020) and a Huawei memorandum with three "
        "Siberian RAS institutes (2020).",
        figures={"nsfc_joint_projects_2020": 2},
        where={
            "nsfc_joint_projects_2020": "brief, English-language research: ITMO and Hangzhou "
            "Dianzi, 'two joint projects', #234 and #232 (lines 769-774); the other ties: "
            "CAS-RAS (lines 748-754), Joint Institute (lines 763-765), Huawei labs (lines "
            "834-842), Siberian memorandum (lines 863-871), Beihang-MAI MA (lines 931-933)",
        },
        end=2020,
    ),
    rules=(
        Rule("any_new", "info", series="events"),
        Rule("any_new", "warning", series="watchlisted"),
    ),
)
def formalization(frames, params, as_of):
    """Formal research-tie events per year. An event with a party resolved to an
    organisation on any watch-list is also in the `watchlisted` set."""
    types = tuple(params.get("types") or FORMAL_TYPES)
    events = [e for e in rows(frames, "events") if e.get("type") in types]
    lst = frames.get("listings")
    listed = set(lst["org_id"].astype(str)) if lst is not None and len(lst) else set()
    parties = parties_of(frames, "event")
    groups = by_year(events)
    flagged = {str(y): [e["id"] for e in g
                        if any(p.get("org_id") in listed for p in parties.get(e["id"], []))]
               for y, g in groups.items()}
    counts = through_complete({str(y): float(len(g)) for y, g in groups.items()}, as_of, params)
    return [Result(
        "research.formalization", {"value": counts},
        sets={"events": {str(y): [e["id"] for e in g] for y, g in groups.items()},
              "watchlisted": {p: ids for p, ids in flagged.items() if ids}},
        query=f"events of type {', '.join(types)}; parties resolved to listed organisations",
        partial_periods=partial_years(counts, as_of, params), **event_evidence(events).into(),
    )]
