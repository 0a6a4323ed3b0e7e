"""The weekly summary: what changed since the last one, the indicators against the brief,
then the details. Rendered once per ISO week into its own folder (HTML, text, Markdown,
charts, the full watch-list changes as CSV) and queued for the `weekly` targets.

The email's HTML refers to its charts as `cid:<file>` (the PNGs travel as attachments);
the HTML file on disk refers to the same files beside it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from trendline.core.csvfile import write_csv
from trendline.core.files import atomic_write
from trendline.core.settings import Settings
from trendline.indicators.registry import all_indicators
from trendline.indicators.verdict_labels import LABELS
from trendline.indicators.verdict_words import counted, meanings, word
from trendline.tasks.evaluate import alerts as alert_state
from trendline.tasks.publish import outbox
from trendline.tasks.publish.changes import last_summary, since_last
from trendline.tasks.publish.charts import chart_png
from trendline.tasks.publish.render import render
from trendline.tasks.publish.report import alert_context
from trendline.tasks.publish.revisions import notices

LIST_FILE = "watchlist-changes.csv"
FIRING_SHOWN = 3  # alerts per indicator named in the details


def weekly_context(
    engine: Engine, settings: Settings, now: dt.datetime
) -> tuple[dict[str, Any], dict[str, bytes], list[dict]]:
    """(template context, {file name: PNG}, every watch-list change)."""
    week = f"{now:%G-W%V}"
    with engine.connect() as conn:
        changed = since_last(conn, now)
        firing = alert_state.report_rows(conn, settings, now, history=False)  # silenced, acked
        ctx = alert_context(conn, firing, f"Trendline weekly summary, week {week}", now,
                            settings.reports.base_url, web_url=settings.web.base_url)
        ctx["revisions"] = notices(conn, last_summary(conn, now)[0],
                                   settings.alerts.revision_tolerance)
    inds = all_indicators()
    for kind in changed["alerts"].values():
        for a in kind["shown"]:
            ind = inds.get(a["indicator_id"])
            a["title"] = ind.title if ind else a["indicator_id"]
            a["explanation"] = a["message"]  # one sentence, written once by the rule
    charts: dict[str, bytes] = {}
    by_id = {i["id"]: i for i in ctx["indicators"]}
    judged = verdict_rows(ctx["table"], by_id)
    for group in ctx["table"]:
        for row in group["rows"]:
            row["chart"] = ""
            ind = by_id[row["id"]]
            if settings.reports.charts:
                png = chart_png(ind, set(ind["alert_periods"]), now.year)
                if png:
                    row["chart"] = f"{row['id']}.png"
                    charts[row["chart"]] = png
    base = settings.reports.base_url.rstrip("/")
    folder_rel = f"weekly-{week}"
    for g in ctx["groups"]:
        g["shown"] = g["alerts"][:FIRING_SHOWN]
    demo = ctx["demo"] or changed["demo"]
    ctx.update(
        verdicts=judged,
        verdict_counts=verdict_counts(judged),
        verdict_legend=[{"label": k, "word": word(k), "meaning": m}
                        for k, m in meanings(settings.verdicts.flat_band).items()],
        week=week,
        changed=changed,
        demo=demo,
        subject=("[DEMO] " if demo else "") + ctx["title"],
        list_file=LIST_FILE,
        list_url=f"{base}/{folder_rel}/{LIST_FILE}" if base else LIST_FILE,
        list_path=f"{LIST_FILE}, beside this summary (reports/{folder_rel}/ in the state "
                  "folder)",
        reports_url=base,
    )
    return ctx, charts, changed["list_rows"]


def verdict_rows(table: list[dict], by_id: dict[str, dict]) -> list[dict]:
    """Headline or trend line, one row per indicator with a verdict, in the brief's order:
    the verdict, its one line (which carries the rate and its 95% CI), and what it was if
    it changed."""
    out = []
    for group in table:
        for row in group["rows"]:
            v = by_id[row["id"]].get("verdict")
            if not v:
                continue
            out.append({
                "id": row["id"], "title": row["title"], "group": group["title"],
                "verdict": v["verdict"], "label": word(v["verdict"]),
                # a ratio that says what its fall means is not coloured as bad news
                "tone": "flat" if by_id[row["id"]].get("directions", {}).get("value")
                else v["verdict"],
                "explanation": v["explanation"],
                "was": word(v["previous"]) if v.get("previous") else "",
                "revised": v.get("revised") or "",  # since the last summary, by its source
                "window": "-".join(str(y) for y in v["window"] if y),
            })
    return out


def verdict_counts(rows: list[dict]) -> str:
    """`2 trends, 1 decline, 12 flat, 3 unclear, 9 too short to judge`."""
    n = {k: sum(1 for r in rows if r["verdict"] == k) for k in LABELS}
    return ", ".join(counted(k, c) for k, c in n.items() if c)


def write_list(path: Path, rows: list[dict]) -> None:
    cols = ["list", "change", "name", "native_names", "country", "listed_on", "university",
            "joint_papers", "source_url"]
    write_csv(path, cols, ([r["list_title"], r["change"], r["name"], r["native"],
                            r["country"] or "", r["listed_on"] or "",
                            "yes" if r["university"] else "", "yes" if r["joint_papers"] else "",
                            r["source_url"] or ""] for r in rows))


_LOCAL = re.compile(r'<a href="local:[^"]*">([^<]*)</a>')


def email_html(html: str) -> str:
    """Charts as `cid:` references; links to files beside the summary (which a mail reader
    cannot follow) as plain text."""
    return _LOCAL.sub(r"\1", html.replace('src="chart:', 'src="cid:'))


def file_html(html: str) -> str:
    """Charts and files by their names: they sit beside the summary."""
    return html.replace('src="chart:', 'src="').replace('href="local:', 'href="')


def build_weekly(engine: Engine, settings: Settings, now: dt.datetime) -> tuple[Path, str | None]:
    ctx, charts, list_rows = weekly_context(engine, settings, now)
    folder = settings.reports_dir / f"weekly-{ctx['week']}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, png in charts.items():
        atomic_write(folder / name, png)
    write_list(folder / LIST_FILE, list_rows)
    bodies = render("weekly", ctx)
    html = bodies["html"]
    files = {**bodies, "html": file_html(html)}
    for fmt, text in files.items():
        atomic_write(folder / f"summary.{fmt}", text)
    with engine.begin() as conn:
        mid = outbox.enqueue(
            conn,
            f"weekly:{ctx['week']}",
            "weekly",
            ctx["subject"],
            {**bodies, "html": email_html(html)},
            [str((folder / n).resolve()) for n in charts],
            now,
        )
    return folder / "summary.html", mid
