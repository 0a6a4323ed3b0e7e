"""Joint China-Russia AI research output: the count, its shares, and the dyads compared.

Counts come from OpenAlex's server-side group_by (complete, one query per series, its URL
kept as evidence); when the store has no counts, the stored joint works are counted.
"""

from __future__ import annotations

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import english_ai, evidence, partial_years, records, yearly
from trendline.indicators.research_common import (
    JOINT,
    count_records,
    count_series,
    is_demo_counts,
    ratio,
)

STORED = ("stored works: AI (work_facts.is_ai) in the configured language from OpenAlex, "
          "with CN and RU affiliations (work_facts.is_joint)")


@indicator(
    id="research.joint_output",
    title="Joint China-Russia AI papers per year",
    needs=("publication_counts", "works"),
    group="research", order=1,
    lag='publications', brief_window=(2010, 2019),
    series=(
        Series('value', 'papers', 'joint papers'),
        Series('stored', 'papers', 'joint papers stored with their records'),
    ),
    baseline=Baseline(
        headline='296 papers in 2010-2019',
        summary="2010-2019: 296 English-language AI papers with at least one Chinese and one "
        "Russian author, found in Microsoft Academic Graph, Dimensions and Web of Science "
        "with CSET's arXiv-trained AI classifier; 2019 had 14 times the 2010 count and the "
        "rise was steepest from 2016.",
        figures={"total_2010_2019": 296, "growth_2019_over_2010": 14},
        where={
            "total_2010_2019": "brief, key findings: Scope (lines 38-42); English-language "
            "research (lines 465-467); sources and AI classifier (lines 410-412, 430-439)",
            "growth_2019_over_2010": "brief, key findings: Trends (lines 51-54); "
            "English-language research (lines 496-501, 966-969)",
        },
    ),
    rules=(
        Rule("yoy", "warning", op=">=", threshold=0.30),
        Rule("zscore", "critical", op=">=", threshold=3.0, window=5),
    ),
)
def joint_output(frames, params, as_of):
    """AI papers with at least one Chinese and one Russian affiliation, per publication
    year. The value is OpenAlex's server-side count for the CN+RU series when stored
    (complete), else the stored joint works; the stored works are the evidence, and
    `stored` counts them so a reader sees how much of the count has records."""
    works = english_ai(frames["works"], columns=("id", "year"))
    series, urls, definition = count_series(frames["publication_counts"], params)
    stored = yearly(works.groupby("year").size()) if len(works) else {}
    values = series.get(JOINT) or stored
    ev = evidence(works, "work")
    query = urls.get(JOINT) or STORED
    return [Result("research.joint_output", {"value": values, "stored": stored},
                   query=f"{query} [definition: {definition or 'as stored'}]",
                   partial_periods=partial_years(values, as_of, params), **ev.into())]


@indicator(
    id="research.joint_share",
    title="Joint papers as a share of each country's AI output",
    needs=("publication_counts",),
    group="research", order=2,
    lag='publications', brief_window=(2010, 2019),
    series=(
        Series('value', 'percent', "share of Russia's AI papers"),
        Series('ru_share', 'percent', "share of Russia's AI papers"),
        Series('cn_share', 'percent', "share of China's AI papers"),
    ),
    baseline=Baseline(
        headline="about 2% of Russia's AI papers (2010-2019)",
        reference=1.97,
        reference_words="the brief's share",
        summary="The 296 joint papers of 2010-2019 were about 2% of Russia's 15,032 "
        "English-language AI papers and under 0.1% of China's 457,248.",
        figures={"joint_total": 296, "ru_total": 15032, "cn_total": 457248,
                 "ru_share_pct_about": 2, "cn_share_pct_below": 0.1},
        where={
            "joint_total": "brief, key findings: Scope (lines 38-42); English-language "
            "research (lines 465-467)",
            "ru_total": "brief, introduction: Russia 22nd in AI output (lines 287-289)",
            "cn_total": "brief, introduction: China's AI output 2010-2019 (lines 283-285)",
            "ru_share_pct_about": "brief, key findings: Scope, 'about 2 percent' (lines 39-42); "
            "English-language research (lines 467-468); our 296 / 15,032 = 1.97% agrees",
            "cn_share_pct_below": "brief, key findings: Scope, 'less than 0.1 percent' "
            "(lines 39-41); English-language research (lines 468-469); our 296 / 457,248 = "
            "0.065% agrees",
        },
    ),
    rules=(
        Rule("share", "warning", series="ru_share", op=">=", threshold=3.0),
        Rule("share", "warning", series="cn_share", op=">=", threshold=0.2),
    ),
)
def joint_share(frames, params, as_of):
    """CN+RU joint AI papers as a percentage of Russia's (`ru_share`, the value) and
    China's (`cn_share`) AI papers in the same year, from the server-side counts."""
    counts = frames["publication_counts"]
    series, urls, _ = count_series(counts, params)
    joint, ru, cn = series.get(JOINT, {}), series.get("RU", {}), series.get("CN", {})
    ru_share = {p: ratio(v, ru.get(p), 100) for p, v in joint.items()}
    cn_share = {p: ratio(v, cn.get(p), 100) for p, v in joint.items()}
    ev = records(count_records(series, urls, (JOINT, "RU", "CN"), joint, is_demo_counts(counts)))
    return [Result(
        "research.joint_share",
        {"value": ru_share, "ru_share": ru_share, "cn_share": cn_share},
        query="; ".join(urls.get(s, "") for s in (JOINT, "RU", "CN")),
        partial_periods=partial_years(joint, as_of, params),
        notes=[] if joint else ["no server-side counts stored: refresh publications"],
        **ev.into(),
    )]


