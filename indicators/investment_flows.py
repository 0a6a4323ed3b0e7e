"""China-Russia AI investment flows: disclosed value, the dyad comparison with US-China and
US-Russia, China-Russia's share of each country's outbound AI investment, and opacity.

A year whose deals include an undisclosed amount has no total: its value is None
(unknown) and `disclosed` holds the lower bound beside the `undisclosed` count, so no rule
fires on it."""

from __future__ import annotations

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import partial_years, rows
from trendline.indicators.investment_common import (
    by_year,
    cn_ru_deals,
    deal_evidence,
    disclosed,
    point_evidence,
    points,
    summed,
    total,
    undisclosed,
)

DIRECTIONS = ("CN->RU", "RU->CN")


def cn_ru_yearly(deals: list[dict], sp: list[dict], prefer_baseline: bool = True):
    """China-Russia value per year: the brief's yearly figure where it has one (it counted
    deals it did not list), else the stored deals' total (None if any is undisclosed);
    with the disclosed lower bound and the undisclosed count."""
    groups = by_year(deals)
    value = {str(y): total(g) for y, g in groups.items()}
    lower = {str(y): disclosed(g) for y, g in groups.items()}
    hidden = {str(y): float(undisclosed(g)) for y, g in groups.items()}
    base = points(sp, "cn_ru.disclosed_value") if prefer_baseline else {}
    for period, v in summed(base).items():
        value[period] = lower[period] = v
        hidden.pop(period, None)
    return dict(sorted(value.items())), lower, hidden, point_evidence(base)


@indicator(
    id="investment.disclosed_flow",
    title="Disclosed China-Russia AI investment per year",
    needs=("deals", "series_points"),
    group="investment", order=13,
    lag='deals', brief_window=(2016, 2020),
    series=(
        Series('value', 'usd', 'disclosed China-Russia AI investment'),
        Series('disclosed', 'usd', 'disclosed part'),
        Series('undisclosed', 'deals', 'deals with undisclosed value'),
        Series('count', 'deals', 'China-Russia AI deals'),
        Series('CN->RU', 'usd', 'China to Russia'),
        Series('RU->CN', 'usd', 'Russia to China'),
    ),
    baseline=Baseline(
        headline='$879M in 2016-2019 (12 deals)',
        summary="12 China-Russia AI deals with known value, 2016-2019, worth $879M ($555M "
        "Russia to China, $324M China to Russia): $182M in 2016, $517M in 2017, $100M in "
        "2018, $80M in 2019, nothing disclosed in 2020, and more than $300M by January 2021.",
        figures={"2016": 182e6, "2017": 517e6, "2018": 100e6, "2019": 80e6, "2020": 0,
                 "2021_lower_bound": 300e6, "total_2016_2019": 879e6,
                 "ru_cn_2016_2019": 555e6, "cn_ru_2016_2019": 324e6, "deals_disclosed": 12},
        where={
            "2016": "brief, key findings: In Perspective (lines 97-99)",
            "2017": "brief, key findings: In Perspective (lines 97-99)",
            "2018": "brief, key findings: In Perspective (lines 98-100)",
            "2019": "brief, key findings: In Perspective (lines 98-100)",
            "2020": "brief, key findings: In Perspective, no disclosed investment in 2020 "
            "(lines 100-101)",
            "2021_lower_bound": "brief, key findings: In Perspective (lines 101-102); Figure 7 "
            "note (lines 1214-1216)",
            "total_2016_2019": "brief, key findings: Scope (lines 44-47); known China-Russia "
            "deals (lines 1204-1206)",
            "ru_cn_2016_2019": "brief, introduction (lines 245-249)",
            "cn_ru_2016_2019": "brief, introduction (lines 245-249)",
            "deals_disclosed": "brief, key findings: Scope (lines 44-47); investment "
            "methodology (lines 1114-1116)",
        },
        end=2020,  # the brief's yearly deal figures run to 2020 (2021: a lower bound)
    ),
    rules=(
        Rule("yoy", "warning", op=">=", threshold=0.5),
        Rule("absolute", "warning", series="count", op=">", threshold=4),
        Rule("absolute", "critical", op=">", threshold=517e6),
    ),
)
def disclosed_flow(frames, params, as_of):
    """Disclosed value of China-Russia AI deals per year, both directions, with deal counts.
    Years the brief covers take its figure (it counted deals that cannot all be listed);
    later years sum the stored deals. Undisclosed deals count but add no value."""
    deals = cn_ru_deals(rows(frames, "deals"))
    sp = rows(frames, "series_points")
    value, lower, hidden, base_ev = cn_ru_yearly(deals, sp, params.get("prefer_baseline", True))
    groups = by_year(deals)
    series = {"value": value, "disclosed": lower, "undisclosed": hidden,
              "count": {str(y): float(len(g)) for y, g in groups.items()}}
    for direction in DIRECTIONS:
        series[direction] = {str(y): total(d for d in g if d["direction"] == direction)
                             for y, g in groups.items()}
    ev = deal_evidence(deals).also(base_ev)  # the brief's yearly figures, beside the deals
    return [Result(
        "investment.disclosed_flow", series,
        query="deals resolved as China-Russia (CN->RU, RU->CN, JOINT); value = the sum of "
              "known amount_usd, unknown when any deal's amount is undisclosed (the brief's "
              "cn_ru.disclosed_value for the years it covers)",
        partial_periods=partial_years(value, as_of, params), **ev.into(),
    )]


