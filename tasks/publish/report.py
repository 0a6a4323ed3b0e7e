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
from trendline.core.files import atomic_write
from trendline.core.settings import Settings
from trendline.indicators.base import BRIEF, SEVERITIES, sorted_periods
from trendline.indicators.registry import all_indicators
from trendline.tasks.evaluate import alerts as alert_state
from trendline.tasks.evaluate import verdicts as verdict_state
from trendline.tasks.publish import links
from trendline.tasks.publish.alert_evidence import evidence_file, write_evidence
from trendline.tasks.publish.brief import grouped
from trendline.tasks.publish.changes import LISTS, org_names
from trendline.tasks.publish.render import native_names, render, safe_url
from trendline.tasks.publish.revisions import of_latest_evaluation

EVIDENCE_SHOWN = 5
# where an alert stands, for the order of a report: news, firing now, quiet, gone, history
STANDING = {"current": 1, "acked": 2, "silenced": 2, "pending": 3, "no_data": 3,
            "resolved": 4, "history": 5}


def overview(conn, only: str | None = None) -> list[dict[str, Any]]:
    """The latest value of every evaluated indicator (or of `only`), its series, baseline
    and status."""
    inds = all_indicators()
    rows = _latest_in_full(conn, only)
    a = schema.alerts
    firing = [dict(r) for r in conn.execute(  # labels only: no alert JSON is read
        sa.select(a.c.indicator_id, a.c.severity, a.c.period).where(a.c.state == "firing"))
        .mappings()]
    judged = verdict_state.load(conn)
    by_ind: dict[str, list] = {}
    for r in rows:
        by_ind.setdefault(r["indicator_id"], []).append(r)
    out = []
    for ind_id, points in sorted(by_ind.items(), key=lambda kv: (
            inds[kv[0]].order if kv[0] in inds else 999, kv[0])):
        order = {p: i for i, p in enumerate(sorted_periods(r["period"] for r in points))}
        points = sorted(points, key=lambda r: order[r["period"]])
        last = points[-1]
        points = [p for p in points if p["period"]]  # "" marks an indicator with no data yet
        severities = [a["severity"] for a in firing if a["indicator_id"] == ind_id]
        ind = inds.get(ind_id)
        if ind is None:  # evaluated once, no longer declared: nothing to say about it
            continue
        out.append(
            {
                **declared(ind),
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
                    {"period": p["period"], "value": p["value"], "detail": p["detail"],
                     "evidence_count": p["evidence_count"]}
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


def _latest_in_full(conn, only: str | None = None) -> list[dict]:
    """Every period's value of the subject `all` (series columns only), and the latest
    period of each indicator in full (its evidence sample, query, provenance): the
    samples of older periods are never read (pages and the CLI stay fast)."""
    t = schema.indicator_values
    q = (sa.select(t.c.indicator_id, t.c.period, t.c.value, t.c.detail, t.c.evidence_count)
         .where(t.c.subject == "all"))
    if only:
        q = q.where(t.c.indicator_id == only)
    light = [dict(r) for r in conn.execute(q).mappings()]
    periods: dict[str, list[str]] = {}
    for r in light:
        periods.setdefault(r["indicator_id"], []).append(r["period"])
    latest = {i: sorted_periods(ps)[-1] for i, ps in periods.items()}
    if not latest:
        return []
    full = {(r["indicator_id"], r["period"]): dict(r) for r in conn.execute(
        sa.select(t).where(t.c.subject == "all", sa.or_(*(
            sa.and_(t.c.indicator_id == i, t.c.period == p) for i, p in latest.items()))))
        .mappings()}
    return [full.get((r["indicator_id"], r["period"]), r) for r in light]


def declared(ind) -> dict[str, Any]:
    """What the declaration says about an indicator, for the templates and the CLI: its
    place in the brief, its series with units and words, what its chart draws."""
    return {
        "id": ind.id, "title": ind.title, "unit": ind.unit, "group": ind.group,
        "order": ind.order, "headline": ind.baseline.headline,
        "units": {s.name: s.unit for s in ind.series},
        "labels": {s.name: s.label for s in ind.series},
        "directions": {s.name: {"up": s.up, "down": s.down} for s in ind.series if s.up},
        "chart": [(ind.series_of(n).label or n, n) for n in ind.chart],
        "chart_unit": ind.series_of(ind.chart[0]).unit if ind.chart else ind.unit,
        "judged": ind.judged,
    }


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
        "revised": row.get("revised") or "",  # a source revised its series since the summary
        "trend": [list(p) for p in row["trend"] or []],  # the fitted line: [year, value]
        "evaluated_at": row["evaluated_at"],
    }


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
            key = m.get("org_id") or org
            if not org or key in out:  # one organisation once, by id, whatever its name
                continue
            out[key] = {
                "name": org,
                "native": native_names(names.get(m.get("org_id") or "", {})),
                "lists": ", ".join(LISTS.get(x, x) for x in m.get("lists") or []),
                "listed_on": m.get("listed_on") or "",
                "at_the_time": bool(m.get("listed_at_the_time")),
            }
    return sorted(out.values(), key=lambda o: (o["listed_on"], o["name"]))


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


def alert_message(conn, items: list[dict], now: dt.datetime,
                  web_url: str = "") -> tuple[str, dict[str, Any]]:
    """(subject, context) of the message announcing `items` (alert state changes). As in
    Alertmanager, it also holds the alerts that were already firing, so the count in
    the subject is the number of firing alerts, and the changes come first."""
    changed = {a["id"] for a in items}
    rest = [{**a, "change": "current"} for a in alert_state.firing(conn)
            if a["id"] not in changed]
    every = [*items, *rest]
    title = alert_title(every)
    return title, alert_context(conn, every, title, now, web_url=web_url)


def any_demo(items: list[dict]) -> bool:
    return any(e.get("demo") for a in items for e in a.get("evidence") or [])


def alert_context(conn, items: list[dict], title: str, now: dt.datetime,
                  base_url: str = "", web_url: str = "") -> dict[str, Any]:
    """items: alert rows, each with a `change` (firing, escalated, repeat, resolved, current).
    They come grouped by indicator, the most severe group first. `base_url`: where the
    reports folder is published, for absolute links to the evidence files; `web_url`:
    where the workspace is, whose alert, evidence and indicator pages are linked instead."""
    inds = all_indicators()
    names = org_names(conn)
    groups: dict[str, dict] = {}
    for a in items:
        ind = inds.get(a["indicator_id"])
        a.setdefault("title", ind.title if ind else a["indicator_id"])
        a.setdefault("unit", ind.unit if ind else "")
        a["explanation"] = a["message"]  # one sentence, written once by the rule
        records = _newest_first(list(a.get("evidence") or []))
        a["records"] = records[:EVIDENCE_SHOWN]
        a["more_records"] = max(0, (a.get("member_count") or len(records)) - len(a["records"]))
        a["orgs"] = named_orgs(records, names)
        a["evidence_file"] = evidence_file(a["id"])
        a["evidence_url"] = (f"{base_url.rstrip('/')}/{a['evidence_file']}"
                             if safe_url(base_url) else "")
        a["evidence_label"] = a["evidence_file"]
        a["page_url"] = links.alert_url(web_url, a["id"])
        if a["page_url"]:  # the workspace lists every record; no file to name
            a["evidence_url"] = links.evidence_url(web_url, a["indicator_id"], a["period"],
                                                   a["subject"])
            a["evidence_label"] = "every record in the workspace"
        a["demo"] = any(e.get("demo") for e in records)
        group = groups.setdefault(
            a["indicator_id"],
            {"id": a["indicator_id"], "title": a["title"], "alerts": [],
             "brief": ind.baseline.headline if ind else "",
             "brief_summary": ind.baseline.summary if ind else "",
             "url": links.indicator_url(web_url, a["indicator_id"])},
        )
        group["alerts"].append(a)
    rank = SEVERITIES.index
    for g in groups.values():
        # news first, then what fires now, history last; most severe, newest period first
        g["alerts"].sort(key=lambda a: (STANDING.get(a["change"], 0), -rank(a["severity"]),
                                        _neg_period(a["period"]), a["subject"]))
        lead = g["alerts"][0]
        g["standing"] = STANDING.get(lead["change"], 0)
        g["severity"] = lead["severity"]
        g["changed"] = sum(1 for a in g["alerts"] if STANDING.get(a["change"], 0) == 0)
    counts = {s: sum(1 for a in items if a["severity"] == s) for s in reversed(SEVERITIES)}
    indicators = overview(conn)
    table = grouped(indicators, now.date())
    for row in (r for g in table for r in g["rows"]):
        row["url"] = links.indicator_url(web_url, row["id"])
    return {
        "title": title,
        "generated_at": now.strftime("%Y-%m-%d %H:%M UTC"),
        "alerts": items,
        "firing": sum(1 for a in items if a["change"] != "resolved"),
        "groups": sorted(groups.values(),  # news first, history-only groups last
                         key=lambda g: (g["standing"], -rank(g["severity"]), g["id"])),
        "counts": counts,
        "indicators": indicators,
        "table": table,
        "demo": any_demo(items) or any(e.get("demo") for i in indicators
                                       for e in i["evidence"]),
        "citation": BRIEF,
        "version": __version__,
        "revisions": [],  # data-health notices of source revisions (the report, the summary)
    }


def _neg_period(period: str) -> tuple:
    digits = re.sub(r"\D", "", period)[:8]
    return (-int(digits),) if digits else (0,)


def write_report(engine: Engine, settings: Settings, now: dt.datetime) -> Path:
    """The alert report for this run: every firing alert and every indicator, three formats,
    and the evidence of every alert as CSV files beside it."""
    folder = settings.reports_dir
    folder.mkdir(parents=True, exist_ok=True)
    with engine.connect() as conn:
        items = alert_state.report_rows(conn, settings, now)  # firing, no_data, history
        title = f"Trendline alert report, {now:%Y-%m-%d}"
        ctx = alert_context(conn, items, title, now, web_url=settings.web.base_url)
        ctx["revisions"] = of_latest_evaluation(conn, settings.alerts.revision_tolerance)
        write_evidence(conn, folder, items)
    for a in items:  # the report sits beside the files: relative links work
        if not a["page_url"]:
            a["evidence_url"] = a["evidence_file"]
    stem = f"alerts-{now:%Y-%m-%d}"
    for fmt, text in render("alert", ctx).items():
        atomic_write(folder / f"{stem}.{fmt}", text)
    return folder / f"{stem}.html"
