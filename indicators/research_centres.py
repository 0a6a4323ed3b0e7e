"""The joint China-Russia research centres and labs: their papers, as resolve filed them."""

from __future__ import annotations

import numpy as np

from trendline.indicators.base import Baseline, Result, Rule, Series, indicator
from trendline.indicators.common import (
    evidence,
    is_in,
    last_complete_year,
    partial_years,
    records,
    through_complete,
    yearly,
)


@indicator(
    id="research.joint_centres",
    title="Output of joint China-Russia research centres and labs",
    needs=("works", "centres", "centre_works"),
    group="research", order=10,
    lag='publications', brief_window=None,
    series=(
        Series('value', 'papers', 'papers of the joint centres'),
        Series('output', 'papers', 'papers of the centre'),
        Series('centre', 'centres', 'joint centres with their first paper'),
    ),
    baseline=Baseline(
        headline='3 centres named, output not counted',
        summary="Three joint centres are named: the Hangzhou Dianzi University-ITMO Joint "
        "Institute (2018), the Skoltech-Huawei Innovation Joint Lab (2018) and MIPT's lab "
        "with Huawei's Russian Research Institute (2020). The brief did not count their "
        "papers.",
        figures={"centres_named": 3},
        where={
            "centres_named": "computed: our count of the centres the brief names, HDU-ITMO "
            "Joint Institute (lines 763-765), MIPT lab with Huawei Russian Research Institute "
            "(lines 834-838), Skoltech-Huawei Innovation Joint Lab (lines 839-842)",
        },
    ),
    rules=(
        Rule("new_member", "info", series="centre", message="Joint centres with their first paper"),
        Rule("yoy", "warning", series="output", op=">=", threshold=1.0),
    ),
)
def joint_centres(frames, params, as_of):
    """AI papers per year signed by each joint centre of data/research/centres.toml (one
    subject per centre), as the resolve stage decided per authorship: an affiliation naming
    the centre, or one author listing both its parties; zeros from the centre's founding
    year to the last complete year. Subject `all`: the distinct papers of all centres."""
    works = frames["works"]
    works = works.loc[works["is_ai"].to_numpy(dtype=bool), ["id", "year"]] if len(works) \
        else works
    signed = frames["centre_works"]
    last = last_complete_year(as_of, params)
    results, active = [], {}
    anyone = np.zeros(len(works), dtype=bool)  # signed by any centre
    for centre in frames["centres"].to_dict("records"):
        ids = signed.loc[signed["centre_id"] == centre["id"], "work_id"] if len(signed) else []
        signed_here = is_in(works["id"], ids)
        anyone |= signed_here
        mine = works[signed_here]
        counts = mine.groupby("year").size()
        first = int(min([*counts.index, centre.get("founded") or 9999]))
        values = yearly(counts, range(first, max(last, *counts.index, first) + 1)) \
            if first <= max(last, *counts.index, 0) else {}
        output = {p: (v if len(counts) and int(p) >= int(counts.index.min()) else None)
                  for p, v in values.items()}
        ev = evidence(mine, "work")
        for p in ev.counts:
            active.setdefault(p, []).append(centre["name"])
        results.append(Result("research.joint_centres", {"value": values, "output": output},
                              subject=centre["name"],
                              partial_periods=partial_years(values, as_of, params),
                              query=f"papers the resolve stage filed under {centre['name']} "
                              "(centre_works: named in the affiliation, or one author with "
                              "both its parties)", **ev.into()))
    union = works[anyone]
    values = through_complete(yearly(union.groupby("year").size()), as_of, params) \
        if len(union) else {}
    marks = records({p: [{"kind": "centre", "id": c, "label": c} for c in cs]
                     for p, cs in active.items()})
    results.insert(0, Result("research.joint_centres", {"value": values}, sets={"centre": active},
                             partial_periods=partial_years(values, as_of, params),
                             query="the distinct papers of all joint centres (centre_works)",
                             **evidence(union, "work").also(marks).into()))
    return results
