"""Research fields of joint papers, in the brief's ten fields (data/research/fields.toml)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from indicators.base import Baseline, Result, Rule, indicator, year_series
from indicators.common import partial_years
from indicators.research_common import FIELDS, joint_english, paper_record

OTHER = "other"
TABLE_1 = {"pattern recognition": 29, "computer vision": 20, "algorithm development": 20,
           "control theory": 14, "machine learning": 14, "remote sensing": 11,
           "data mining": 9, "control engineering": 7, "natural language processing": 6,
           "other": 69}


def field_of(topics: Any) -> str:
    """The brief's field for a work: by its highest-scoring topic's name, then subfield."""
    topics = [t for t in (topics if isinstance(topics, list) else []) if isinstance(t, dict)]
    if not topics:
        return OTHER
    top = max(topics, key=lambda t: t.get("score") or 0)
    name = f" {(top.get('name') or '').lower()} "
    for f in FIELDS:
        if any(k in name for k in f["keywords"]):
            return f["name"]
    for f in FIELDS:
        if str(top.get("subfield_id") or "") in f["subfields"]:
            return f["name"]
    return OTHER


def concern_fields() -> set[str]:
    return {f["name"] for f in FIELDS if f.get("concern")}


@indicator(
    id="research.field_mix",
    title="Research fields of joint China-Russia AI papers",
    needs=("works",),
    baseline=Baseline(
        summary="By field (2010-2019, Table 1): pattern recognition 29, computer vision 20, "
        "algorithm development 20, control theory 14, machine learning 14, remote sensing 11, "
        "data mining 9, control engineering 7, NLP 6, other 69.",
        figures=TABLE_1,
    ),
    rules=(
        Rule("yoy", "warning", series="concern", op=">=", threshold=1.0,
             message="A field of concern doubled year on year in joint papers"),
        Rule("new_member", "warning", series="top3_concern",
             message="A field of concern entered the top 3 fields of joint papers"),
    ),
)
def field_mix(frames, params, as_of):
    """Joint CN-RU papers per year in each of the brief's ten fields (one subject per
    field). A paper's field comes from its highest-scoring OpenAlex topic through the
    mapping in data/research/fields.toml. Fields of concern (NLP, remote sensing, control
    engineering; robotics falls under control engineering) also carry a `concern` series
    for the doubling rule; the `top3_concern` set (on subject `all`) names the fields of
    concern among each year's three largest."""
    works = joint_english(frames["works"])
    concern = set(params.get("concern_fields") or concern_fields())
    if works.empty:
        return [Result("research.field_mix", {"value": {}}, subject="all",
                       notes=["no joint works stored"])]
    works = works.assign(field=works["topics"].map(field_of))
    years = sorted({int(y) for y in works["publication_year"].dropna()})
    results = []
    per_year: dict[str, Counter] = {str(y): Counter() for y in years}
    for name in [f["name"] for f in FIELDS] + [OTHER]:
        subset = works[works["field"] == name]
        counts = subset.groupby("publication_year").size().to_dict()
        values = year_series({y: counts.get(y, 0) for y in years})
        for period, v in values.items():
            per_year[period][name] = v or 0
        series = {"value": values}
        if name in concern:
            series["concern"] = values
        evidence: dict[str, list] = {}
        for _, row in subset.sort_values("id").iterrows():
            evidence.setdefault(str(int(row["publication_year"])), []).append(
                paper_record(row, field=name))
        results.append(Result("research.field_mix", series, evidence=evidence, subject=name,
                              partial_periods=partial_years(values, as_of),
                              query="joint works by top topic -> data/research/fields.toml"))
    top3 = {p: sorted(n for n, _ in c.most_common(3) if n in concern and c[n] > 0)
            for p, c in per_year.items()}
    total = year_series({y: len(works[works["publication_year"] == y]) for y in years})
    results.append(Result(
        "research.field_mix", {"value": total}, subject="all",
        sets={"top3_concern": top3},
        evidence={p: [{"kind": "field", "id": n, "label": f"{n} in the top 3 of {p}",
                       "count": per_year[p][n]} for n in names] for p, names in top3.items()},
        partial_periods=partial_years(total, as_of),
    ))
    return results
