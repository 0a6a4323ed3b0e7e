"""Deployments with cron schedules, served from one process."""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

from flows.deliver import weekly_summary
from flows.pipeline import pipeline
from trendline.settings import Settings


def deployments(settings: Settings, config: str | None):
    tz, params = settings.schedule.timezone, {"config": config}
    return [
        pipeline.to_deployment(
            name="daily",
            parameters=params,
            schedule=Cron(settings.schedule.pipeline_cron, timezone=tz),
        ),
        weekly_summary.to_deployment(
            name="weekly",
            parameters=params,
            schedule=Cron(settings.schedule.weekly_cron, timezone=tz),
        ),
    ]


def serve_all(settings: Settings, config: str | None) -> None:
    serve(*deployments(settings, config))
