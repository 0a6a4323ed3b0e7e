"""trendline silence add|list|expire: silences stored in the store (config ones still hold)."""

from __future__ import annotations

import click

from trendline.cli.commands._alerting import author, ends_at, now, store
from trendline.cli.commands._output import FORMAT, emit_json, table
from trendline.tasks.evaluate import alerts
from trendline.tasks.evaluate.alerts.silences import NotFound

COLUMNS = ["id", "alert_id", "indicator", "subject", "period", "severity", "ends_at",
           "author", "reason"]


def when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "expired by hand"


@click.group("silence")
def command() -> None:
    """Silence alerts by id or by matchers (globs); list and expire silences."""


@command.command("add")
@click.argument("alert_id", required=False)
@click.option("--indicator", help="Indicator id glob, e.g. 'research.*'.")
@click.option("--subject", help="Subject glob.")
@click.option("--period", help="Period glob, e.g. '2025'.")
@click.option("--severity", help="Severity glob: info, warning, critical.")
@click.option("--until", help="Last day it holds (YYYY-MM-DD), or an ISO date-time.")
@click.option("--for", "duration", help="How long it holds: 30m, 12h, 7d, 2w.")
@click.option("--reason", default="", help="Why; shown beside the silenced alerts.")
@click.option("--author", "who", help="Who silences (default: your user name).")
@FORMAT
def add(alert_id, indicator, subject, period, severity, until, duration, reason, who, fmt):
    """Silence ALERT_ID, or every alert the matchers select. Without --until or --for it
    holds until `trendline silence expire`."""
    _, engine = store()
    start = now()
    try:
        with engine.begin() as conn:
            row = alerts.add_silence(
                conn, start, alert_id=alert_id, ends_at=ends_at(until, duration, start),
                reason=reason, author=author(who), indicator=indicator, subject=subject,
                period=period, severity=severity,
            )
    except (NotFound, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        emit_json({k: row[k] for k in [*COLUMNS, "starts_at", "created_at"]})
    else:
        click.echo(f"Silence {row['id']} added, until {when(row['ends_at'])}")


@command.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include expired silences.")
@FORMAT
def list_(show_all: bool, fmt: str) -> None:
    """Stored silences in force (all with --all); config silences are in the config."""
    _, engine = store()
    with engine.connect() as conn:
        rows = alerts.list_silences(conn, now(), include_expired=show_all)
    if fmt == "json":
        emit_json(rows)
    else:
        shown = [{**r, "ends_at": when(r["ends_at"])} for r in rows]
        table(shown, [*COLUMNS, "active"] if show_all else COLUMNS)


@command.command("expire")
@click.argument("silence_id")
@FORMAT
def expire(silence_id: str, fmt: str) -> None:
    """End SILENCE_ID now; alerts it held that still fire are announced on the next run."""
    _, engine = store()
    try:
        with engine.begin() as conn:
            row = alerts.expire_silence(conn, silence_id, now())
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        emit_json(row)
    else:
        click.echo(f"Silence {row['id']} expired")
