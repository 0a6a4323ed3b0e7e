"""Findings -> grouped alerts -> state changes -> `alert_events` rows (what to announce).

States: pending (the condition holds, waiting `for_evaluations`) -> firing -> resolved;
no_data (the input is missing: kept, never resolved); history (recorded on the first
evaluation or with --accept-history, never announced). A firing alert is announced once
(`firing`), again when it escalates, when new records join its group (`updated`), and as a
`repeat` after a backing-off interval while its period is the indicator's newest. Silenced
and acknowledged alerts keep their state and are not announced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from trendline.core import schema
from trendline.core.db import upsert
from trendline.indicators.base import SEVERITIES, Finding
from trendline.indicators.rules import group_message
from trendline.tasks.evaluate.alerts.groups import Group, alert_id, group
from trendline.tasks.evaluate.alerts.silences import active_silences, matching_silence

ACTIVE = ("pending", "firing", "no_data", "history")
EVIDENCE_IN_EVENT = 20  # records copied into an announcement; the alert keeps them all
NO_DATA_RULE = "no_data"
REVISED_NOTE = ("Not announced: it holds only because a source revised an earlier period "
                "(a source revision, in the report's data-health notice).")
NOTIFIED = ("last_notified_at", "notified_severity", "repeat_count")
INHERITED = ("first_fired_at", "last_notified_at", "notified_severity", "repeat_count",
             "acked_at", "acked_by", "ack_note", "ack_severity")


@dataclass(frozen=True)
class Transition:
    alert: dict
    change: str  # firing | updated | escalated | repeat | resolved | no_data


def first_evaluation(conn) -> bool:
    """A store that never raised an alert is on its first evaluation."""
    return conn.execute(sa.select(schema.alerts.c.id).limit(1)).first() is None


def announce_from(settings, now: dt.datetime) -> int:
    """The first period announced on a first run: config, else the last complete year."""
    text = settings.alerts.announce_from
    return int(text[:4]) if text else now.year - 1


def _before(period: str, start: int) -> bool:
    return period[:4].isdigit() and int(period[:4]) < start


def _rank(severity: str | None) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def backoff(settings, repeats: int) -> dt.timedelta:
    steps = settings.alerts.repeat_backoff_hours
    hours = min(steps[min(repeats, len(steps) - 1)], settings.notify.repeat_interval_hours)
    return dt.timedelta(hours=hours)


def apply(
    conn,
    findings: list[Finding],
    evaluated: set[str],
    now: dt.datetime,
    settings,
    latest: Mapping[str, str] | None = None,
    no_data: Mapping[str, str] | None = None,
    accept_history: bool = False,
) -> list[Transition]:
    """Update alert state for the evaluated indicators (and those whose input is missing,
    `no_data`: indicator -> reason); write an `alert_events` row per change to announce and
    return those changes. With `latest` (indicator -> newest period), only alerts about the
    newest period are repeated: a closed year's alert is not news twice."""
    run = _Run(conn, now, settings, latest, dict(no_data or {}), accept_history)
    t = schema.alerts
    scope = set(evaluated) | set(run.no_data)
    rows = {
        r["fingerprint"]: dict(r)
        for r in conn.execute(sa.select(t).where(t.c.indicator_id.in_(scope))).mappings()
    }
    groups = group([f for f in findings if f.indicator_id not in run.no_data],
                   settings.alerts.group_by)
    ids = {fp: (rows[fp]["id"] if fp in rows else alert_id(fp)) for fp in groups}
    known = _members(conn, [ids[fp] for fp in groups if fp in rows])
    heirs = _successions(rows, groups, evaluated, run.no_data)
    for fp, g in groups.items():
        run.step(fp, ids[fp], g, rows.get(fp), known.get(ids[fp], set()), heirs.get(fp))
    succeeded = {row["fingerprint"] for row in heirs.values()}
    for fp, row in rows.items():
        if fp not in groups and row["state"] in ACTIVE:
            run.gone(row, evaluated, quietly=fp in succeeded)
    for ind, reason in sorted(run.no_data.items()):
        run.data_problem(ind, reason, rows.get(f"{ind}|{NO_DATA_RULE}"))
    m = schema.alert_members
    for aid, gone in run.gone_members:
        for i in range(0, len(gone), 500):
            conn.execute(m.delete().where(m.c.alert_id == aid, m.c.member_id.in_(gone[i:i + 500])))
    if run.new_members:  # insert-or-ignore: a member recorded already stays as it was
        upsert(conn, m, run.new_members, ignore=True)
    return run.out


