"""trendline serve: serve the scheduled deployments."""

from __future__ import annotations

import click

from trendline.cli import context
from trendline.core.settings import apply_prefect_environment, pin_config_file


@click.command("serve")
def command() -> None:
    """Serve the deployments with their cron schedules from config (daily pipeline, weekly
    summary). Point PREFECT_API_URL at a running `prefect server start` to see runs in
    its UI."""
    settings = context.settings()
    pin_config_file(context.config_path())  # every served run reads this server's config
    apply_prefect_environment(settings)
    from trendline.flows.serve import serve_all

    click.echo(
        f"Serving: pipeline '{settings.schedule.pipeline_cron}', weekly summary "
        f"'{settings.schedule.weekly_cron}' ({settings.schedule.timezone}). Ctrl-C stops."
    )
    serve_all(settings)
