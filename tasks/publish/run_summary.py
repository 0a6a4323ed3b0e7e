"""The run summary a pipeline run publishes (as a Prefect Markdown artifact, from the flow
layer): what each source did, what was evaluated, fired and sent, and where the report is."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def markdown(refreshed: list[Any], evaluation: Any, report: Path, delivery: Any,
             base_url: str = "") -> str:
    failed = [r for r in refreshed if r.status == "failed"]
    ok = len(refreshed) - len(failed)
    path = Path(report).resolve()
    link = f"{base_url.rstrip('/')}/{path.name}" if base_url else path.as_uri()
    lines = [
        "# Trendline pipeline run",
        "",
        f"**Report:** [{path.name}]({link})",
        "",
        f"**Sources:** {ok} of {len(refreshed)} refreshed"
        + (f", {len(failed)} failed" if failed else ""),
        "",
        "| source | status | read | written | note |",
        "|---|---|---:|---:|---|",
    ]
    for r in refreshed:
        note = (r.message or "").replace("|", "/").replace("\n", " ")
        lines.append(f"| {r.source} | {'**failed**' if r.status == 'failed' else r.status} "
                     f"| {r.rows_read:,} | {r.rows_written:,} | {note} |")
    errors = getattr(evaluation, "errors", {}) or {}
    lines += [
        "",
        f"**Indicators evaluated:** {len(evaluation.evaluations)}"
        + (f" ({len(errors)} failed: {', '.join(sorted(errors))})" if errors else ""),
        "",
        f"**Alerts:** {evaluation.fired} fired, {evaluation.resolved} resolved",
        "",
        f"**Messages:** {delivery.sent} sent, {delivery.failed} failed, "
        f"{delivery.waiting} waiting",
    ]
    return "\n".join(lines) + "\n"