class _Run:
    """One evaluation's pass over the alerts: what changes, and what is announced."""

    def __init__(self, conn, now, settings, latest, no_data, accept_history=False):
        self.conn, self.now, self.settings = conn, now, settings
        self.latest, self.no_data = latest, no_data
        self.history = accept_history or first_evaluation(conn)
        self.start = announce_from(settings, now)
        self.silences = active_silences(conn, settings, now)
        self.out: list[Transition] = []
        self.new_members: list[dict] = []
        self.gone_members: list[tuple[str, list[str]]] = []

    def announce(self, row: dict, change: str, fresh: set[str] | None = None) -> None:
        self.conn.execute(schema.alert_events.insert().values(
            alert_id=row["id"], change=change, detail=_event_detail(row, fresh or set()),
            created_at=self.now))
        self.out.append(Transition(row, change))

    def _save(self, row: dict, new: bool, changed) -> None:
        """Insert, or update only the columns this pass decided: an acknowledgement made
        while it ran is not overwritten."""
        t = schema.alerts
        if new:
            self.conn.execute(t.insert().values(**row))
        else:
            keys = set(changed) | set(NOTIFIED)
            self.conn.execute(t.update().where(t.c.id == row["id"]).values(
                **{k: row[k] for k in keys}))

    def step(self, fp: str, aid: str, g: Group, row: dict | None, known: set[str],
             heir_of: dict | None = None) -> None:
        """A group whose condition holds (or holds between the lines) this evaluation.
        `heir_of`: the alert it takes over (another rule won for the same subject and
        period), whose announcement state it keeps: a rise is an escalation, not news."""
        now = self.now
        members = g.members()
        fresh = members - known
        prev = row["state"] if row else None
        if prev in (None, "resolved") and not g.firing:
            return  # between the lines: keeps an alert, starts none
        revised = g.firing and all(f.revised for f in g.lead)  # a source revised the past
        evidence = g.evidence()
        values = {
            "rule": g.labels["rule"],
            # held back: data saying the alert is owed to a source revision
            "rule_spec": {**g.lead[0].spec, "held_back": "source revision"} if revised
            else dict(g.lead[0].spec),
            "detail": f"{REVISED_NOTE} {g.lead[0].detail}".strip() if revised
            else g.lead[0].detail,
            "subject": g.labels["subject"],
            "severity": g.severity,
            "value": g.lead[0].value,
            "threshold": g.lead[0].threshold,
            "message": group_message(g.labels["period"], g.findings, evidence,
                                     len(fresh) if row else 0, len(members)),
            "evidence": evidence,
            "last_seen_at": now,
            "member_count": len(members),
            "no_data_reason": "",
        }
        if prev in (None, "resolved"):  # a new episode
            values.update(first_fired_at=now, resolved_at=None, last_notified_at=None,
                          notified_severity=None, repeat_count=0, pending_count=1,
                          acked_at=None, acked_by=None, ack_note=None, ack_severity=None)
            state = "pending" if g.for_evaluations > 0 else "firing"
            if heir_of is not None:
                values.update({k: heir_of[k] for k in INHERITED})
                state = "firing" if heir_of["state"] == "no_data" else heir_of["state"]
                if state == "pending":
                    values["pending_count"] = heir_of["pending_count"]
        elif prev == "pending":
            count = row["pending_count"] + (1 if g.firing else 0)
            values["pending_count"] = count
            state = "firing" if count > g.for_evaluations else "pending"
        elif prev == "history":
            state = "history"
        else:  # firing, or no_data with its data back
            state = "firing"
        if revised and prev in (None, "resolved"):
            state = "history"  # recorded, never announced: the revision notice says it
        told = values.get("last_notified_at", row and row["last_notified_at"]) is not None
        if self.history and state != "history" and _before(g.labels["period"], self.start):
            state = state if told else "history"
        values["state"] = state
        new = row is None
        if new:
            row = {"id": aid, "fingerprint": fp, "indicator_id": g.labels["indicator"],
                   "period": g.labels["period"], **values}
        else:
            row.update(values)
        self.new_members += [{"alert_id": aid, "member_id": m, "first_seen_at": now}
                             for m in fresh]
        if known - members:  # records that left the group leave its member list
            self.gone_members.append((aid, sorted(known - members)))
        change = None
        if state == "firing" and revised:  # updated quietly: told as told before
            if row["last_notified_at"] is not None:
                row["notified_severity"] = max(row["severity"], row["notified_severity"] or "",
                                               key=_rank)
        elif state == "firing":
            change = _change(row, fresh, prev, now, self.settings, self.latest, self.silences)
        if change == "silenced":
            row.update(last_notified_at=None, notified_severity=None)  # told when it ends
        elif change:
            repeats = {"repeat": row["repeat_count"] + 1, "firing": 0}
            row.update(last_notified_at=now, notified_severity=row["severity"],
                       repeat_count=repeats.get(change, row["repeat_count"]))
        self._save(row, new, values)
        if change and change != "silenced":
            self.announce(row, change, fresh if change == "updated" else members)

    def gone(self, row: dict, evaluated: set[str], quietly: bool = False) -> None:
        """An active alert whose condition no longer holds: resolved if its indicator was
        evaluated on data (quietly when another rule's alert took it over); kept, as
        no_data, if its input is missing."""
        t = schema.alerts
        ind = row["indicator_id"]
        if ind in self.no_data:
            if row["rule"] != NO_DATA_RULE and row["state"] == "firing":
                self.conn.execute(t.update().where(t.c.id == row["id"]).values(
                    state="no_data", no_data_reason=self.no_data[ind], last_seen_at=self.now))
            return
        if ind not in evaluated:
            return
        told = row["last_notified_at"] is not None and row["state"] in ("firing", "no_data")
        self.conn.execute(t.update().where(t.c.id == row["id"]).values(
            state="resolved", resolved_at=self.now))
        row.update(state="resolved", resolved_at=self.now)
        if told and not quietly and matching_silence(row, self.silences) is None:
            self.announce(row, "resolved")

    def data_problem(self, ind: str, reason: str, row: dict | None) -> None:
        """One data-problem alert per indicator without data, announced once."""
        now = self.now
        fp = f"{ind}|{NO_DATA_RULE}"
        values = {"severity": "warning", "last_seen_at": now, "no_data_reason": reason,
                  "evidence": [], "rule_spec": {"kind": "no_data"},
                  "message": f"No data: {reason}",
                  "detail": "Its alerts are kept as they were, not resolved, until its data "
                  "is back."}
        if row is None or row["state"] == "resolved":
            values.update(state="firing", first_fired_at=now, resolved_at=None,
                          last_notified_at=None, notified_severity=None, repeat_count=0)
        new = row is None
        if new:
            row = {"id": alert_id(fp), "fingerprint": fp, "indicator_id": ind, "subject": "all",
                   "period": "", "rule": NO_DATA_RULE, "value": None, "threshold": None,
                   "pending_count": 0, "member_count": 0, **values}
        else:
            row.update(values)
        announce = row["last_notified_at"] is None and not matching_silence(row, self.silences)
        if announce:
            row.update(last_notified_at=now, notified_severity=row["severity"])
        self._save(row, new, values)
        if announce:
            self.announce(row, "no_data")


