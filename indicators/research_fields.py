"""Research fields of joint papers, in the brief's ten fields (each work's field is
decided in tasks/resolve from data/research/fields.toml)."""

from __future__ import annotations

import numpy as np

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import english_ai, evidence, partial_years, records, span, yearly

OTHER = "other"
TABLE_1 = {"pattern recognition": 29, "computer vision": 20, "algorithm development": 20,
           "control theory": 14, "machine learning": 14, "remote sensing": 11,
           "data mining": 9, "control engineering": 7, "natural language processing": 6,
           "other": 69}
CONCERN = ("natural language processing", "remote sensing", "control engineering")


@indicator(
    id="research.field_mix",
    title="Research fields of joint China-Russia AI papers",
    needs=("works",),
    group="research", order=4,
    lag='publications', brief_window=(2010, 2019),
    series=(
        Series('value', 'papers', 'papers in the leading field'),
        Series('concern', 'papers', 'papers in a field of concern'),
        Series('top3_concern', 'fields', 'fields of concern in the top 3'),
    ),
    baseline=Baseline(
        headline='pattern recognition first (29 papers, 2010-2019)',
        summary="Fields of the joint papers, 2010-2019 (Table 1): pattern recognition 29, "
        "computer vision 20, algorithm development 20, control theory 14, machine learning "
        "14, remote sensing 11, data mining 9, control engineering 7, NLP 6, other AI 69.",
        figures=TABLE_1,
        where={
            "pattern recognition": "brief, Table 1, joint column (lines 540-543)",
            "computer vision": "brief, Table 1, joint column (lines 548-551)",
            "algorithm development": "brief, Table 1, joint column (lines 559-562)",
            "control theory": "brief, Table 1, joint column (line 570)",
            "machine learning": "brief, Table 1, joint column (lines 575-578)",
            "remote sensing": "brief, Table 1, joint column (lines 586-589)",
            "data mining": "brief, Table 1, joint column (line 597)",
            "control engineering": "brief, Table 1, joint column (lines 602-605)",
            "natural language processing": "brief, Table 1, joint column, 'NLP' (line 613)",
            "other": "brief, Table 1, joint column, 'Other AI research' (lines 614-617; "
            "defined in the footnote, lines 634-640)",
        },
    ),
    rules=(
        Rule("yoy", "warning", series="concern", op=">=", threshold=1.0,
             message="A field of concern doubled"),
        Rule("new_member", "warning", series="top3_concern",
             message="Fields of concern new to the top 3"),
    ),
)
def field_mix(frames, params, as_of):
    """Joint CN-RU papers per year in each of the brief's ten fields (one subject per
    field); subject `all` holds each year's leading field (its papers, and its name as the
    value's label). Fields of concern (NLP, remote sensing, control engineering; robotics falls
    under control engineering) also carry a `concern` series for the doubling rule; the
    `top3_concern` set (on subject `all`) names the fields of concern among each year's
    three largest."""
    works = english_ai(frames["works"], columns=("id", "year", "field"))
    concern = set(params.get("concern_fields") or CONCERN)
    if works.empty:
        return [Result("research.field_mix", {"value": {}}, notes=["no joint works stored"])]
    years = span(works["year"].dropna())
    table = works.groupby(["field", "year"], observed=True).size()
    results = []
    per_year: dict[str, dict[str, float]] = {}
    for name in [*TABLE_1]:
        values = yearly(table[name] if name in table.index.get_level_values(0) else table[:0],
                        years)
        for period, v in values.items():
            per_year.setdefault(period, {})[name] = v
        series = {"value": values, **({"concern": values} if name in concern else {})}
        ev = evidence(works[works["field"] == name], "work", extra=("field",))
        results.append(Result("research.field_mix", series, subject=name,
                              partial_periods=partial_years(values, as_of, params),
                              query=f"joint AI works whose resolved field is {name!r}",
                              **ev.into()))
    top3 = {p: sorted(n for n, v in sorted(c.items(), key=lambda kv: -kv[1])[:3]
                      if n in concern and v > 0) for p, c in per_year.items()}
    # subject all: the leading field of each year, its papers the evidence
    leading = {p: min(c, key=lambda n: (-c[n], n)) for p, c in per_year.items() if any(c.values())}
    value = {p: per_year[p][n] for p, n in leading.items()}
    year, field = works["year"].to_numpy(), works["field"]
    lead = np.zeros(len(works), dtype=bool)
    for p, n in leading.items():  # a comparison a year: no text built per work
        lead |= (year == int(p)) & (field == n).to_numpy()
    lead_works = works[lead]
    marks = records({p: [{"kind": "field", "id": n, "label": n, "count": per_year[p][n]}
                         for n in names] for p, names in top3.items()})
    ev = evidence(lead_works, "work", extra=("field",)).also(marks)
    results.append(Result("research.field_mix", {"value": value}, subject="all",
                          sets={"top3_concern": top3}, labels=leading,
                          partial_periods=partial_years(value, as_of, params),
                          query="joint AI works of each year's leading field (resolved field)",
                          **ev.into()))
    return results
