"""Terminal tables for people: units, the brief's figure, words never cut."""

from __future__ import annotations

import json

from click.testing import CliRunner

from trendline.cli import main
from trendline.indicators.registry import all_indicators


def cli(*args, width=120):
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def test_indicators_table_has_units_and_the_brief(demo_store):
    out = cli("indicators")
    header = out.splitlines()[0].split()
    assert header[:4] == ["ID", "VERDICT", "VALUE", "BRIEF"] and "BRIEF" in header
    assert "196 papers" in out and "e+" not in out and "None" not in out
    assert "least" in out and "undisclosed)" in out  # unknown is not zero: a bound
    words = {w for line in out.splitlines() for w in line.split()}
    for figure in ("296 papers in 2010-2019", "$879M in 2016-2019"):
        assert all(w in words for w in figure.split()), f"{figure} was cut mid-word"
    assert all(len(line) <= 120 for line in out.splitlines())


def test_a_narrow_terminal_gets_one_block_per_row(demo_store):
    out = cli("indicators", width=80)
    assert "ID: research.joint_output" in out
    headline = all_indicators()["research.joint_output"].baseline.headline
    assert f"BRIEF: {headline}" in out


def test_alerts_table_wraps_messages_between_words(demo_store):
    out = cli("alerts")
    assert "MESSAGE" in out.splitlines()[0]
    rows = json.loads(cli("alerts", "--format", "json"))
    words = {w for line in out.splitlines() for w in line.split()}
    first = rows[0]["message"].split()
    assert all(w in words for w in first), "a message word was cut"
