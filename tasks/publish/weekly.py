"""The weekly summary: rendered once per ISO week, written to the reports folder and
queued for the `weekly` targets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Engine

from tasks.publish import outbox
from tasks.publish.render import render
from tasks.publish.report import weekly_context
from trendline.settings import Settings


def build_weekly(engine: Engine, settings: Settings, now: dt.datetime) -> tuple[Path, str | None]:
    ctx, charts = weekly_context(engine, settings, now)
    folder = settings.reports_dir / f"weekly-{ctx['week']}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, png in charts.items():
        (folder / name).write_bytes(png)
    bodies = render("weekly", ctx)
    for fmt, text in bodies.items():
        (folder / f"summary.{fmt}").write_text(text, encoding="utf-8")
    with engine.begin() as conn:
        mid = outbox.enqueue(
            conn,
            f"weekly:{ctx['week']}",
            "weekly",
            ctx["title"],
            bodies,
            [str((folder / n).resolve()) for n in charts],
            now,
        )
    return folder / "summary.html", mid
