"""Deployments with cron schedules, served from one process. They take no settings as
parameters: each run reads the serving process's own config file and environment."""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

from trendline.core.settings import Settings
from trendline.flows.pipeline import pipeline
from trendline.flows.publish import weekly_summary


def deployments(settings: Settings):
    tz = settings.schedule.timezone
    return [
        pipeline.to_deployment(
            name="daily",
            description="Daily: refresh every source, evaluate every indicator, alert.",
            schedule=Cron(settings.schedule.pipeline_cron, timezone=tz),
        ),
        weekly_summary.to_deployment(
            name="weekly",
            description="Weekly: the summary email of what changed, against the brief.",
            schedule=Cron(settings.schedule.weekly_cron, timezone=tz),
        ),
    ]


def serve_all(settings: Settings) -> None:
    serve(*deployments(settings))
