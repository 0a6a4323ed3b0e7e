"""trendline evaluate: evaluate indicators from the store, raise and resolve alerts."""

from __future__ import annotations

import sys

import click

from trendline.cli.commands._flows import run_flow

HISTORY = {"alerts": {"accept_history": True}}


def _flow():
    from trendline.flows.evaluate import evaluate

    return evaluate


@click.command("evaluate")
@click.option("--accept-history", is_flag=True,
              help="Record alerts about periods before alerts.announce_from as history: "
              "listed, not announced (as on a store's first evaluation).")
def command(accept_history: bool) -> None:
    """Evaluate every enabled indicator from what the store holds now (no refresh), raise
    and resolve alerts, queue their announcement and write the alert report."""
    outcome, report = run_flow(_flow, overrides=HISTORY if accept_history else None)
    click.echo(f"Indicators evaluated: {len(outcome.evaluations)}")
    for ind, err in outcome.errors.items():
        click.echo(f"  {ind} failed: {err}")
    click.echo(f"Alerts: {outcome.fired} fired, {outcome.resolved} resolved")
    click.echo(f"Report: {report}")
    sys.exit(1 if outcome.errors else 0)
