"""China-Russia deals and events whose parties resolve to a watch-listed organisation: the
AI dragons and the state-owned defense companies. Parties come resolved (tasks/resolve);
nothing here matches names."""

from __future__ import annotations

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator, year_series
from trendline.indicators.common import partial_years, records, rows, through_complete
from trendline.indicators.investment_common import (
    CN_RU,
    deal_record,
    event_record,
    listed_orgs,
    parties_of,
    year_of,
)

NEEDS = ("deals", "events", "parties", "listings")
SET = "collaborations"
COUNTRIES = {"CN", "RU"}


def _other_side(kind: str, row: dict, parties: list[dict], hits: list[dict]) -> list[str]:
    """Why the item ties the listed parties to the other country (CN <-> RU): its parties
    from there, listed parties on both sides, a CN-RU deal direction, or the event's
    countries. Empty: not a China-Russia collaboration."""
    home = {h["country"] for h in hits} & COUNTRIES
    if home == COUNTRIES:
        return ["listed parties on both sides"]
    want = COUNTRIES - home
    listed = {h["name"] for h in hits}
    why = [f"party {p['name']} ({p['country']})" for p in parties
           if len(want) == 1 and p["name"] not in listed and p.get("country") in want]
    if kind == "deal" and row.get("direction") in CN_RU:
        why.append(f"deal direction {row['direction']}")
    if kind == "event" and COUNTRIES <= set(row.get("countries") or ()):
        why.append("event countries include CN and RU")
    return why


def watchlisted(frames, params, as_of, ind_id: str, lists: set[str], query: str) -> list[Result]:
    """Count per year the deals and events with a party on `lists` and a party (or
    direction) from the other country; evidence names the matched organisation and list."""
    listed = listed_orgs(frames, lists)
    names = {}
    if len(frames.get("listings", [])):
        lst = frames["listings"]
        names = dict(zip(lst["org_id"].astype(str), lst["name"], strict=False))
    types = set(params.get("event_types") or ())
    counts: dict[str, dict[int, int]] = {"value": {}, "deals": {}, "events": {}, "both_sides": {}}
    marks: dict[str, list] = {}
    notes = [] if listed else ["no watch-list entries resolved: nothing matches"]
    items = [("deal", d) for d in rows(frames, "deals")] + \
            [("event", e) for e in rows(frames, "events")]
    parties = {"deal": parties_of(frames, "deal"), "event": parties_of(frames, "event")}
    for kind, row in sorted(items, key=lambda i: (year_of(i[1]) or 0, i[1]["id"])):
        if kind == "event" and types and row.get("type") not in types:
            continue
        ps = parties[kind].get(row["id"], [])
        hits = [p for p in ps if p.get("org_id") in listed]
        why = _other_side(kind, row, ps, hits) if hits else []
        year = year_of(row)
        if not why or year is None:
            continue
        both = {h.get("country") for h in hits} >= COUNTRIES
        if params.get("both_sides") and not both:
            continue
        make = deal_record if kind == "deal" else event_record
        matched = [{"party": h["name"], "org_id": h["org_id"], "org": names.get(h["org_id"]),
                    "country": h.get("country")} for h in hits]
        marks.setdefault(str(year), []).append(
            make(row, matched=matched, other_side=why, both_sides=both))
        for name, hit in (("value", True), (f"{kind}s", True), ("both_sides", both)):
            counts[name][year] = counts[name].get(year, 0) + int(hit)
    years = counts["value"]
    series = {k: through_complete(year_series({y: v.get(y, 0) for y in years}), as_of, params)
              for k, v in counts.items()}
    members = {p: [r["id"] for r in rs] for p, rs in marks.items()}
    return [Result(ind_id, series, sets={SET: members}, query=query, notes=notes,
                   partial_periods=partial_years(series["value"], as_of, params),
                   **records(marks).into())]


