"""Delivery of the outbox, and the weekly summary."""

from __future__ import annotations

from prefect import flow

from flows.steps import prefect_step
from tasks.publish import DeliveryOutcome, deliver, weekly
from trendline.resources import open_resources


@flow(name="deliver", description="Send what waits in the outbox to its Apprise targets.")
def deliver_messages(config: str | None = None, overrides: dict | None = None
                     ) -> DeliveryOutcome:
    res = open_resources(config, overrides)
    return prefect_step("deliver", lambda: deliver(res))


@flow(name="weekly-summary", description="Render this week's summary (HTML, text, Markdown, "
      "charts) and send it to the `weekly` targets.")
def weekly_summary(config: str | None = None, overrides: dict | None = None
                   ) -> tuple[str, DeliveryOutcome]:
    res = open_resources(config, overrides)
    path = prefect_step("weekly-summary", lambda: weekly(res))
    return str(path), prefect_step("deliver", lambda: deliver(res))
