"""trendline evaluate: evaluate indicators from the store, raise and resolve alerts."""

from __future__ import annotations

import sys

import click

from trendline.cli import context
from trendline.cli.commands._flows import run_flow


def _flow():
    from trendline.flows.evaluate import evaluate

    return evaluate


@click.command("evaluate")
@click.option("--accept-history", is_flag=True,
              help="Record alerts about periods before alerts.announce_from as history: "
              "listed, not announced (as on a store's first evaluation).")
@click.option("--wait", is_flag=True, help="Wait for a run that holds the store to end.")
def command(accept_history: bool, wait: bool) -> None:
    """Evaluate every enabled indicator from what the store holds now (no refresh), raise
    and resolve alerts, queue their announcement and write the alert report."""
    with context.exclusive(wait):  # never beside a pipeline's writes
        outcome, report = run_flow(_flow, accept_history=accept_history)
    click.echo(f"Indicators evaluated: {len(outcome.evaluations)}")
    for ind, err in outcome.errors.items():
        click.echo(f"  {ind} failed: {err}")
    click.echo(f"Alerts: {outcome.fired} fired, {outcome.resolved} resolved")
    if outcome.revisions:  # the past moved at its source: news about the data, not growth
        click.echo(f"Source revisions: {outcome.revisions} complete past periods moved (the "
                   "report's data-health notice; no alert raised for them)")
    click.echo(f"Report: {report}")
    sys.exit(1 if outcome.errors else 0)
