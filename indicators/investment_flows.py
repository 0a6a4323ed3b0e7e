"""Disclosed China-Russia AI investment."""

from __future__ import annotations

from indicators.base import Baseline, Result, Rule, indicator, year_series
from indicators.common import deal_record, partial_years, records_by_year

CN_RU = ("CN->RU", "RU->CN")


@indicator(
    id="investment.disclosed_flow",
    title="Disclosed China-Russia AI investment per year (USD)",
    needs=("deals",),
    unit="USD",
    baseline=Baseline(
        summary="12 disclosed-value AI deals worth $879M in 2016-2019 (Russia to China "
        "$555M, China to Russia $324M): $182M in 2016, $517M in 2017, $100M in 2018, $80M in "
        "2019, none in 2020, and over $300M by January 2021.",
        figures={"2016": 182e6, "2017": 517e6, "2018": 100e6, "2019": 80e6, "2020": 0,
                 "total_2016_2019": 879e6, "ru_cn_2016_2019": 555e6, "cn_ru_2016_2019": 324e6},
        end=2020,
    ),
    rules=(
        Rule("yoy", "warning", op=">=", threshold=0.5),
        Rule("absolute", "warning", series="count", op=">", threshold=4),
        Rule("absolute", "critical", op=">", threshold=517e6),
    ),
)
def disclosed_flow(frames, params, as_of):
    """Sum of disclosed deal values between China and Russia per year, in both
    directions, with deal counts; undisclosed deals count but add no value."""
    deals = frames["deals"]
    deals = deals[deals["direction"].isin(CN_RU)] if not deals.empty else deals
    disclosed = deals[deals["disclosed"]] if not deals.empty else deals
    count = year_series(deals.groupby("year").size().to_dict())
    summed = year_series(disclosed.groupby("year")["amount_usd"].sum().to_dict())
    value = {p: summed.get(p, 0.0) for p in count}  # deals but none disclosed: $0 disclosed
    series = {"value": value, "count": count}
    for direction in CN_RU:
        part = disclosed[disclosed["direction"] == direction]
        series[direction] = year_series(part.groupby("year")["amount_usd"].sum().to_dict())
    return [
        Result(
            "investment.disclosed_flow",
            series,
            evidence=records_by_year(deals, "year", deal_record),
            query="deals with direction CN->RU or RU->CN; value = sum of disclosed amount_usd",
            partial_periods=partial_years(value, as_of),
        )
    ]