def _successions(rows, groups, evaluated, no_data) -> dict[str, dict]:
    """New groups that take over an active alert of the same indicator, subject and
    period that no longer holds: the rules keep the most severe finding per subject and
    period, so when a stronger rule starts (or stops) to hold, the alert moves, it does
    not resolve and fire anew. Verdict changes take no part.
    group fingerprint -> the alert it takes over."""
    by_key: dict[tuple, dict] = {}
    for fp, row in rows.items():
        if (fp not in groups and row["state"] in ACTIVE and row["rule"] != NO_DATA_RULE
                and not _verdict(row.get("rule_spec"))
                and row["indicator_id"] in evaluated and row["indicator_id"] not in no_data):
            by_key.setdefault((row["indicator_id"], row["subject"], row["period"]), row)
    out = {}
    for fp, g in groups.items():
        old = rows.get(fp)
        if g.firing and (old is None or old["state"] == "resolved") \
                and not _verdict(g.lead[0].spec):
            key = (g.labels["indicator"], g.labels["subject"], g.labels["period"])
            if key in by_key:
                out[fp] = by_key.pop(key)
    return out


def _verdict(spec) -> bool:
    """A verdict change is news of its own: it neither takes over a threshold alert nor is
    taken over by one."""
    return (spec or {}).get("kind") == "verdict"


def _change(row, fresh, prev, now, settings, latest, silences) -> str | None:
    """What a firing alert's announcement is this time, if any ("silenced": held back)."""
    if matching_silence(row, silences) is not None:
        return "silenced"
    notified = row["last_notified_at"]
    if row.get("acked_at") is not None:
        floor = max(_rank(row["ack_severity"]), _rank(row["notified_severity"]))
        return "escalated" if _rank(row["severity"]) > floor else None
    if notified is None:
        return "firing"
    if _rank(row["severity"]) > _rank(row["notified_severity"]):
        return "escalated"
    if fresh and prev == "firing":
        return "updated"
    if latest is not None and row["period"] != latest.get(row["indicator_id"]):
        return None
    if now - _aware(notified) >= backoff(settings, row["repeat_count"]):
        return "repeat"
    return None


def _members(conn, alert_ids: list[str]) -> dict[str, set[str]]:
    """The stored members of these alerts, in one query."""
    m = schema.alert_members
    out: dict[str, set[str]] = {}
    if not alert_ids:
        return out
    q = sa.select(m.c.alert_id, m.c.member_id).where(m.c.alert_id.in_(alert_ids))
    for aid, member in conn.execute(q):
        out.setdefault(aid, set()).add(member)
    return out


def _event_detail(row: dict, fresh: set[str]) -> dict:
    """The alert as announced, JSON-safe; evidence: the records that joined first."""
    out = {}
    for key, value in row.items():
        out[key] = value.isoformat() if isinstance(value, dt.datetime | dt.date) else value
    evidence = list(row.get("evidence") or [])
    joined = [e for e in evidence if str(e.get("id")) in fresh]
    rest = [e for e in evidence if str(e.get("id")) not in fresh]
    out["evidence"] = (joined + rest)[:EVIDENCE_IN_EVENT]
    out["evidence_total"] = len(evidence)
    out["new_members"] = len(fresh)
    return out