@indicator(
    id="research.dyad_comparison",
    title="China-Russia against US-China and US-Russia joint AI output",
    needs=("publication_counts",),
    group="research", order=3,
    lag='publications', brief_window=(2010, 2019),
    chart=('cn_ru', 'us_cn', 'us_ru'),
    series=(
        Series('value', 'ratio',
               'US-China joint papers per China-Russia one',
               up='the gap to US-China widens',
               down='the gap to US-China narrows'),
        Series('cn_ru', 'papers', 'China-Russia'),
        Series('us_cn', 'papers', 'US-China'),
        Series('us_ru', 'papers', 'US-Russia'),
    ),
    baseline=Baseline(
        headline='US-China 129x China-Russia (2010-2019)',
        reference=129.0,
        reference_words="the brief's ratio",
        summary="In 2010-2019 US-China joint AI papers (about 38,153) outnumbered China-Russia "
        "ones nearly 129 to 1 and US-Russia ones (736) 52 to 1; the U.S. alone published "
        "300,602 AI papers. US-China rose steadily from 1,975 (2010) to 8,138 (2019) with no "
        "dip in 2018 or 2019; US-Russia went from 21 to 151, growing most in 2016-2018 and "
        "falling in 2019.",
        figures={"us_cn_total": 38153, "us_ru_total": 736, "us_cn_over_cn_ru": 129,
                 "us_cn_over_us_ru": 52, "us_cn_2010": 1975, "us_cn_2019": 8138,
                 "us_ru_2010": 21, "us_ru_2019": 151, "us_total": 300602},
        where={
            "us_cn_total": "brief, dyad comparison (research), 'approximately' (lines 950-956)",
            "us_ru_total": "brief, dyad comparison (research) (lines 950-956)",
            "us_cn_over_cn_ru": "brief, key findings: In Perspective, 'nearly 129 times' "
            "(lines 76-79); dyad comparison (lines 956-959)",
            "us_cn_over_us_ru": "brief, key findings: In Perspective (lines 76-81); dyad "
            "comparison (lines 957-961)",
            "us_cn_2010": "brief, dyad comparison, Figure 3 text (lines 989-992)",
            "us_cn_2019": "brief, dyad comparison, Figure 3 text (lines 992-998)",
            "us_ru_2010": "brief, dyad comparison, Figure 4 text (lines 1008-1010)",
            "us_ru_2019": "brief, dyad comparison, Figure 4 text; drop in 2019 (lines "
            "1008-1015)",
            "us_total": "brief, introduction: U.S. AI output 2010-2019 (lines 286-287)",
        },
    ),
    rules=(
        Rule("absolute", "warning", series="value", op="<", threshold=50),
        Rule("crossover", "critical", series="cn_ru", op=">", other="us_ru"),
    ),
)
def dyad_comparison(frames, params, as_of):
    """The US-CN to CN-RU ratio of joint AI papers per year (the value), with the three
    dyads' yearly counts (`cn_ru`, `us_cn`, `us_ru`) for the cross-over rule."""
    counts = frames["publication_counts"]
    series, urls, _ = count_series(counts, params)
    cn_ru, us_cn, us_ru = (series.get(s, {}) for s in (JOINT, "US+CN", "US+RU"))
    value = {p: ratio(us_cn.get(p), v) for p, v in cn_ru.items()}
    names = (JOINT, "US+CN", "US+RU")
    ev = records(count_records(series, urls, names, cn_ru, is_demo_counts(counts)))
    return [Result(
        "research.dyad_comparison",
        {"value": value, "cn_ru": cn_ru, "us_cn": us_cn, "us_ru": us_ru},
        query="; ".join(urls.get(s, "") for s in names),
        partial_periods=partial_years(cn_ru, as_of, params), **ev.into(),
    )]
