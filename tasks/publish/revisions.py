"""Source revisions as data-health notices: one per evaluation that found any, for the
alert report (the latest evaluation's) and the weekly summary (every one since the last
summary). A revision is news about the data, never growth: it raises no alert."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from trendline.core import schema
from trendline.indicators import words
from trendline.tasks.evaluate.revision_words import lines
from trendline.tasks.evaluate.vintages import revisions_since

SHOWN = 8  # series named in a notice; the rest are counted


def notices(conn, since: dt.datetime | None, tolerance: float) -> list[dict[str, Any]]:
    """One notice per evaluation after `since` (all with None) that found source
    revisions, oldest first: when, a headline, its lines and how many more."""
    frame = revisions_since(conn, since)
    out = []
    for when, rows in frame.groupby("written_at", sort=True):
        said = lines(rows)
        periods = sorted(set(rows["period"]))
        out.append({
            "when": f"{when:%Y-%m-%d %H:%M UTC}",
            "headline": (f"Source revisions found on {when:%Y-%m-%d %H:%M UTC}: "
                         f"{words.plural(len(said), 'series', 'series')} changed by more than "
                         f"{words.figure(tolerance * 100)}% in complete past "
                         f"{'year' if len(periods) == 1 else 'years'} "
                         f"({', '.join(periods[:6])}{' ...' if len(periods) > 6 else ''}). "
                         "A revision is not growth: no alert is raised for it."),
            "lines": said[:SHOWN],
            "more": max(0, len(said) - SHOWN),
        })
    return out


def latest_evaluation(conn) -> dt.datetime | None:
    """When the store was last evaluated."""
    t = schema.indicator_values
    value = conn.execute(sa.select(sa.func.max(t.c.evaluated_at))).scalar()
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def of_latest_evaluation(conn, tolerance: float) -> list[dict[str, Any]]:
    """The notice of the latest evaluation, if it found source revisions."""
    when = latest_evaluation(conn)
    if when is None:
        return []
    return notices(conn, when - dt.timedelta(microseconds=1), tolerance)
