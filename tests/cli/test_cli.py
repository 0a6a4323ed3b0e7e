"""The CLI for people and scripts, on a store the demo pipeline filled."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from trendline.cli import main
from trendline.core.settings import ROOT


@pytest.fixture
def filled(demo_store):
    return demo_store


def cli(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_indicators_json(filled):
    rows = json.loads(cli("indicators", "--format", "json"))
    by_id = {r["id"]: r for r in rows}
    for ind in (
        "research.joint_output",
        "research.entity_list_collab",
        "investment.disclosed_flow",
    ):
        row = by_id[ind]
        assert {"id", "period", "value", "baseline", "status", "series"} <= set(row)
        periods = [p["period"] for p in row["series"]]
        assert periods == sorted(periods) and periods[-1] == row["period"]
        assert row["baseline"]["summary"] and row["baseline"]["citation"]
    joint = by_id["research.joint_output"]
    assert joint["value"] == joint["series"][-1]["value"] and joint["evidence_count"] > 0


def test_alerts_json_lists_firing_alerts(filled):
    rows = json.loads(cli("alerts", "--format", "json"))
    assert rows and all(
        {"id", "indicator", "severity", "state", "fingerprint"} <= set(r) for r in rows
    )
    assert {r["state"] for r in rows} == {"firing"}
    assert any(r["severity"] == "critical" for r in rows)


def test_tables_for_people(filled):
    out = cli("indicators")
    assert out.splitlines()[0].split()[:4] == ["ID", "VERDICT", "VALUE", "BRIEF"]
    assert "research.joint_output" in out


def test_every_command_has_help_and_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command.name == name
        assert command.help, f"{name} has no help text"
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0
        assert f"trendline {name}" in readme, f"README does not mention `trendline {name}`"


def test_table_prints_record_text_literally_never_as_markup(capsys):
    """Square brackets in a title are text: Rich markup would drop "[synthetic demo]" or
    style "[link=...]"."""
    from trendline.cli.commands._output import table

    title = "[synthetic demo] Graphs [bold]x[/bold] [link=https://example.org]y[/link]"
    table([{"message": title}], ["message"])
    assert title in capsys.readouterr().out
