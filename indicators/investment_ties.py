"""China-Russia investment ties beyond flows: new joint vehicles, deals in areas of
concern, RCIF's portfolio, corporate partnerships and data agreements."""

from __future__ import annotations

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import partial_years, rows, through_complete
from trendline.indicators.investment_common import (
    by_year,
    cn_ru_deals,
    deal_evidence,
    event_evidence,
    listed_orgs,
    parties_of,
    point_evidence,
    points,
    summed,
)

VEHICLE_EVENTS = ("joint_fund", "joint_venture")
RCIF_LIST = ("joint_vehicles",)  # data/lists/joint_vehicles.yaml: RCIF


def _ids(groups: dict[int, list[dict]]) -> dict[str, list[str]]:
    return {str(y): [r["id"] for r in g] for y, g in groups.items() if g}


@indicator(
    id="investment.new_vehicles",
    title="New joint China-Russia AI funds and ventures",
    needs=("events", "deals"),
    group="formal", order=16,
    lag='deals', brief_window=None,
    series=(
        Series('value', 'vehicles', 'new joint funds and ventures'),
        Series('vehicles', 'vehicles', 'new joint funds and ventures'),
        Series('max_amount', 'usd', 'largest known size'),
    ),
    baseline=Baseline(
        headline='RCIF (2012), $2.5B by 2021',
        summary="The brief looks at two joint vehicles: the Russia-China Investment Fund, "
        "created in 2012 by the two countries' sovereign wealth funds and managing $2.5B by "
        "2021, and AliExpress Russia, the Alibaba-Mail.ru joint venture launched in 2019.",
        figures={"rcif_founded": 2012, "rcif_aum_usd_2021": 2.5e9},
        where={
            "rcif_founded": "brief, unknown-value deals: RCIF (lines 1344-1346)",
            "rcif_aum_usd_2021": "brief, unknown-value deals: RCIF 'today' (2021), after "
            "$500 million from Saudi Arabia in 2017 (lines 1348-1349)",
        },
        end=2021,
    ),
    rules=(
        Rule("any_new", "warning", series="vehicles"),
        Rule("absolute", "critical", series="max_amount", op=">=", threshold=1e9),
    ),
)
def new_vehicles(frames, params, as_of):
    """Joint funds and ventures per year: events of type joint_fund / joint_venture and
    China-Russia deals whose type is a joint venture. `max_amount` is the largest known
    size that year (None when none is known)."""
    events = [e for e in rows(frames, "events") if e.get("type") in VEHICLE_EVENTS]
    deals = [d for d in cn_ru_deals(rows(frames, "deals"))
             if "joint venture" in str(d.get("deal_type") or "").casefold()]
    groups = by_year(events + deals)
    counts = through_complete({str(y): float(len(g)) for y, g in groups.items()}, as_of, params)
    largest = {}
    for y, g in groups.items():
        sizes = [r["amount_usd"] for r in g if r.get("amount_usd") is not None]
        largest[str(y)] = float(max(sizes)) if sizes else None
    ev = event_evidence(events) + deal_evidence(deals)
    return [Result(
        "investment.new_vehicles", {"value": counts, "max_amount": largest},
        sets={"vehicles": _ids(groups)},
        query="events of type joint_fund or joint_venture, and China-Russia joint-venture deals",
        partial_periods=partial_years(counts, as_of, params), **ev.into(),
    )]


