"""China-Russia deals and events whose parties match a watch-list: the AI dragons and the
state-owned defence companies. Parties are resolved with the organisation matcher built from
the `organisations` and `watchlist_entries` frames."""

from __future__ import annotations

from typing import Any

from indicators.base import Baseline, Result, Rule, indicator, year_series
from indicators.common import deal_record, event_record, partial_years
from indicators.investment_common import CN_RU, rows, year_of
from indicators.watchlist_common import CN_RU as COUNTRIES
from indicators.watchlist_common import PartyRegistry, first_listed, party_registry

NEEDS = ("deals", "deal_parties", "events", "organisations", "watchlist_entries")
SET = "collaborations"


def _items(frames) -> list[dict[str, Any]]:
    """Deals and events in one shape: kind, row, year, parties [{name, role, country, org_id}]."""
    parties: dict[str, list[dict]] = {}
    for p in rows(frames, "deal_parties"):
        parties.setdefault(p["deal_id"], []).append(p)
    out = []
    for d in rows(frames, "deals"):
        ps = parties.get(d["id"]) or [{"name": d.get("target"), "role": "target",
                                        "country": d.get("target_country"), "org_id": None}]
        out.append({"kind": "deal", "row": d, "year": year_of(d), "parties": ps})
    for e in rows(frames, "events"):
        ps = [p if isinstance(p, dict) else {"name": p} for p in e.get("parties") or []]
        ps = [{"role": "partner", "country": None, "org_id": None, **p} for p in ps]
        out.append({"kind": "event", "row": e, "year": year_of(e), "parties": ps})
    return out


def _hits(item, matches, reg: PartyRegistry, lists: set[str]) -> list[dict]:
    """The item's parties that resolve to an organisation on one of `lists`."""
    hits = []
    for p, m in zip(item["parties"], matches, strict=True):
        on = sorted(set(m.lists) & lists)
        if m.org_id and on:
            hits.append({
                "party": p.get("name"), "role": p.get("role") or "", "org": m.org_name,
                "org_id": m.org_id, "lists": on, "rule": m.rule, "score": m.score,
                "listed_on": first_listed(reg.listings, m.org_id, on),
                "country": reg.countries.get(m.org_id) or p.get("country") or "",
            })
    return hits


def _other_side(item, matches, hits: list[dict], reg: PartyRegistry) -> list[str]:
    """Why the item ties the listed parties to the other country (CN <-> RU): its parties
    from there, listed parties on both sides, a CN-RU deal direction, or the event's
    countries. Empty: not a China-Russia collaboration."""
    home = {h["country"] for h in hits} & set(COUNTRIES)
    if home == set(COUNTRIES):
        return ["listed parties on both sides"]
    want = set(COUNTRIES) - home
    listed = {h["party"] for h in hits}
    why = []
    if len(want) == 1:
        for p, m in zip(item["parties"], matches, strict=True):
            country = p.get("country") or reg.countries.get(m.org_id or "")
            if p.get("name") not in listed and country in want:
                why.append(f"party {p['name']} ({country})")
    row = item["row"]
    if item["kind"] == "deal" and row.get("direction") in CN_RU:
        why.append(f"deal direction {row['direction']}")
    if item["kind"] == "event" and set(COUNTRIES) <= set(row.get("countries") or ()):
        why.append("event countries include CN and RU")
    return why


def watchlisted(frames, params, as_of, ind_id: str, lists: set[str], query: str) -> list[Result]:
    """Count per year the deals and events with a party on `lists` and a party from the
    other country; evidence names the matched organisation, list, listing date and rule."""
    reg = party_registry(frames)
    types = set(params.get("event_types") or ())
    counts: dict[str, dict[int, int]] = {"value": {}, "deals": {}, "events": {}, "both_sides": {}}
    evidence: dict[str, list] = {}
    members: dict[str, list] = {}
    notes = [] if reg.listings.by_org else ["no watch-list entries in the frames: nothing matches"]
    for item in sorted(_items(frames), key=lambda i: (i["year"] or 0, i["row"]["id"])):
        row, year = item["row"], item["year"]
        if item["kind"] == "event" and types and row.get("type") not in types:
            continue
        matches = [reg.match(p.get("name"), p.get("org_id")) for p in item["parties"]]
        hits = _hits(item, matches, reg, lists)
        why = _other_side(item, matches, hits, reg) if hits else []
        if not why:
            continue
        if year is None:
            notes.append(f"{item['kind']} {row['id']} matched but has no year: not counted")
            continue
        both = {h["country"] for h in hits} >= set(COUNTRIES)
        if params.get("both_sides") and not both:
            continue
        make = deal_record if item["kind"] == "deal" else event_record
        evidence.setdefault(str(year), []).append(make(
            row, matched=hits, other_side=why, both_sides=both,
            parties=[p.get("name") for p in item["parties"]], note=row.get("note") or "",
        ))
        members.setdefault(str(year), []).append(row["id"])
        for name, hit in (("value", True), (f"{item['kind']}s", True), ("both_sides", both)):
            counts[name][year] = counts[name].get(year, 0) + int(hit)
    years = counts["value"]
    series = {k: year_series({y: v.get(y, 0) for y in years}) for k, v in counts.items()}
    return [Result(ind_id, series, evidence=evidence, sets={SET: members}, query=query,
                   partial_periods=partial_years(series["value"], as_of), notes=notes)]


@indicator(
    id="investment.ai_dragons",
    title="Deals and partnerships between Russian parties and China's AI dragons",
    needs=NEEDS,
    unit="deals and events",
    baseline=Baseline(
        summary="One known: the Russia-China Investment Fund was one of six investors in "
        "Megvii's 2017 Series C round of $460M; assuming equal shares, RCIF put in about "
        "$76.7M, half of it Russian money (about $38.3M). The brief asks watchers to follow "
        "partnerships between Russian firms and SenseTime, Yitu, CloudWalk and Megvii.",
        figures={"deals": 1, "megvii_series_c_usd": 460e6, "rcif_share_usd_est": 76.7e6,
                 "russian_share_usd_est": 38.3e6},
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
                       f"deals and events with a party on {sorted(lists)} and a Russian side")


@indicator(
    id="investment.defence_soe",
    title="AI collaboration involving Chinese or Russian state-owned defence companies",
    needs=NEEDS,
    unit="deals and events",
    baseline=Baseline(
        summary="None known beyond Rostec City: in 2017 the Russia-China Investment Fund "
        "invested in the Moscow technopark led by the Russian defence SOE Rostec, meant to "
        "show smart-city technology such as face recognition. The brief names CETC and "
        "Rostec as the kind of pair to watch.",
        figures={"collaborations": 1},
        end=2020,
    ),
    rules=(Rule("any_new", "critical", series=SET),),
)
def defence_soe(frames, params, as_of):
    """Deals and events per year with a party matched to a Chinese or Russian state-owned
    defence company (CETC, CASC, AVIC, NORINCO, Rostec, ...) and a party from the other
    country (or a CN-RU deal direction, or an event with both). `both_sides` counts those
    with listed companies on both sides; param `both_sides: true` counts only those."""
    lists = set(params.get("lists") or ("defence_soe",))
    return watchlisted(frames, params, as_of, "investment.defence_soe", lists,
                       f"deals and events with a party on {sorted(lists)} and a CN-RU counterpart")
