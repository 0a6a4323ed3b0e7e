"""The weekly summary, and its delivery."""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from trendline.core.locks import store_lock
from trendline.flows.ops import announce_failure
from trendline.flows.resources import current
from trendline.flows.steps import prefect_step
from trendline.tasks.publish import DeliveryOutcome, deliver, weekly
from trendline.tasks.publish.run_summary import weekly_markdown


@flow(name="weekly-summary", on_failure=[announce_failure],
      description="Render this week's summary (HTML, text, Markdown, charts) and send it "
      "to the `weekly` targets.")
def weekly_summary() -> tuple[str, DeliveryOutcome]:
    res = current()
    with store_lock(res.settings.database_url, wait=True):  # not beside a pipeline's writes
        path = prefect_step("weekly-summary", lambda: weekly(res))
    delivery = prefect_step("deliver", lambda: deliver(res))  # leases: no lock needed
    create_markdown_artifact(
        key="weekly-summary",
        markdown=weekly_markdown(path, delivery),
        description="This week's summary and its delivery.",
    )
    return str(path), delivery
