"""Contexts for the templates, read from the store: the indicator overview, and the alert
report written on every run (with each alert's full evidence as a CSV beside it)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from trendline import __version__
from trendline.core import schema
from trendline.core.csvfile import write_csv
from trendline.core.files import atomic_write
from trendline.core.settings import Settings
from trendline.indicators.base import BRIEF, SEVERITIES, sorted_periods
from trendline.indicators.registry import all_indicators
from trendline.tasks.evaluate import alerts as alert_state
from trendline.tasks.evaluate import verdicts as verdict_state
from trendline.tasks.publish.brief import FIGURES, grouped
from trendline.tasks.publish.changes import LISTS, org_names
from trendline.tasks.publish.render import native_names, number, render, safe_url

EVIDENCE_DIR = "evidence"  # beside the report: evidence/<alert id>.csv
EVIDENCE_SHOWN = 5


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
    judged = verdict_state.load(conn)
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
                "verdict": verdict(judged.get((ind_id, "all"))),
                "period": last["period"] or None,
                "value": last["value"],
                "detail": last["detail"],
                "partial": bool(last["detail"].get("partial")),  # the period is still filling in
                "baseline": last["baseline"],
                "status": max(severities, key=SEVERITIES.index)
                if severities
                else ("ok" if points else "no_data"),
                "alerts_firing": len(severities),
                "alert_periods": sorted({a["period"] for a in firing
                                         if a["indicator_id"] == ind_id}),
                "series": [
                    {"period": p["period"], "value": p["value"], "detail": p["detail"]}
                    for p in points
                ],
                "evidence_count": len(last["evidence"]),
                "evidence": last["evidence"],
                "query": last["query"],
                "provenance": last["provenance"],
                "evaluated_at": last["evaluated_at"].isoformat() if last["evaluated_at"] else None,
            }
        )
    return out


def verdict(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored verdict as the overview shows it: the label and its numbers first."""
    if row is None:
        return None
    return {
        "verdict": row["verdict"],
        "growth": row["growth"],
        "growth_low": row["growth_low"],
        "growth_high": row["growth_high"],
        "change_points": list(row["change_points"] or []),
        "explanation": row["explanation"],
        "kind": row["kind"],
        "window": [row["window_start"], row["window_end"]],
        "brief_growth": row["brief_growth"],
        "previous": row["previous"],
        "changed_period": row["changed_period"],
        "trend": [list(p) for p in row["trend"] or []],  # the fitted line: [year, value]
        "evaluated_at": row["evaluated_at"],
    }


# ---- alerts in plain words ---------------------------------------------------------------

def explain(a: dict[str, Any], title: str, unit: str) -> str:
    """What the alert says, in words, without the rule's shorthand."""
    if not a.get("rule"):  # an ops incident: its message says it
        return a.get("message") or ""
    kind, _, rest = a["rule"].partition(":")
    series = rest.split(":", 1)[0] if rest else "value"
    # a named series shares the indicator's unit when it is money, a share or a percentage
    val_unit = unit if series == "value" or unit in ("USD", "share", "%") else ""
    val_unit = "USD" if "amount" in series or "usd" in series else val_unit
    value, thr = a.get("value"), a.get("threshold")
    what = title if series == "value" else f"{title} ({series.replace('_', ' ')})"
    v = number(value, val_unit)
    if kind == "yoy" and thr is not None:
        return f"{what} grew by {thr * 100:.0f}% or more in a year, to {v} in {a['period']}."
    if kind in ("absolute", "share") and thr is not None:
        return f"{what} reached {v} in {a['period']}, past the alert level of " \
               f"{number(thr, val_unit)}."
    if kind == "zscore" and thr is not None:
        return f"{what}: {v} in {a['period']} is more than {thr:g} standard deviations " \
               "above the years before."
    if kind == "crossover":
        other = rest.split(":")[-1]
        return f"{what}: {v} in {a['period']}, above {other} for the first time."
    detail = a["message"].removeprefix(f"{title}: ")
    return f"New: {detail}" if kind in ("any_new", "new_member") else detail


