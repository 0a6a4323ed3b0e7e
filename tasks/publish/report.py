"""Contexts for the templates, read from the store: the indicator overview, the alert
report written on every run, and the weekly summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from indicators.base import BRIEF, SEVERITIES, sorted_periods
from indicators.registry import all_indicators
from tasks.evaluate import alerts as alert_state
from tasks.publish.render import chart_png, data_uri, render
from trendline import __version__, schema
from trendline.settings import Settings

CHARTS = ("research.joint_output", "investment.disclosed_flow")  # drawn in the weekly summary


def overview(conn) -> list[dict[str, Any]]:
    """The latest value of every evaluated indicator, its series, baseline and status."""
    inds = all_indicators()
    rows = (
        conn.execute(
            sa.select(schema.indicator_values).where(schema.indicator_values.c.subject == "all")
        )
        .mappings()
        .all()
    )
    firing = alert_state.firing(conn)
    by_ind: dict[str, list] = {}
    for r in rows:
        by_ind.setdefault(r["indicator_id"], []).append(r)
    out = []
    for ind_id, points in sorted(by_ind.items()):
        order = {p: i for i, p in enumerate(sorted_periods(r["period"] for r in points))}
        points = sorted(points, key=lambda r: order[r["period"]])
        last = points[-1]
        points = [p for p in points if p["period"]]  # "" marks an indicator with no data yet
        severities = [a["severity"] for a in firing if a["indicator_id"] == ind_id]
        ind = inds.get(ind_id)
        out.append(
            {
                "id": ind_id,
                "title": ind.title if ind else ind_id,
                "unit": ind.unit if ind else "",
                "period": last["period"] or None,
                "value": last["value"],
                "detail": last["detail"],
                "partial": bool(last["detail"].get("partial")),  # the period is still filling in
                "baseline": last["baseline"],
                "status": max(severities, key=SEVERITIES.index)
                if severities
                else ("ok" if points else "no_data"),
                "alerts_firing": len(severities),
                "series": [
                {"period": p["period"], "value": p["value"], "detail": p["detail"]} for p in points
            ],
                "evidence_count": len(last["evidence"]),
                "evidence": last["evidence"],
                "query": last["query"],
                "provenance": last["provenance"],
                "evaluated_at": last["evaluated_at"].isoformat() if last["evaluated_at"] else None,
            }
        )
    return out


def alert_context(conn, items: list[dict], title: str, now: dt.datetime) -> dict[str, Any]:
    """items: alert rows, each with a `change` (firing, escalated, repeat, resolved, current).
    They come grouped by indicator, the most severe group first."""
    inds = all_indicators()
    groups: dict[str, dict] = {}
    for a in items:
        ind = inds.get(a["indicator_id"])
        a.setdefault("title", ind.title if ind else a["indicator_id"])
        a.setdefault("unit", ind.unit if ind else "")
        a["detail"] = a["message"].removeprefix(f"{a['title']}: ")
        group = groups.setdefault(
            a["indicator_id"], {"id": a["indicator_id"], "title": a["title"], "alerts": []}
        )
        group["alerts"].append(a)
    rank = SEVERITIES.index
    for g in groups.values():
        g["alerts"].sort(key=lambda a: (-rank(a["severity"]), a["period"], a["subject"]))
        g["severity"] = g["alerts"][0]["severity"]
    counts = {s: sum(1 for a in items if a["severity"] == s) for s in reversed(SEVERITIES)}
    return {
        "title": title,
        "generated_at": now.strftime("%Y-%m-%d %H:%M UTC"),
        "alerts": items,
        "groups": sorted(groups.values(), key=lambda g: (-rank(g["severity"]), g["id"])),
        "counts": counts,
        "indicators": overview(conn),
        "citation": BRIEF,
        "version": __version__,
    }


def write_report(engine: Engine, settings: Settings, now: dt.datetime) -> Path:
    """The alert report for this run: every firing alert and every indicator, three formats."""
    with engine.connect() as conn:
        items = alert_state.report_rows(conn, settings, now)  # firing, no_data, history
        ctx = alert_context(conn, items, f"Trendline alert report, {now:%Y-%m-%d}", now)
    folder = settings.reports_dir
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"alerts-{now:%Y-%m-%d}"
    for fmt, text in render("alert", ctx).items():
        (folder / f"{stem}.{fmt}").write_text(text, encoding="utf-8")
    return folder / f"{stem}.html"


def weekly_context(
    engine: Engine, settings: Settings, now: dt.datetime
) -> tuple[dict, dict[str, bytes]]:
    since = now - dt.timedelta(days=7)
    with engine.connect() as conn:
        changes = [
            dict(r)
            for r in conn.execute(
                sa.select(schema.watchlist_changes).where(
                    schema.watchlist_changes.c.detected_at >= since
                )
            ).mappings()
        ]
        recent = [
            dict(r)
            for r in conn.execute(
                sa.select(schema.alerts).where(schema.alerts.c.first_fired_at >= since)
            ).mappings()
        ]
        ctx = alert_context(
            conn,
            alert_state.report_rows(conn, settings, now, history=False),  # silenced, acked
            f"Trendline weekly summary, week {now:%G-W%V}",
            now,
        )
    charts: dict[str, bytes] = {}
    if settings.reports.charts:
        for row in ctx["indicators"]:
            if row["id"] in CHARTS:
                series = {"value": {p["period"]: p["value"] for p in row["series"]}}
                charts[f"{row['id']}.png"] = chart_png(row["title"], series, row["unit"])
    ctx.update(
        week=f"{now:%G-W%V}",
        new_alerts=len(recent),
        watchlist_changes=sorted(changes, key=lambda c: (c["list_name"], c["change"], c["name"])),
        charts=[{"name": n, "uri": data_uri(png)} for n, png in charts.items()],
    )
    return ctx, charts
