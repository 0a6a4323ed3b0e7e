"""The run summaries published as Prefect Markdown artifacts (from the flow layer): what
each source did, what was evaluated, fired and sent, and where the report is; and the
weekly summary's. Record text goes through the one Markdown escaper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trendline.tasks.publish import markdown as md
from trendline.tasks.publish.render import safe_url


def markdown(refreshed: list[Any], evaluation: Any, report: Path, delivery: Any,
             base_url: str = "") -> str:
    failed = [r for r in refreshed if r.status == "failed"]
    ok = len(refreshed) - len(failed)
    path = Path(report).resolve()
    link = f"{base_url.rstrip('/')}/{path.name}" if safe_url(base_url) else path.as_uri()
    lines = [
        "# Trendline pipeline run",
        "",
        f"**Report:** {md.link(path.name, link)}",
        "",
        f"**Sources:** {ok} of {len(refreshed)} refreshed"
        + (f", {len(failed)} failed" if failed else ""),
        "",
        "| source | status | read | written | note |",
        "|---|---|---:|---:|---|",
    ]
    for r in refreshed:  # a source's message may quote what it was sent: escaped
        status = "**failed**" if r.status == "failed" else md.text(r.status)
        lines.append(f"| {md.text(r.source)} | {status} | {r.rows_read:,} | "
                     f"{r.rows_written:,} | {md.text(r.message or '')} |")
    errors = getattr(evaluation, "errors", {}) or {}
    lines += [
        "",
        f"**Indicators evaluated:** {len(evaluation.evaluations)}"
        + (f" ({len(errors)} failed: {md.text(', '.join(sorted(errors)))})" if errors else ""),
        "",
        f"**Alerts:** {evaluation.fired} fired, {evaluation.resolved} resolved",
        "",
        f"**Messages:** {delivery.sent} sent, {delivery.failed} failed, "
        f"{delivery.waiting} waiting",
    ]
    return "\n".join(lines) + "\n"


def weekly_markdown(summary: Path, delivery: Any) -> str:
    """The weekly summary's artifact: a link to it and what was sent."""
    path = Path(summary).resolve()
    return (f"# Weekly summary\n\n{md.link(f'{path.parent.name}/{path.name}', path.as_uri())}"
            f"\n\nMessages: {delivery.sent} sent, {delivery.failed} failed, "
            f"{delivery.waiting} waiting\n")
