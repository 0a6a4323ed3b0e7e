"""Deployments with cron schedules, served from one process."""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

from trendline.core.settings import Settings
from trendline.flows.pipeline import pipeline
from trendline.flows.publish import weekly_summary


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