def _dyad(deals: list[dict], sp: list[dict], a: str, b: str, prefix: str):
    """Yearly value between countries a and b, both ways: brief points where present,
    else stored deals (unknown when any is undisclosed)."""
    pts = points(sp, f"{prefix}.value_{a.lower()}_to_{b.lower()}",
                 f"{prefix}.value_{b.lower()}_to_{a.lower()}")
    pair = {f"{a}->{b}", f"{b}->{a}"}
    ours = [d for d in deals if d.get("direction") in pair]
    values = {str(y): total(g) for y, g in by_year(ours).items()}
    values.update({k: v for k, v in summed(pts).items() if v is not None})
    return dict(sorted(values.items())), deal_evidence(ours) + point_evidence(pts)


@indicator(
    id="investment.dyad_comparison",
    title="China-Russia AI investment against US-China and US-Russia",
    needs=("deals", "series_points"),
    group="investment", order=14,
    lag='deals', brief_window=(2016, 2020),
    chart=('value', 'US-CN', 'US-RU'),
    series=(
        Series('value', 'usd', 'China-Russia'),
        Series('US-RU', 'usd', 'US-Russia'),
        Series('US-CN', 'usd', 'US-China'),
    ),
    baseline=Baseline(
        headline='US-China over $35B, US-Russia $670M (2010-2020)',
        summary="US-China AI deals 2010-2020 exceeded $35B (270 US-to-China, 323 "
        "China-to-US); US-to-China fell from a $13B peak (2017) to $1.3B (2020), China-to-US "
        "grew from $181M (2014) to $2B (2020). US-Russia came to $670M (9 US-to-Russia and "
        "48 Russia-to-US deals), $666M of it Russian money; Russia-to-US peaked at $393M "
        "(2018) and was $164M in 2020; US-to-Russia never passed $3M (2018). China-Russia: "
        "$879M in 2016-2019.",
        figures={"us_cn_2010_2020": 35e9, "us_ru_2010_2020": 670e6, "cn_ru_2016_2019": 879e6,
                 "us_to_cn_2017": 13e9, "us_to_cn_2020": 1.3e9, "cn_to_us_2014": 181e6,
                 "cn_to_us_2020": 2e9, "ru_to_us_2018": 393e6, "ru_to_us_2020": 164e6,
                 "ru_to_us_2010_2020": 666e6, "us_to_ru_peak_2018": 3e6},
        where={
            "us_cn_2010_2020": "brief, introduction (lines 267-271); investment dyads, 'more "
            "than $35 billion' (lines 1147-1150)",
            "us_ru_2010_2020": "brief, introduction (lines 273-274); investment dyads (lines "
            "1174-1178)",
            "cn_ru_2016_2019": "brief, introduction (lines 270-275); known China-Russia deals "
            "(lines 1204-1206)",
            "us_to_cn_2017": "brief, key findings: In Perspective (lines 94-96); introduction "
            "(lines 326-328); investment dyads (lines 1150-1152)",
            "us_to_cn_2020": "brief, key findings: In Perspective (lines 94-96); introduction "
            "(lines 326-328); investment dyads (lines 1150-1152)",
            "cn_to_us_2014": "brief, introduction (lines 324-326); investment dyads (lines "
            "1152-1154)",
            "cn_to_us_2020": "brief, introduction (lines 324-326); investment dyads (lines "
            "1152-1154)",
            "ru_to_us_2018": "brief, introduction (lines 330-332); investment dyads (lines "
            "1179-1181)",
            "ru_to_us_2020": "brief, introduction (lines 330-332); investment dyads (lines "
            "1179-1181)",
            "ru_to_us_2010_2020": "brief, investment dyads (lines 1185-1189)",
            "us_to_ru_peak_2018": "brief, introduction (lines 332-334); investment dyads (lines "
            "1181-1183)",
        },
        end=2020,
    ),
    rules=(
        Rule("crossover", "warning", series="value", op=">", other="US-RU"),
        Rule("crossover", "critical", series="value", op=">", other="US-CN"),
    ),
)
def dyad_comparison(frames, params, as_of):
    """China-Russia yearly value (as in investment.disclosed_flow) beside US-Russia and
    US-China yearly values, both directions summed."""
    deals = rows(frames, "deals")
    sp = rows(frames, "series_points")
    cn_ru, _, _, cn_ru_ev = cn_ru_yearly(cn_ru_deals(deals), sp)
    us_ru, ru_ev = _dyad(deals, sp, "US", "RU", "us_ru")
    us_cn, cn_ev = _dyad(deals, sp, "US", "CN", "us_cn")
    ev = deal_evidence(cn_ru_deals(deals)) + cn_ru_ev + ru_ev + cn_ev
    return [Result(
        "investment.dyad_comparison", {"value": cn_ru, "US-RU": us_ru, "US-CN": us_cn},
        query="known amount_usd per year by dyad (both directions); brief points "
              "us_ru.value_*, us_cn.value_* and cn_ru.disclosed_value where present",
        partial_periods=partial_years(cn_ru, as_of, params), **ev.into(),
    )]


