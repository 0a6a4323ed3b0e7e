"""Student flows between China and Russia (and Chinese students in the U.S. for scale)."""

from __future__ import annotations

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import partial_years, rows
from trendline.indicators.investment_common import point_evidence, points, summed

FLOWS = {
    "CN->RU": "students.cn_in_ru",
    "RU->CN": "students.ru_in_cn",
    "CN->US": "students.cn_in_us",
}


@indicator(
    id="talent.student_flows",
    title="Chinese students in Russia and Russian students in China",
    needs=("series_points",),
    group="talent", order=24,
    lag=None, brief_window=None,
    series=(
        Series('value', 'students', 'Chinese students in Russia'),
        Series('CN->RU', 'students', 'Chinese students in Russia'),
        Series('RU->CN', 'students', 'Russian students in China'),
        Series('CN->US', 'students', 'Chinese students in the U.S.'),
        Series('figures', 'records', 'new yearly figures'),
    ),
    baseline=Baseline(
        headline='48,000 Chinese students in Russia (2020)',
        summary="About 48,000 Chinese students were in Russian universities in 2020, double "
        "the number five years earlier; about 20,000 Russians studied in China (up 36%). "
        "For scale, 372,531 Chinese students were enrolled in the U.S. in 2019-20.",
        figures={"cn_in_ru_2020": 48000, "ru_in_cn_2020": 20000, "cn_in_us_2019_20": 372531},
        where={
            "cn_in_ru_2020": "brief, conclusion: the Russian Embassy in China's claim, 'about' "
            "(lines 1523-1526)",
            "ru_in_cn_2020": "brief, conclusion: the Russian Embassy in China's claim, up 36 "
            "percent (lines 1526-1528)",
            "cn_in_us_2019_20": "brief, conclusion: 2019-2020 academic year, 'about' (lines "
            "1530-1533)",
        },
        end=2020,
    ),
    rules=(
        Rule("any_new", "info", series="figures"),
        Rule("yoy", "warning", op=">=", threshold=0.25),
        Rule("yoy", "warning", series="RU->CN", op=">=", threshold=0.25),
    ),
)
def student_flows(frames, params, as_of):
    """Chinese students in Russia (`value`, series CN->RU), Russian students in China
    (RU->CN) and, for scale, Chinese students in the U.S. (CN->US), per year from the
    series points. Each new yearly figure is news; growth is compared with the figure
    before it."""
    sp = rows(frames, "series_points")
    series, figures, ev = {}, {}, None
    for flow, name in FLOWS.items():
        pts = points(sp, name)
        series[flow] = summed(pts)
        ev = point_evidence(pts) if ev is None else ev + point_evidence(pts)
        for period in pts:
            figures.setdefault(period, []).append(f"{name}:{period}")
    series["value"] = dict(series["CN->RU"])
    return [Result(
        "talent.student_flows", series, sets={"figures": figures}, **ev.into(),
        query="series_points students.cn_in_ru, students.ru_in_cn, students.cn_in_us",
        partial_periods=partial_years(series["value"], as_of, params),
    )]
