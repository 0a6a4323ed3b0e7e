"""Joint China-Russia AI research output."""

from __future__ import annotations

from indicators.base import Baseline, Result, Rule, indicator, year_series
from indicators.common import joint_works, partial_years, records_by_year, work_record

JOINT = "CN+RU"


@indicator(
    id="research.joint_output",
    title="Joint China-Russia AI papers per year",
    needs=("publication_counts", "works"),
    baseline=Baseline(
        summary="296 joint AI papers in 2010-2019; the 2019 count was 14 times 2010's, "
        "with the steepest rise from 2016 (English-language papers, MAG).",
        figures={"total_2010_2019": 296, "growth_2019_over_2010": 14},
    ),
    rules=(
        Rule("yoy", "warning", op=">=", threshold=0.30),
        Rule("zscore", "critical", op=">=", threshold=3.0, window=5),
    ),
)
def joint_output(frames, params, as_of):
    """AI papers with at least one Chinese and one Russian affiliation, per publication
    year. Counts come from the server-side count for the CN+RU series when the store has
    it (complete), else from the stored joint works; the works are the evidence."""
    works = joint_works(frames["works"])
    counts = frames["publication_counts"]
    counts = counts[counts["series"] == JOINT] if not counts.empty else counts
    evidence = records_by_year(works, "publication_year", work_record)
    if not counts.empty:
        values = year_series(dict(zip(counts["year"], counts["count"], strict=True)))
        query = "; ".join(sorted(set(counts["query_url"])))
    else:
        values = year_series(works.groupby("publication_year").size().to_dict())
        query = "stored works whose affiliations include CN and RU, counted by publication_year"
    return [
        Result(
            "research.joint_output",
            {"value": values},
            evidence=evidence,
            query=query,
            partial_periods=partial_years(values, as_of),
        )
    ]
