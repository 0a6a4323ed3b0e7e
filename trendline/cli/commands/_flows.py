"""Running a flow from a command, and printing what it did."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from trendline.cli import context
from trendline.flows.embedded import prefect_session


def run_flow(load: Callable[[], Callable], **params: Any) -> Any:
    """`load` imports and returns the flow, so Prefect is imported only when needed."""
    settings = context.settings()
    config = click.get_current_context().find_root().obj.get("config")
    with prefect_session(settings) as server_ready:
        flow = load()
        server_ready()
        return flow(config=config, **params)


def echo_refresh(outcomes) -> None:
    for r in outcomes:
        click.echo(f"  {r.line()}")
        for reject in r.rejects[:10]:
            click.echo(f"    rejected {reject}")
        if len(r.rejects) > 10:
            click.echo(f"    ... and {len(r.rejects) - 10} more rejected rows")
