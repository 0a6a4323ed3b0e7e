"""trendline summary: build this week's summary now and deliver it."""

from __future__ import annotations

import sys

import click

from trendline.cli import context
from trendline.cli.commands._flows import run_flow


def _flow():
    from trendline.flows.publish import weekly_summary

    return weekly_summary


@click.command("summary")
@click.option("--wait", is_flag=True, help="Wait for a run that holds the store to end.")
def command(wait: bool) -> None:
    """Render the weekly summary (HTML, text, Markdown, charts) and send it to the
    `weekly` targets; a week's summary is queued once, however often this runs."""
    from trendline.tasks.publish.notify import check_urls

    check_urls(context.settings())
    with context.exclusive(wait):  # the summary reads a store no run is writing
        path, delivery = run_flow(_flow)
    click.echo(f"Weekly summary: {path}")
    click.echo(
        f"Messages: {delivery.sent} sent, {delivery.failed} failed, {delivery.waiting} waiting"
    )
    if delivery.failed:
        sys.exit(1)
