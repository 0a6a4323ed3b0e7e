"""trendline run: refresh every source, evaluate, write the report, deliver."""

from __future__ import annotations

import sys

import click

from trendline.cli import context
from trendline.cli.commands._flows import echo_refresh, run_flow


def _pipeline():
    from trendline.flows.pipeline import pipeline

    return pipeline


@click.command("run")
@click.option("--accept-history", is_flag=True,
              help="Record alerts about periods before alerts.announce_from as history: "
              "listed, not announced (as on a store's first evaluation).")
@click.option("--accept-shrink", is_flag=True,
              help="Confirm a watch-list refresh that removes more than "
              "sources.screening_list.max_removed_share of a list (held back otherwise).")
@click.option("--wait", is_flag=True, help="Wait for a run that holds the store to end.")
def command(accept_history: bool, accept_shrink: bool, wait: bool) -> None:
    """Run the whole pipeline once: refresh all sources, evaluate every indicator against
    the brief's baseline, raise/resolve alerts, write the report and deliver messages."""
    from trendline.tasks.publish.notify import check_urls

    settings = context.settings()
    check_urls(settings)  # a bad Apprise URL stops here, before any work
    with context.exclusive(wait):
        out = run_flow(_pipeline, accept_history=accept_history, accept_shrink=accept_shrink)
    sys.exit(report(settings, out))


def report(settings, out) -> int:
    """Print what the run did; the exit status (1: a source, indicator or send failed)."""
    ok = [r for r in out.refreshed if r.status in ("succeeded", "unchanged")]
    skipped = [r for r in out.refreshed if r.status == "skipped"]
    click.echo(
        f"Trendline run: {settings.sources.publications} publications, "
        f"store {settings.database_url.split(':')[0]}, state in {settings.home}"
    )
    click.echo(f"Sources refreshed: {len(ok)} of {len(out.refreshed)}")
    echo_refresh([r for r in out.refreshed if r.status != "skipped"])
    if skipped:  # not configured: not refreshed, and not a failure either
        click.echo(f"Sources skipped: {len(skipped)}")
        for r in skipped:
            click.echo(f"  {r.source}: {r.message or 'not configured'}")
    ev = out.evaluation
    failed = f" ({len(ev.errors)} failed: {', '.join(ev.errors)})" if ev.errors else ""
    click.echo(f"Indicators evaluated: {len(ev.evaluations)}{failed}")
    click.echo(f"Alerts: {ev.fired} fired, {ev.resolved} resolved")
    if ev.revisions:  # the past moved at its source: news about the data, not growth
        click.echo(f"Source revisions: {ev.revisions} complete past periods moved (the "
                   "report's data-health notice; no alert raised for them)")
    d = out.delivery
    waiting = f", {d.waiting} waiting (no notification URL configured)" if d.waiting else ""
    click.echo(f"Messages: {d.sent} sent, {d.failed} failed{waiting}")
    click.echo(f"Report: {out.report}")
    return 1 if ev.errors or any(r.status == "failed" for r in out.refreshed) or d.failed else 0
