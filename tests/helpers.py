"""Test helpers: the pipeline's steps as plain calls, and a recording Apprise target."""

from __future__ import annotations

import apprise

from tasks.evaluation import evaluate_store
from tasks.match import match_store
from tasks.notify import build, deliver
from tasks.refresh import refresh_one
from tasks.report import write_report
from tasks.sources import all_sources
from trendline.db import utcnow

CAPTURED: list[dict] = []


@apprise.decorators.notify(on="capture")
def _capture(body, title, notify_type, meta, *args, **kwargs):
    CAPTURED.append({"title": title, "body": body, "url": meta.get("url", "")})
    return True


def run_pipeline(engine, settings, targets=None):
    """What the pipeline flow does, without Prefect."""
    refreshed = [refresh_one(engine, settings, m) for _, m in sorted(all_sources().items())]
    match_store(engine)
    evaluation = evaluate_store(engine, settings)
    report = write_report(engine, settings, utcnow())
    delivery = deliver(engine, settings, targets if targets is not None else build(settings))
    return refreshed, evaluation, report, delivery