def _newest_first(records: list[dict]) -> list[dict]:
    def key(e: dict) -> str:
        return str(e.get("date") or e.get("year") or e.get("period") or "")

    return sorted(records, key=key, reverse=True)


def named_orgs(records: list[dict], names: dict[str, dict]) -> list[dict]:
    """The watch-listed organisations the evidence matched, with their listing dates."""
    out: dict[str, dict] = {}
    for e in records:
        for m in e.get("matched") or []:
            org = m.get("org") or ""
            if not org or org in out:
                continue
            out[org] = {
                "name": org,
                "native": native_names(names.get(m.get("org_id") or "", {})),
                "lists": ", ".join(LISTS.get(x, x) for x in m.get("lists") or []),
                "listed_on": m.get("listed_on") or "",
                "at_the_time": bool(m.get("listed_at_the_time")),
            }
    return sorted(out.values(), key=lambda o: (o["listed_on"], o["name"]))


def evidence_file(alert_id: str) -> str:
    return f"{EVIDENCE_DIR}/{alert_id}.csv"


def alert_title(items: list[dict]) -> str:
    """Like Alertmanager's: `[FIRING:133] [DEMO] Trendline: 3 new, 130 already firing
    (...)`, counting every firing alert the message holds."""
    firing = sum(1 for a in items if a["change"] != "resolved")
    resolved = len(items) - firing
    state = f"[FIRING:{firing}]" if firing else f"[RESOLVED:{resolved}]"
    demo = " [DEMO]" if any_demo(items) else ""
    counts: dict[str, int] = {}
    for a in items:
        counts[a["change"]] = counts.get(a["change"], 0) + 1
    words = {"firing": "new", "escalated": "escalated", "repeat": "still firing",
             "resolved": "resolved", "current": "already firing"}
    order = list(words)
    parts = ", ".join(f"{counts[c]} {words.get(c, c)}"
                      for c in sorted(counts, key=lambda c: order.index(c) if c in order else 9))
    news = [a for a in items if a["change"] not in ("resolved", "current")] or items
    ids = sorted({a["indicator_id"] for a in news})
    tail = ", ".join(ids[:2]) + (f" and {len(ids) - 2} more" if len(ids) > 2 else "")
    tail = f" ({tail})" if tail else ""
    return f"{state}{demo} Trendline: {parts}{tail}"


def alert_message(conn, items: list[dict], now: dt.datetime) -> tuple[str, dict[str, Any]]:
    """(subject, context) of the message announcing `items` (alert state changes). As in
    Alertmanager, it also holds the alerts that were already firing, so the count in
    the subject is the number of firing alerts, and the changes come first."""
    changed = {a["id"] for a in items}
    rest = [{**a, "change": "current"} for a in alert_state.firing(conn)
            if a["id"] not in changed]
    every = [*items, *rest]
    title = alert_title(every)
    return title, alert_context(conn, every, title, now)


def any_demo(items: list[dict]) -> bool:
    return any(e.get("demo") for a in items for e in a.get("evidence") or [])


