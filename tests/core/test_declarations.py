"""An indicator is declared in one place: its id appears as a literal nowhere outside
indicators/ (and the tests), so no table keyed by indicator id grows anywhere else; and
every declaration carries what the rest of the house reads from it."""

from __future__ import annotations

import re
from pathlib import Path

from trendline.indicators import words
from trendline.indicators.declaration import GROUPS
from trendline.indicators.registry import all_indicators

ROOT = Path(__file__).resolve().parents[2]
HOUSE = ("tasks", "flows", "trendline", "templates", "benchmarks", "scripts")


def test_no_indicator_id_is_written_outside_indicators():
    ids = "|".join(re.escape(i) for i in all_indicators())
    pattern = re.compile(rf"""["'`]({ids})["'`]""")
    found = [
        f"{path.relative_to(ROOT)}:{n}: {m.group(1)}"
        for folder in HOUSE
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in (".py", ".j2", ".html", ".js") and "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for m in pattern.finditer(line)
    ]
    assert found == [], "indicator ids outside indicators/:\n" + "\n".join(found)


def test_every_declaration_says_where_it_sits_and_what_its_series_measure():
    inds = all_indicators()
    orders = [i.order for i in inds.values()]
    assert sorted(orders) == list(range(1, len(inds) + 1)), "one place each in the brief's order"
    for ind in inds.values():
        assert ind.group in GROUPS and ind.baseline.headline, ind.id
        assert ind.series[0].name == "value" and all(s.unit in words.UNITS for s in ind.series)
        for name in ind.chart:
            assert name in {s.name for s in ind.series}, (ind.id, name)
        for rule in ind.rules:  # every rule reads a declared series: its unit is known
            assert rule.series in {s.name for s in ind.series}, (ind.id, rule.series)
        if ind.brief_window:
            assert ind.brief_window[1] <= ind.baseline.end or ind.brief_window[1] <= 2020
        shares = [s for s in ind.series if words.unit_of(s.unit).kind in ("ratio",)]
        assert all(s.up and s.down for s in shares), f"{ind.id}: a ratio says what up means"
