"""Shared by ack, unack, silence and alerts: the store, the author, JSON-safe rows."""

from __future__ import annotations

import datetime as dt
import getpass
import re

import click

from trendline.cli import context

DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([mhdw])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def store():
    res = context.resources()
    return res.settings, res.engine


def author(given: str | None) -> str:
    if given:
        return given
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "unknown"


def ends_at(until: str | None, duration: str | None, now: dt.datetime) -> dt.datetime | None:
    """--until DATE (the last day it holds) or DATETIME, or --for 7d/12h/2w/30m."""
    if until and duration:
        raise click.UsageError("give --until or --for, not both")
    if duration:
        m = DURATION.match(duration.strip())
        if not m:
            raise click.BadParameter(f"'{duration}': use a number and m, h, d or w (7d)",
                                     param_hint="--for")
        return now + dt.timedelta(**{UNITS[m.group(2)]: float(m.group(1))})
    if until:
        try:
            if len(until) == 10:
                day = dt.date.fromisoformat(until)
                return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
            value = dt.datetime.fromisoformat(until)
        except ValueError:
            raise click.BadParameter(f"'{until}' is not a date (YYYY-MM-DD)",
                                     param_hint="--until") from None
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def now() -> dt.datetime:
    return context.resources().now()