@indicator(
    id="investment.concern_areas",
    title="China-Russia AI deals in areas of concern",
    needs=("deals",),
    group="investment", order=18,
    lag='deals', brief_window=None,
    series=(
        Series('value', 'deals', 'deals in areas of concern'),
        Series('deals', 'deals', 'new deals in areas of concern'),
    ),
    baseline=Baseline(
        headline='not counted',
        summary="China-to-Russia deals were in internet services, telecommunications, "
        "robotics and facial recognition; Russia-to-China deals in e-commerce, autonomous "
        "driving and medical robotics.",
        figures={},
        end=2020,
    ),
    rules=(Rule("any_new", "warning", series="deals"),),
)
def concern_areas(frames, params, as_of):
    """China-Russia deals tagged with an area of concern (autonomous vehicles, smart
    cities, facial recognition, telecommunications, language models / NLP, military AI;
    the taxonomy is data/mappings/concern_areas.toml), per year, and per area."""
    deals = [d for d in cn_ru_deals(rows(frames, "deals")) if d.get("concern_areas")]
    groups = by_year(deals)
    series = {"value": through_complete({str(y): float(len(g)) for y, g in groups.items()},
                                        as_of, params)}
    for area in sorted({a for d in deals for a in d["concern_areas"]}):
        series[area] = {str(y): float(sum(area in d["concern_areas"] for d in g))
                        for y, g in groups.items()}
    return [Result(
        "investment.concern_areas", series, sets={"deals": _ids(groups)},
        query="China-Russia deals with a non-empty concern_areas tag",
        partial_periods=partial_years(series["value"], as_of, params),
        **deal_evidence(deals).into(),
    )]


@indicator(
    id="investment.rcif_portfolio",
    title="Russia-China Investment Fund: assets under management and AI deals",
    needs=("series_points", "deals", "parties", "listings"),
    group="investment", order=19,
    lag='deals', brief_window=None,
    series=(
        Series('value', 'usd', 'RCIF assets under management'),
        Series('ai_deals', 'deals', 'RCIF deals'),
        Series('concern_deals', 'deals', 'RCIF deals in areas of concern'),
    ),
    baseline=Baseline(
        headline='$2.5B assets (2021), 6 AI deals',
        summary="By 2021 RCIF managed $2.5B (Saudi Arabia added $500M in 2017). Its public "
        "portfolio shows 21 deals since 2013, at least six of them substantially AI-related: "
        "DiDi (2014), Megvii, Rostec City and Nio (2017), NetEase Cloud Music (2018) and, in "
        "2021, a $300M investment in DiDi's autonomous-driving unit, RCIF's largest so far. "
        "Only the Megvii and 2021 DiDi amounts are public.",
        figures={"aum_usd_2021": 2.5e9, "portfolio_deals_2013_2019": 21, "ai_deals": 6},
        where={
            "aum_usd_2021": "brief, unknown-value deals: RCIF 'today' (2021) (lines 1348-1349)",
            "portfolio_deals_2013_2019": "brief, Figure 8, 2013-2019 (lines 1352-1360)",
            "ai_deals": "brief, 'At least six' (lines 1359-1364); the deals: DiDi (lines "
            "1366-1378), Rostec City (lines 1380-1386), Nio (lines 1391-1396), NetEase Cloud "
            "Music (lines 1398-1404)",
        },
        end=2021,
    ),
    rules=(
        Rule("yoy", "warning", op=">=", threshold=0.2),
        Rule("any_new", "warning", series="concern_deals"),
    ),
)
def rcif_portfolio(frames, params, as_of):
    """RCIF's assets under management (series rcif.aum) and its deals per year: deals with
    RCIF among the parties or from its portfolio source; those in an area of concern form
    the `concern_deals` set."""
    rcif = listed_orgs(frames, params.get("rcif_lists") or RCIF_LIST)
    with_rcif = {rid for rid, ps in parties_of(frames, "deal").items()
                 if any(p.get("org_id") in rcif for p in ps)}
    deals = [d for d in rows(frames, "deals") if d["id"] in with_rcif or d.get("source") == "rcif"]
    aum_points = points(rows(frames, "series_points"), "rcif.aum")
    aum = summed(aum_points)
    groups = by_year(deals)
    concern = by_year(d for d in deals if d.get("concern_areas"))
    ev = deal_evidence(deals) + point_evidence(aum_points)
    return [Result(
        "investment.rcif_portfolio",
        {"value": aum, "ai_deals": {str(y): float(len(g)) for y, g in groups.items()}},
        sets={"concern_deals": _ids(concern)},
        query="series rcif.aum; deals with a party resolved to RCIF, or from its portfolio",
        partial_periods=partial_years(aum, as_of, params), **ev.into(),
    )]


