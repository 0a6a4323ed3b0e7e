"""Deliver what waits in the outbox, and the weekly summary."""

from __future__ import annotations

from prefect import flow, task

from flows.common import setup
from tasks.notify import DeliveryOutcome, deliver
from tasks.weekly import build_weekly
from trendline.db import utcnow


@task(retries=1, retry_delay_seconds=30)
def deliver_outbox(config: str | None, overrides: dict | None = None) -> DeliveryOutcome:
    settings, engine = setup(config, overrides)
    return deliver(engine, settings)


@task
def weekly_report(config: str | None, overrides: dict | None = None) -> str:
    settings, engine = setup(config, overrides)
    path, _ = build_weekly(engine, settings, utcnow())
    return str(path)


@flow(name="deliver")
def deliver_messages(config: str | None = None, overrides: dict | None = None) -> DeliveryOutcome:
    return deliver_outbox(config, overrides)


@flow(name="weekly-summary")
def weekly_summary(
    config: str | None = None, overrides: dict | None = None
) -> tuple[str, DeliveryOutcome]:
    path = weekly_report(config, overrides)
    return path, deliver_outbox(config, overrides)
