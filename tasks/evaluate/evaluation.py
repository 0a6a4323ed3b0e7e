"""Evaluate every enabled indicator from the store; keep values, alerts and the message
announcing new alert states, all in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from indicators.base import Indicator, Rule, sorted_periods
from indicators.registry import Evaluation, all_indicators, evaluate
from tasks.evaluate import alerts
from tasks.frames import load_frames, provenance
from trendline import schema
from trendline.db import upsert, utcnow
from trendline.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class EvaluateOutcome:
    evaluations: list[Evaluation]
    errors: dict[str, str] = field(default_factory=dict)
    transitions: list[alerts.Transition] = field(default_factory=list)
    message_id: str | None = None

    @property
    def fired(self) -> int:
        return sum(1 for t in self.transitions if t.change != "resolved")

    @property
    def resolved(self) -> int:
        return sum(1 for t in self.transitions if t.change == "resolved")


def enabled(settings: Settings) -> list[Indicator]:
    return [i for i in all_indicators().values() if settings.indicator(i.id).enabled]


def run_indicators(
    engine: Engine, settings: Settings, as_of: dt.date
) -> tuple[list[Evaluation], dict]:
    inds = enabled(settings)
    frames = load_frames(engine, {n for i in inds for n in i.needs})
    done, errors = [], {}
    for ind in inds:
        cfg = settings.indicator(ind.id)
        rules = tuple(Rule(**r.model_dump()) for r in cfg.rules) if cfg.rules is not None else None
        try:
            done.append(evaluate(ind, frames, as_of, cfg.params, rules, cfg.since))
        except Exception as exc:  # one broken indicator must not hide the others
            log.exception("indicator %s failed", ind.id)
            errors[ind.id] = f"{type(exc).__name__}: {exc}"
    return done, errors


def evaluate_store(
    engine: Engine, settings: Settings, as_of: dt.date | None = None
) -> EvaluateOutcome:
    now = utcnow()
    as_of = as_of or now.date()
    evaluations, errors = run_indicators(engine, settings, as_of)
    prov = provenance(engine)
    outcome = EvaluateOutcome(evaluations, errors)
    findings = [f for e in evaluations for f in e.findings]
    with engine.begin() as conn:
        save_values(conn, evaluations, prov, now)
        # the state changes and their alert_events rows commit together; the publish
        # stage (tasks/publish/announce.py) queues the events as one message
        outcome.transitions = alerts.apply(
            conn,
            findings,
            set(all_indicators()) - set(errors),  # disabled ones resolve; failed: no_data
            now,
            settings,
            latest=latest_periods(evaluations),
            no_data=alerts.data_problems(conn, evaluations, errors),
        )
    return outcome


def latest_periods(evaluations: list[Evaluation]) -> dict[str, str]:
    latest = {}
    for ev in evaluations:
        periods = [p for r in ev.results for s in r.series.values() for p in s]
        if periods:
            latest[ev.indicator.id] = sorted_periods(periods)[-1]
    return latest


def save_values(conn, evaluations: list[Evaluation], prov: list[dict], now: dt.datetime) -> None:
    t = schema.indicator_values
    for ev in evaluations:
        rows = []
        for res in ev.results:
            for period, value in res.values.items():
                detail = {name: s.get(period) for name, s in res.series.items() if name != "value"}
                detail["partial"] = period in res.partial_periods
                rows.append(
                    {
                        "indicator_id": ev.indicator.id,
                        "subject": res.subject,
                        "period": period,
                        "value": value,
                        "detail": detail,
                        "baseline": ev.indicator.baseline.as_dict(),
                        "evidence": res.evidence.get(period, []),
                        "query": res.query,
                        "provenance": prov,
                        "evaluated_at": now,
                    }
                )
        if not rows:  # evaluated, nothing to count yet: still listed, as "no data"
            rows.append(
                {
                    "indicator_id": ev.indicator.id,
                    "subject": "all",
                    "period": "",
                    "value": None,
                    "detail": {},
                    "baseline": ev.indicator.baseline.as_dict(),
                    "evidence": [],
                    "query": "; ".join(r.query for r in ev.results),
                    "provenance": prov,
                    "evaluated_at": now,
                }
            )
        keys = {(r["subject"], r["period"]) for r in rows}
        stale = [
            (s, p)
            for s, p in conn.execute(
                sa.select(t.c.subject, t.c.period).where(t.c.indicator_id == ev.indicator.id)
            )
            if (s, p) not in keys
        ]
        for s, p in stale:
            conn.execute(
                t.delete().where(
                    t.c.indicator_id == ev.indicator.id, t.c.subject == s, t.c.period == p
                )
            )
        upsert(conn, t, rows)
