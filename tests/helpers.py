"""Test helpers: a recording Apprise target, and the plain pipeline on given settings."""

from __future__ import annotations

import apprise

from trendline.core.db import engine_for
from trendline.core.resources import Resources
from trendline.tasks.pipeline import pipeline

CAPTURED: list[dict] = []


@apprise.decorators.notify(on="capture")
def _capture(body, title, notify_type, meta, *args, **kwargs):
    CAPTURED.append({"title": title, "body": body, "url": meta.get("url", "")})
    return True


def run_pipeline(engine, settings, **kw):
    """trendline.tasks.pipeline.pipeline on this engine and settings (no Prefect)."""
    out = pipeline(Resources(settings, engine, **kw))
    return out.refreshed, out.evaluation, out.report, out.delivery


__all__ = ["CAPTURED", "engine_for", "run_pipeline"]