@indicator(
    id="investment.partnerships",
    title="China-Russia corporate AI partnerships",
    needs=("events", "parties"),
    group="formal", order=22,
    lag='deals', brief_window=None,
    series=(
        Series('value', 'partnerships', 'partnerships with an event'),
        Series('known_partnership_events', 'events', 'events on a known partnership'),
        Series('new_in_concern_area', 'partnerships', 'new partnerships in an area of concern'),
    ),
    baseline=Baseline(
        headline='5 partnerships (2019-2020)',
        summary="Five corporate AI partnership cases are described: Promobot-FN Holdings "
        "(Promobot also signed with Beijing Huanuo Exiang), UBTech-LANIT, Dahua-NtechLab and "
        "Vinci-Jovi, all 2019, and Fitsco-Cognitive Pilot (2020).",
        figures={"partnerships": 5},
        where={
            "partnerships": "computed: our count of the partnership cases the brief describes "
            "under other forms of cooperation (lines 1419-1469): Promobot (FN Holdings, and "
            "REX, counted as one case), UBTech-LANIT, Fitsco-Cognitive Pilot, Dahua-NtechLab, "
            "Vinci-Jovi",
        },
        end=2020,
    ),
    rules=(
        Rule("any_new", "info", series="known_partnership_events"),
        Rule("any_new", "warning", series="new_in_concern_area"),
    ),
)
def partnerships(frames, params, as_of):
    """Partnerships with an event per year: a partnership is its set of resolved parties,
    so two events of one partnership in a year count once. An event whose set of parties
    was seen in an earlier event is news on a known partnership; a first event whose tags
    fall in an area of concern is a new partnership in that area."""
    parties = parties_of(frames, "event")
    events = sorted((e for e in rows(frames, "events") if e.get("type") == "corporate_partnership"),
                    key=lambda e: (str(e.get("date") or e.get("year")), e["id"]))
    seen: set[frozenset] = set()
    known: dict[int, list[dict]] = {}
    concern: dict[int, list[dict]] = {}
    for e in events:
        key, year = frozenset(p["party_key"] for p in parties.get(e["id"], [])), int(e["year"])
        if key in seen:
            known.setdefault(year, []).append(e)
        elif e.get("concern_areas"):
            concern.setdefault(year, []).append(e)
        seen.add(key)
    keys = {e["id"]: frozenset(p["party_key"] for p in parties.get(e["id"], [])) or e["id"]
            for e in events}
    counts = through_complete({str(y): float(len({keys[e["id"]] for e in g}))
                               for y, g in by_year(events).items()}, as_of, params)
    return [Result(
        "investment.partnerships", {"value": counts},
        sets={"known_partnership_events": _ids(known), "new_in_concern_area": _ids(concern)},
        query="events of type corporate_partnership; a partnership is its set of resolved parties",
        partial_periods=partial_years(counts, as_of, params), **event_evidence(events).into(),
    )]


@indicator(
    id="investment.data_agreements",
    title="China-Russia data-sharing agreements and data-localisation exceptions",
    needs=("events",),
    group="formal", order=23,
    lag='deals', brief_window=None,
    series=(
        Series('value', 'agreements', 'data agreements'),
        Series('agreements', 'agreements', 'new data agreements'),
    ),
    baseline=Baseline(
        headline='not counted',
        summary="Not counted in the brief: it lists data-sharing agreements, exceptions to "
        "data-localisation laws and preferential treatment of each other's AI firms and "
        "talent as signs to watch.",
        figures={},
        end=2020,
    ),
    rules=(Rule("any_new", "warning", series="agreements"),),
)
def data_agreements(frames, params, as_of):
    """Events of type data_agreement per year; every one is news."""
    events = [e for e in rows(frames, "events") if e.get("type") == "data_agreement"]
    groups = by_year(events)
    counts = through_complete({str(y): float(len(g)) for y, g in groups.items()}, as_of, params)
    return [Result(
        "investment.data_agreements", {"value": counts}, sets={"agreements": _ids(groups)},
        query="events of type data_agreement", partial_periods=partial_years(counts, as_of, params),
        **event_evidence(events).into(),
    )]
