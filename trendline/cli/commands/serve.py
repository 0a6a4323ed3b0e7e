"""trendline serve: serve the scheduled deployments."""

from __future__ import annotations

from pathlib import Path

import click

from trendline.cli import context
from trendline.core.settings import apply_prefect_environment


@click.command("serve")
def command() -> None:
    """Serve the deployments with their cron schedules from config (daily pipeline, weekly
    summary). Point PREFECT_API_URL at a running `prefect server start` to see runs in
    its UI."""
    settings = context.settings()
    apply_prefect_environment(settings)
    from trendline.flows.serve import serve_all

    config = click.get_current_context().find_root().obj.get("config")
    config = str(Path(config).resolve()) if config else None
    click.echo(
        f"Serving: pipeline '{settings.schedule.pipeline_cron}', weekly summary "
        f"'{settings.schedule.weekly_cron}' ({settings.schedule.timezone}). Ctrl-C stops."
    )
    serve_all(settings, config)