def alert_context(conn, items: list[dict], title: str, now: dt.datetime,
                  base_url: str = "") -> dict[str, Any]:
    """items: alert rows, each with a `change` (firing, escalated, repeat, resolved, current).
    They come grouped by indicator, the most severe group first. `base_url`: where the
    reports folder is published, for absolute links to the evidence files."""
    inds = all_indicators()
    names = org_names(conn)
    groups: dict[str, dict] = {}
    for a in items:
        ind = inds.get(a["indicator_id"])
        a.setdefault("title", ind.title if ind else a["indicator_id"])
        a.setdefault("unit", ind.unit if ind else "")
        a["detail"] = a["message"].removeprefix(f"{a['title']}: ")
        a["explanation"] = explain(a, a["title"], a["unit"])
        records = _newest_first(list(a.get("evidence") or []))
        a["records"] = records[:EVIDENCE_SHOWN]
        a["more_records"] = max(0, len(records) - EVIDENCE_SHOWN)
        a["orgs"] = named_orgs(records, names)
        a["evidence_file"] = evidence_file(a["id"])
        a["evidence_url"] = (f"{base_url.rstrip('/')}/{a['evidence_file']}"
                             if safe_url(base_url) else "")
        a["demo"] = any(e.get("demo") for e in records)
        group = groups.setdefault(
            a["indicator_id"],
            {"id": a["indicator_id"], "title": a["title"], "alerts": [],
             "brief": FIGURES.get(a["indicator_id"], ""),
             "brief_summary": ind.baseline.summary if ind else ""},
        )
        group["alerts"].append(a)
    rank = SEVERITIES.index
    for g in groups.values():
        # most severe first, then the newest period first
        g["alerts"].sort(key=lambda a: (a["change"] == "current", -rank(a["severity"]),
                                        _neg_period(a["period"]), a["subject"]))
        g["severity"] = max((a["severity"] for a in g["alerts"]), key=rank)
        g["changed"] = sum(1 for a in g["alerts"] if a["change"] != "current")
    counts = {s: sum(1 for a in items if a["severity"] == s) for s in reversed(SEVERITIES)}
    indicators = overview(conn)
    return {
        "title": title,
        "generated_at": now.strftime("%Y-%m-%d %H:%M UTC"),
        "alerts": items,
        "firing": sum(1 for a in items if a["change"] != "resolved"),
        "groups": sorted(groups.values(),  # groups with news first
                         key=lambda g: (not g["changed"], -rank(g["severity"]), g["id"])),
        "counts": counts,
        "indicators": indicators,
        "table": grouped(indicators, now.date()),
        "demo": any_demo(items) or any(e.get("demo") for i in indicators
                                       for e in i["evidence"]),
        "citation": BRIEF,
        "version": __version__,
    }


def _neg_period(period: str) -> tuple:
    digits = re.sub(r"\D", "", period)[:8]
    return (-int(digits),) if digits else (0,)


def write_evidence(folder: Path, items: list[dict]) -> None:
    """Each alert's full evidence as a CSV beside the report, newest records first."""
    out = folder / EVIDENCE_DIR
    out.mkdir(parents=True, exist_ok=True)
    cols = ["kind", "id", "date", "label", "url", "organisations", "listed_on", "demo"]
    for a in items:
        rows = []
        for e in _newest_first(list(a.get("evidence") or [])):
            matched = e.get("matched") or []
            rows.append([
                e.get("kind", ""), e.get("id", ""),
                e.get("date") or e.get("year") or e.get("period") or "",
                e.get("label") or e.get("title") or "",
                "" if e.get("demo") else (e.get("url") or e.get("doi") or ""),
                "; ".join(m.get("org", "") for m in matched),
                "; ".join(str(m.get("listed_on") or "") for m in matched),
                "yes" if e.get("demo") else "",
            ])
        write_csv(out / f"{a['id']}.csv", cols, rows)


def write_report(engine: Engine, settings: Settings, now: dt.datetime) -> Path:
    """The alert report for this run: every firing alert and every indicator, three formats,
    and the evidence of every alert as CSV files beside it."""
    with engine.connect() as conn:
        items = alert_state.report_rows(conn, settings, now)  # firing, no_data, history
        title = f"Trendline alert report, {now:%Y-%m-%d}"
        ctx = alert_context(conn, items, title, now)
    folder = settings.reports_dir
    folder.mkdir(parents=True, exist_ok=True)
    write_evidence(folder, items)
    for a in items:  # the report sits beside the files: relative links work
        a["evidence_url"] = a["evidence_file"]
    stem = f"alerts-{now:%Y-%m-%d}"
    for fmt, text in render("alert", ctx).items():
        atomic_write(folder / f"{stem}.{fmt}", text)
    return folder / f"{stem}.html"
