"""Vintages: every value each series' period has had, so a source revising the past is
seen as a revision, not as growth.

After the indicators ran, their series points are compared in pandas with the latest
stored vintage of each (indicator, subject, series, period), read in one query. A new
vintage is written only when the value changed or the period stopped filling in (never a
copy per run). A change is a *source revision* when the period was complete before and is
complete now, both values are known, and the value moved by more than
`alerts.revision_tolerance` (a fraction of the old value; from 0 any change is one).
Unknown -> known is not a revision (there was no figure to revise) and neither is a year
still filling in. Series of indicators that are not judged (days since a refresh) have no
past to revise and are not kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa

from trendline.core import schema

KEY = ["indicator_id", "subject", "series", "period"]
POINT = [*KEY, "value", "complete"]


def points(evaluations: Iterable) -> pd.DataFrame:
    """Every point of every judged series of these evaluations: KEY, value (NaN: unknown),
    complete (the period no longer filling in)."""
    rows = [(ev.indicator.id, r.subject, name, period, value, period not in r.partial_periods)
            for ev in evaluations if ev.indicator.judged
            for r in ev.results for name, series in r.series.items()
            for period, value in series.items()]
    frame = pd.DataFrame(rows, columns=POINT)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    frame["complete"] = frame["complete"].astype(bool)
    return frame.drop_duplicates(KEY, keep="last")  # one point per key, as stored


def latest(conn, indicator_ids: Iterable[str]) -> pd.DataFrame:
    """The latest vintage of every point of these indicators, in one query: KEY,
    previous, was_complete, previous_at."""
    t = schema.series_vintages
    ids = sorted(set(indicator_ids))
    newest = (sa.select(sa.func.max(t.c.id)).where(t.c.indicator_id.in_(ids))
              .group_by(t.c.indicator_id, t.c.subject, t.c.series, t.c.period))
    q = sa.select(t.c.indicator_id, t.c.subject, t.c.series, t.c.period, t.c.value,
                  t.c.complete, t.c.written_at).where(t.c.id.in_(newest))
    cols = [*KEY, "previous", "was_complete", "previous_at"]
    frame = pd.DataFrame(conn.execute(q).all() if ids else [], columns=cols)
    frame["previous"] = pd.to_numeric(frame["previous"], errors="coerce").astype(float)
    frame["was_complete"] = frame["was_complete"].astype(bool)
    return frame


def compare(new: pd.DataFrame, old: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """New points beside their latest vintage. Adds: previous (NaN: unknown or none),
    change (relative, NaN when either is unknown), write (a new vintage to keep) and
    revision (a source revision)."""
    m = new.merge(old, on=KEY, how="left", indicator="_seen")
    seen = (m.pop("_seen") == "both").to_numpy()
    value, before = m["value"].to_numpy(float), m["previous"].to_numpy(float)
    known, known_before = ~np.isnan(value), ~np.isnan(before)
    same = (~known & ~known_before) | (known & known_before & np.isclose(
        value, before, rtol=1e-12, atol=0.0))
    was_complete = m["was_complete"].fillna(False).to_numpy(bool) & seen
    complete = m["complete"].to_numpy(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(before == 0, np.where(value == 0, 0.0, np.inf),
                          (value - before) / np.abs(before))
    change = np.where(known & known_before, change, np.nan)
    m["change"] = change
    m["write"] = ~same | (seen & (complete != was_complete))
    m["revision"] = (~same & complete & was_complete & known & known_before
                     & (np.abs(np.nan_to_num(change, nan=0.0)) > tolerance))
    return m


def record(conn, evaluations: list, now: dt.datetime, tolerance: float,
           sources: Mapping[str, tuple[str, str | None]]) -> pd.DataFrame:
    """Compare and keep this evaluation's vintages; return its source revisions (KEY,
    previous, value, change, source). `sources`: indicator -> (its sources by name, the
    latest refresh run behind it)."""
    new = points(evaluations)
    if new.empty:
        return new.assign(previous=[], change=[], source=[])
    m = compare(new, latest(conn, new["indicator_id"].unique()), tolerance)
    m["source"] = m["indicator_id"].map(lambda i: sources.get(i, ("", None))[0])
    m["refresh_run_id"] = m["indicator_id"].map(lambda i: sources.get(i, ("", None))[1])
    out = m.loc[m["write"], [*POINT, "previous", "revision", "source", "refresh_run_id"]]
    out = out.astype(object).where(out.notna(), None)  # NaN is unknown: stored as NULL
    rows = out.to_dict(orient="records")
    for r in rows:
        r["written_at"] = now
    if rows:
        conn.execute(schema.series_vintages.insert(), rows)
    return m.loc[m["revision"], [*KEY, "previous", "value", "change", "source"]]


def changed_sources(conn, inputs: Mapping[str, set[str]], since: Mapping[str, dt.datetime]
                    ) -> dict[str, tuple[str, str | None]]:
    """indicator -> (the sources behind it that brought new content since its last
    vintage, by name, "a, b"; all its sources when none did or it has none yet), the
    latest successful refresh run among them)."""
    t = schema.refresh_runs
    runs = pd.DataFrame(conn.execute(
        sa.select(t.c.id, t.c.source, t.c.finished_at)
        .where(t.c.status == "succeeded", t.c.rows_written > 0)).all(),
        columns=["id", "source", "finished_at"])
    runs["finished_at"] = pd.to_datetime(runs["finished_at"], utc=True)
    runs = runs.sort_values("finished_at")
    out: dict[str, tuple[str, str | None]] = {}
    for ind, names in inputs.items():
        mine = runs[runs["source"].isin(names)]
        when = since.get(ind)
        fresh = mine[mine["finished_at"] > pd.Timestamp(when)] if when is not None else mine
        fresh = fresh if len(fresh) else mine
        out[ind] = (", ".join(sorted(set(fresh["source"])) or sorted(names)),
                    str(fresh["id"].iloc[-1]) if len(fresh) else None)
    return out


def last_vintage_at(conn, indicator_ids: Iterable[str]) -> dict[str, dt.datetime]:
    """indicator -> when its latest vintage was written."""
    t = schema.series_vintages
    q = (sa.select(t.c.indicator_id, sa.func.max(t.c.written_at))
         .where(t.c.indicator_id.in_(sorted(set(indicator_ids)))).group_by(t.c.indicator_id))
    return {i: _aware(w) for i, w in conn.execute(q)}


def last_summary_at(conn, now: dt.datetime) -> dt.datetime | None:
    """When the previous weekly summary was queued (None: there was none)."""
    t = schema.outbox
    q = sa.select(sa.func.max(t.c.created_at)).where(t.c.tag == "weekly", t.c.created_at < now)
    return _aware(conn.execute(q).scalar())


def revisions_since(conn, since: dt.datetime | None, series: str | None = None
                    ) -> pd.DataFrame:
    """Stored source revisions written after `since` (all with None), oldest first: KEY,
    previous, value, source, written_at."""
    t = schema.series_vintages
    q = sa.select(t.c.indicator_id, t.c.subject, t.c.series, t.c.period, t.c.previous,
                  t.c.value, t.c.source, t.c.written_at).where(t.c.revision.is_(True))
    if since is not None:
        q = q.where(t.c.written_at > since)
    if series is not None:
        q = q.where(t.c.series == series)
    cols = [*KEY, "previous", "value", "source", "written_at"]
    frame = pd.DataFrame(conn.execute(q.order_by(t.c.id)).all(), columns=cols)
    frame["written_at"] = frame["written_at"].map(_aware)
    return frame


def _aware(value):
    if value is not None and getattr(value, "tzinfo", None) is None:
        return value.replace(tzinfo=dt.UTC)
    return value