@indicator(
    id="investment.portfolio_share",
    title="China-Russia share of each country's outbound AI investment",
    needs=("deals",),
    group="investment", order=15,
    lag='deals', brief_window=None,
    series=(
        Series('value', 'share', 'the larger of the two shares'),
        Series('CN', 'share', "share of China's outbound AI investment going to Russia"),
        Series('RU', 'share', "share of Russia's outbound AI investment going to China"),
    ),
    baseline=Baseline(
        headline='not measured (Russia to the U.S. $666M, to China $555M)',
        summary="No share is computed in the brief. It notes that the U.S. is still the "
        "biggest foreign destination of Russian AI investment ($666M of the $670M US-Russia "
        "total, 2010-2020), while Russian firms put $555M into Chinese AI companies over the "
        "same years.",
        figures={"ru_to_us_2010_2020": 666e6, "ru_to_cn": 555e6},
        where={
            "ru_to_us_2010_2020": "brief, investment dyads (lines 1185-1189); introduction "
            "(lines 275-276)",
            "ru_to_cn": "brief, investment dyads, 'over the same time period' (lines "
            "1189-1191); introduction, deals 2016-2019 (lines 245-249)",
        },
        end=2020,
    ),
    rules=(
        Rule("share", "critical", series="CN", op=">", threshold=0.5,
             message="China-Russia is now the majority of China's disclosed outbound AI "
                     "investment"),
        Rule("share", "critical", series="RU", op=">", threshold=0.5,
             message="China-Russia is now the majority of Russia's disclosed outbound AI "
                     "investment"),
    ),
)
def portfolio_share(frames, params, as_of):
    """Series CN and RU: the disclosed value each country invested in the other, as a share
    of the disclosed value it invested abroad that year (domestic deals excluded); `value`
    is the larger of the two. A year counts only when the store holds at least `min_deals`
    (default 2) outbound deals of that country, some to other destinations: curated
    China-Russia deals alone say nothing about the rest of a portfolio."""
    min_deals = int(params.get("min_deals", 2))
    deals = [d for d in rows(frames, "deals") if "->" in str(d.get("direction") or "")]
    series: dict[str, dict[str, float | None]] = {}
    shown: list[dict] = []
    for origin, partner in (("CN", "RU"), ("RU", "CN")):
        out = [d for d in deals if d["direction"].split("->")[0] == origin
               and d["direction"].split("->")[1] != origin]
        share = series.setdefault(origin, {})
        for year, group in by_year(out).items():
            to_partner = [d for d in group if d["direction"] == f"{origin}->{partner}"]
            if len(group) < min_deals or len(to_partner) == len(group):
                continue  # no view of the rest of the portfolio that year
            whole = total(group)  # unknown when any deal of the portfolio is undisclosed
            share[str(year)] = total(to_partner) / whole if whole else None
            shown += group  # the denominator's deals are evidence too
    periods = sorted(set(series["CN"]) | set(series["RU"]))
    series["value"] = {p: max((v for v in (series["CN"].get(p), series["RU"].get(p))
                               if v is not None), default=None) for p in periods}
    return [Result(
        "investment.portfolio_share", series,
        query="known amount_usd X->partner / all X->abroad per year, X in (CN, RU); unknown "
              "when any deal of that year's portfolio is undisclosed",
        partial_periods=partial_years(series["value"], as_of, params),
        **deal_evidence(shown).into(),
    )]