@indicator(
    id="investment.ai_dragons",
    title="Deals and partnerships between Russian parties and China's AI dragons",
    needs=NEEDS,
    group="investment", order=20,
    lag='deals', brief_window=None,
    series=(
        Series('value', 'deals_events', 'deals and events with an AI dragon'),
        Series('deals', 'deals', 'deals'),
        Series('events', 'events', 'events'),
        Series('both_sides', 'deals_events', 'with listed companies on both sides'),
        Series('collaborations', 'deals_events', 'new deals and events with an AI dragon'),
    ),
    baseline=Baseline(
        headline='1 deal (Megvii, 2017)',
        summary="One known: the Russia-China Investment Fund was one of six investors in "
        "Megvii's 2017 Series C round of $460M; assuming equal shares, RCIF put in about "
        "$76.7M, half of it Russian money (about $38.3M). The brief asks watchers to follow "
        "partnerships between Russian firms and SenseTime, Yitu, CloudWalk and Megvii.",
        figures={"deals": 1, "megvii_series_c_usd": 460e6, "rcif_share_usd_est": 76.7e6,
                 "russian_share_usd_est": 38.3e6},
        where={
            "deals": "computed: our count of the deals the brief names between a Russian "
            "party and an AI dragon: RCIF in Megvii's 2017 Series C (lines 1252-1255); the "
            "four AI dragons (lines 1249-1251, 1639-1643)",
            "megvii_series_c_usd": "brief, RCIF and Megvii (lines 1252-1255, 1266-1268)",
            "rcif_share_usd_est": "brief, RCIF and Megvii: the brief's own estimate, equal "
            "shares of six investors (lines 1273-1277)",
            "russian_share_usd_est": "brief, RCIF and Megvii: the brief's own estimate, half "
            "of RCIF's part (lines 1268-1277)",
        },
        end=2020,
    ),
    rules=(Rule("any_new", "warning", series=SET),),
)
def ai_dragons(frames, params, as_of):
    """Deals and events per year with a party matched to an AI dragon (SenseTime, Megvii,
    Yitu, CloudWalk) and a Russian side: a Russian party, a CN-RU deal direction or an
    event with Russian participants. One member of `collaborations` per deal or event."""
    lists = set(params.get("lists") or ("ai_dragons",))
    return watchlisted(frames, params, as_of, "investment.ai_dragons", lists,
                       f"deals and events with a party resolved to {sorted(lists)} and a "
                       "Russian side")


@indicator(
    id="investment.defence_soe",
    title="AI collaboration involving Chinese or Russian state-owned defense companies",
    needs=NEEDS,
    group="investment", order=21,
    lag='deals', brief_window=None,
    series=(
        Series('value', 'deals_events', 'deals and events with a defense SOE'),
        Series('deals', 'deals', 'deals'),
        Series('events', 'events', 'events'),
        Series('both_sides', 'deals_events', 'with defense SOEs on both sides'),
        Series('collaborations', 'deals_events', 'new deals and events with a defense SOE'),
    ),
    baseline=Baseline(
        headline='none counted (closest: Rostec City, 2017)',
        summary="No China-Russia defense-SOE collaboration is counted in the brief. Closest "
        "case: RCIF's 2017 investment in Rostec City, the Moscow technopark led by the "
        "Russian defense SOE Rostec to show smart-city technology. The brief names CETC and "
        "Rostec as the kind of pair to watch.",
        figures={},
        end=2020,
    ),
    rules=(Rule("any_new", "critical", series=SET),),
)
def defence_soe(frames, params, as_of):
    """Deals and events per year with a party matched to a Chinese or Russian state-owned
    defense company (CETC, CASC, AVIC, NORINCO, Rostec, ...) and a party from the other
    country (or a CN-RU deal direction, or an event with both). `both_sides` counts those
    with listed companies on both sides; param `both_sides: true` counts only those."""
    lists = set(params.get("lists") or ("defence_soe",))
    return watchlisted(frames, params, as_of, "investment.defence_soe", lists,
                       f"deals and events with a party resolved to {sorted(lists)} and a CN-RU "
                       "counterpart")
