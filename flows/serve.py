"""Deployments with cron schedules, served from one process."""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

from flows.pipeline import pipeline
from flows.publish import weekly_summary
from trendline.settings import Settings


def deployments(settings: Settings, config: str | None):
    tz, params = settings.schedule.timezone, {"config": config}
    return [
        pipeline.to_deployment(
            name="daily",
            description="Daily: refresh every source, evaluate every indicator, alert.",
            parameters=params,
            schedule=Cron(settings.schedule.pipeline_cron, timezone=tz),
        ),
        weekly_summary.to_deployment(
            name="weekly",
            description="Weekly: the summary email of what changed, against the brief.",
            parameters=params,
            schedule=Cron(settings.schedule.weekly_cron, timezone=tz),
        ),
    ]


def serve_all(settings: Settings, config: str | None) -> None:
    serve(*deployments(settings, config))
