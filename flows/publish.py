"""Delivery of the outbox, and the weekly summary."""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from trendline.core.resources import open_resources
from trendline.flows.steps import prefect_step
from trendline.tasks.publish import DeliveryOutcome, deliver, weekly


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
    delivery = prefect_step("deliver", lambda: deliver(res))
    create_markdown_artifact(
        key="weekly-summary",
        markdown=f"# Weekly summary\n\n[{Path(path).parent.name}/summary.html]"
        f"({Path(path).resolve().as_uri()})\n\nMessages: {delivery.sent} sent, "
        f"{delivery.failed} failed, {delivery.waiting} waiting\n",
        description="This week's summary and its delivery.",
    )
    return str(path), delivery
