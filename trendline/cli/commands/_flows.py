"""Running a flow from a command (its resources handed down, typed run options only), and
printing what it did."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from trendline.cli import context
from trendline.flows.embedded import prefect_session
from trendline.flows.resources import handed


def run_flow(load: Callable[[], Callable], **options: Any) -> Any:
    """`load` imports and returns the flow, so Prefect is imported only when needed."""
    res = context.resources()
    with prefect_session(res.settings) as server_ready:
        flow = load()
        server_ready()
        with handed(res):
            return flow(**options)


def echo_refresh(outcomes) -> None:
    for r in outcomes:
        click.echo(f"  {r.line()}")
        for reject in r.rejects[:10]:
            click.echo(f"    rejected {reject}")
        if len(r.rejects) > 10:
            click.echo(f"    ... and {len(r.rejects) - 10} more rejected rows")
