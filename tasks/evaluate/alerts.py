"""The alert engine: findings become alerts with a lifecycle.

firing -> (still firing: re-notified only after the repeat interval, or when it escalates)
-> resolved. A fingerprint (indicator, subject, period) deduplicates; silences come from
config. Alert state changes and the message announcing them commit together.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from indicators.base import SEVERITIES, Finding
from trendline import schema
from trendline.settings import Silence


@dataclass(frozen=True)
class Transition:
    alert: dict
    change: str  # firing | escalated | repeat | resolved


def alert_id(fingerprint: str) -> str:
    return hashlib.sha1(fingerprint.encode()).hexdigest()[:12]


def silenced(finding: Finding, silences: Iterable[Silence], today: dt.date) -> bool:
    for s in silences:
        if s.until and s.until < today:
            continue
        if fnmatch.fnmatch(finding.indicator_id, s.indicator) and fnmatch.fnmatch(
            finding.subject, s.subject
        ):
            return True
    return False


def apply(
    conn,
    findings: list[Finding],
    evaluated: set[str],
    now: dt.datetime,
    repeat: dt.timedelta,
    silences: Iterable[Silence] = (),
    latest: Mapping[str, str] | None = None,
) -> list[Transition]:
    """Update alert state for the evaluated indicators; return what must be announced.
    With `latest` (indicator -> newest period), only alerts about the newest period are
    re-announced after the repeat interval: a closed year's alert is not news twice."""
    t = schema.alerts
    current = {
        r["fingerprint"]: dict(r)
        for r in conn.execute(sa.select(t).where(t.c.indicator_id.in_(evaluated))).mappings()
    }
    transitions: list[Transition] = []
    seen = set()
    for f in findings:
        seen.add(f.fingerprint)
        row = current.get(f.fingerprint)
        state = "silenced" if silenced(f, silences, now.date()) else "firing"
        values = {
            "rule": f.rule,
            "severity": f.severity,
            "state": state,
            "value": f.value,
            "threshold": f.threshold,
            "message": f.message,
            "evidence": list(f.evidence),
            "last_seen_at": now,
            "resolved_at": None,
        }
        if row is None:
            row = {
                "id": alert_id(f.fingerprint),
                "fingerprint": f.fingerprint,
                "indicator_id": f.indicator_id,
                "subject": f.subject,
                "period": f.period,
                "first_fired_at": now,
                "last_notified_at": None,
                **values,
            }
            conn.execute(t.insert().values(**row))
            change = "firing"
        else:
            stale = latest is not None and f.period != latest.get(f.indicator_id)
            change = _change(row, f, now, None if stale else repeat)
            conn.execute(t.update().where(t.c.id == row["id"]).values(**values))
            row.update(values)
        if change and state == "firing":
            conn.execute(t.update().where(t.c.id == row["id"]).values(last_notified_at=now))
            transitions.append(Transition({**row, "last_notified_at": now}, change))
    for fp, row in current.items():
        if fp not in seen and row["state"] != "resolved":
            conn.execute(
                t.update().where(t.c.id == row["id"]).values(state="resolved", resolved_at=now)
            )
            if row["state"] == "firing":
                transitions.append(
                    Transition({**row, "state": "resolved", "resolved_at": now}, "resolved")
                )
    return transitions


def _change(row: dict, f: Finding, now: dt.datetime, repeat: dt.timedelta | None) -> str | None:
    if row["state"] == "resolved":
        return "firing"
    if SEVERITIES.index(f.severity) > SEVERITIES.index(row["severity"]):
        return "escalated"
    last = row["last_notified_at"]
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=dt.UTC)
    if last is None:
        return "firing"
    return "repeat" if repeat is not None and now - last >= repeat else None


def firing(conn, indicator_id: str | None = None) -> list[dict]:
    t = schema.alerts
    q = sa.select(t).where(t.c.state == "firing")
    if indicator_id:
        q = q.where(t.c.indicator_id == indicator_id)
    rows = [dict(r) for r in conn.execute(q).mappings()]
    return sorted(
        rows, key=lambda r: (-SEVERITIES.index(r["severity"]), r["indicator_id"], r["period"])
    )