@indicator(
    id="investment.opacity",
    title="Share of China-Russia AI deals with undisclosed value",
    needs=("deals",),
    group="investment", order=17,
    lag='deals', brief_window=None,
    series=(
        Series('value', 'share', 'share of deals with undisclosed value'),
        Series('undisclosed', 'deals', 'deals with undisclosed value'),
        Series('count', 'deals', 'China-Russia AI deals'),
        Series('disclosed_value', 'usd', 'disclosed value'),
        Series('value_drop_count_holds', 'flag',
               'disclosed value fell by half while the deal count held'),
    ),
    baseline=Baseline(
        headline='29% undisclosed (5 of 17 deals)',
        reference=0.2941,
        reference_words="the brief's share",
        summary="Of the 17 China-Russia AI deals the brief found, 5 had no disclosed value; "
        "RCIF was the investor in four of the five.",
        figures={"undisclosed": 5, "deals": 17, "rcif_undisclosed": 4},
        where={
            "undisclosed": "brief, key findings: Scope, 'five additional' deals (lines 44-47); "
            "investment methodology (lines 1129-1131); unknown-value deals (lines 1341-1344)",
            "deals": "brief, investment methodology (lines 1129-1131)",
            "rcif_undisclosed": "brief, unknown-value deals, 'four of these five' (lines "
            "1341-1345)",
        },
        end=2020,
    ),
    rules=(
        Rule("share", "warning", op=">=", threshold=0.5),
        Rule("absolute", "warning", series="value_drop_count_holds", op=">=", threshold=1),
    ),
)
def opacity(frames, params, as_of):
    """Per year: undisclosed China-Russia deals as a share of all of them (years with at
    least `min_deals`, default 2); and a flag (1) when disclosed value fell by half or more
    from the year before while the deal count did not fall."""
    min_deals = int(params.get("min_deals", 2))
    deals = cn_ru_deals(rows(frames, "deals"))
    groups = by_year(deals)
    share, hidden, count, value, flag = {}, {}, {}, {}, {}
    prev = None
    for year, group in groups.items():
        p = str(year)
        n_hidden = undisclosed(group)
        count[p], hidden[p] = float(len(group)), float(n_hidden)
        share[p] = n_hidden / len(group) if len(group) >= min_deals else None
        value[p] = disclosed(group)
        if prev is not None and prev[0] == year - 1:
            fell = prev[1] > 0 and value[p] <= 0.5 * prev[1]
            flag[p] = 1.0 if fell and len(group) >= prev[2] else 0.0
        prev = (year, value[p], len(group))
    return [Result(
        "investment.opacity",
        {"value": share, "undisclosed": hidden, "count": count, "disclosed_value": value,
         "value_drop_count_holds": flag},
        query="China-Russia deals per year: amount undisclosed / all",
        partial_periods=partial_years(share, as_of, params), **deal_evidence(deals).into(),
    )]
