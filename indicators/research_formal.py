"""Formal China-Russia research ties: agreements, joint centres, degree programmes,
summer schools and funded joint projects."""

from __future__ import annotations

from indicators.base import Baseline, Result, Rule, indicator
from indicators.common import partial_years
from indicators.investment_common import by_year, event_evidence, rows

FORMAL_TYPES = ("research_agreement", "joint_centre", "joint_degree", "summer_school",
                "research_project")


def _norm(name: str) -> str:
    return " ".join(str(name).casefold().replace(",", " ").split())


def watchlisted_names(entries: list[dict]) -> set[str]:
    """Normalised names and aliases of every watch-list entry."""
    names = set()
    for e in entries:
        names.add(_norm(e.get("name") or ""))
        names.update(_norm(a) for a in e.get("aliases") or [] if a)
    names.discard("")
    return names


def _listed(event: dict, listed: set[str]) -> bool:
    return any(_norm(p) in listed for p in event.get("parties") or [])


@indicator(
    id="research.formalization",
    title="Formal China-Russia research ties (agreements, joint centres, programmes)",
    needs=("events", "watchlist_entries"),
    unit="events",
    baseline=Baseline(
        summary="CAS and RAS signed cooperation agreements in 2018 and 2019; Hangzhou Dianzi "
        "University and ITMO opened a Joint Institute in 2018 and won two NSFC-funded joint "
        "projects (#232, #234) in 2020; Beihang and the Moscow Aviation Institute launched a "
        "joint MA in 2020. Huawei set up joint AI labs with Skoltech (2018) and MIPT (2020).",
        figures={"events_2018_2020": 8},
        end=2020,
    ),
    rules=(
        Rule("any_new", "info", series="events"),
        Rule("any_new", "warning", series="watchlisted"),
    ),
)
def formalization(frames, params, as_of):
    """Formal research-tie events per year. An event with a party whose name or alias is
    on a watch-list (exact match after case and spacing are normalised) is also in the
    `watchlisted` set."""
    types = tuple(params.get("types") or FORMAL_TYPES)
    events = [e for e in rows(frames, "events") if e.get("type") in types]
    listed = watchlisted_names(rows(frames, "watchlist_entries"))
    groups = by_year(events)
    flagged = {str(y): [e["id"] for e in g if _listed(e, listed)] for y, g in groups.items()}
    counts = {str(y): float(len(g)) for y, g in groups.items()}
    return [Result(
        "research.formalization", {"value": counts},
        evidence=event_evidence(events),
        sets={"events": {str(y): [e["id"] for e in g] for y, g in groups.items()},
              "watchlisted": {p: ids for p, ids in flagged.items() if ids}},
        query=f"events of type {', '.join(types)}; parties matched to watchlist_entries names",
        partial_periods=partial_years(counts, as_of),
    )]
