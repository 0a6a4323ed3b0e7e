"""Evaluate every enabled indicator on the frames: values with their evidence (count,
bounded sample, the query that lists all), alerts, and the alert digest, in one
transaction. Each indicator is one step (`evaluate-<id>`); the frames are read once."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import shlex
import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from trendline.core import schema
from trendline.core.db import upsert
from trendline.core.memory import give_back, map_large_blocks
from trendline.core.resources import Resources
from trendline.core.steps import Step, direct
from trendline.indicators.base import Indicator, sorted_periods
from trendline.indicators.registry import Evaluation, all_indicators, evaluate_indicator
from trendline.tasks.evaluate import alerts, members, revised_findings, verdicts, vintages
from trendline.tasks.evaluate.revision_words import verdict_notes
from trendline.tasks.evaluate.samples import enrich
from trendline.tasks.frames import load_frames, provenance
from trendline.tasks.resolve.works import definition_label

log = logging.getLogger(__name__)


@dataclass
class EvaluateOutcome:
    evaluations: list[Evaluation]
    errors: dict[str, str] = field(default_factory=dict)
    transitions: list[alerts.Transition] = field(default_factory=list)
    message_id: str | None = None
    verdicts: int = 0  # series judged headline or trend line (the verdicts are in the store)
    evidence_rows: int = 0  # records written to the evidence index (changed lists only)
    evidence_seconds: float = 0.0  # the time writing them took
    revisions: int = 0  # complete past periods a source revised (series_vintages.revision)

    @property
    def fired(self) -> int:
        return sum(1 for t in self.transitions if t.change != "resolved")

    @property
    def resolved(self) -> int:
        return sum(1 for t in self.transitions if t.change == "resolved")

    def line(self) -> str:
        return (f"{len(self.evaluations)} indicators evaluated, {len(self.errors)} failed; "
                f"{self.fired} alerts fired, {self.resolved} resolved")


@dataclass
class Done:
    """What an indicator's step returns to Prefect: a line, not the payload."""

    indicator: str
    status: str
    message: str = ""

    def line(self) -> str:
        return f"{self.indicator}: {self.status}" + (f" ({self.message})" if self.message else "")


def enabled(res: Resources) -> list[Indicator]:
    return [i for i in all_indicators().values() if res.settings.indicator(i.id).enabled]


def lag_months(res: Resources, ind: Indicator) -> int:
    """How long this indicator's years take to fill in (config `periods`, by the lag its
    declaration names)."""
    periods = res.settings.periods
    return {"publications": periods.publications_lag_months,
            "deals": periods.deals_lag_months}.get(ind.lag or "", 0)


def configured(res: Resources, ind: Indicator) -> dict:
    """The indicator's options from config: params, rules, first period, lag; what
    production, `trendline evidence` and the web pages all evaluate it with."""
    cfg = res.settings.indicator(ind.id)
    return {"params": cfg.params, "rules": tuple(cfg.rules) if cfg.rules is not None else None,
            "since": cfg.since, "lag_months": lag_months(res, ind)}


def rules_of(res: Resources, ind: Indicator) -> tuple:
    """The rules this indicator is evaluated with: config's, else its own."""
    rules = configured(res, ind)["rules"]
    return ind.rules if rules is None else rules


def evaluate_one(res: Resources, ind: Indicator, frames, as_of: dt.date) -> Evaluation:
    # every record (`members`) goes to the settle step: digested, and kept (in a mapped
    # temporary file) only where its list changed, until save_values writes it
    return evaluate_indicator(ind, frames, as_of, **configured(res, ind),
                              describe=lambda results: enrich(res.engine, results))


def run_indicators(res: Resources, step: Step = direct, settle=None
                   ) -> tuple[list[Evaluation], dict]:
    """Every enabled indicator, one step each; `settle(evaluation)` runs in its step (the
    member lists digested while they are at hand, then dropped)."""
    inds = enabled(res)
    map_large_blocks()
    frames = load_frames(res, {n for i in inds for n in i.needs})
    give_back()
    as_of = res.now().date()
    done: list[Evaluation] = []
    errors: dict[str, str] = {}

    def unit(ind: Indicator):
        def run() -> Done:
            try:
                ev = evaluate_one(res, ind, frames, as_of)
                if settle is not None:
                    settle(ev)
                done.append(ev)
                give_back()  # this step's peak is not the next one's floor
                return Done(ind.id, "completed")
            except Exception as exc:  # one broken indicator must not hide the others
                log.exception("indicator %s failed", ind.id)
                errors[ind.id] = f"{type(exc).__name__}: {exc}"
                return Done(ind.id, "failed", errors[ind.id])
        return run

    for ind in inds:
        step(f"evaluate-{ind.id}", unit(ind))
    return done, errors


def evaluate_store(res: Resources, step: Step = direct, accept_history: bool = False
                   ) -> EvaluateOutcome:
    # the verdicts' scipy.special takes a second to import: it loads while frames are read
    threading.Thread(target=importlib.import_module, args=("scipy.special",),
                     daemon=True).start()
    with res.engine.connect() as conn:
        stored = members.stored_digests(conn)
    settled: dict[str, members.Settled] = {}
    shared: dict = {}  # hashes of the categories the member lists share

    def settle(ev: Evaluation) -> None:
        settled[ev.indicator.id] = members.settle(ev, stored.get(ev.indicator.id, {}), shared)

    evaluations, errors = run_indicators(res, step, settle)
    shared.clear()
    label = definition_label(res.settings.sources.openalex)
    for ev in evaluations:  # every count of papers states the definition it used
        if "works" in ev.indicator.needs:
            for r in ev.results:
                r.query = f"{r.query} [AI definition: {label}]"
    now = res.now()
    prov = provenance(res)
    outcome = EvaluateOutcome(evaluations, errors)
    settings = res.settings
    with res.engine.begin() as conn:
        inputs: dict = {}  # table -> (rows, sources), read once
        no_data = alerts.data_problems(conn, evaluations, errors, inputs)
        judged = [e for e in evaluations if e.indicator.id not in no_data]
        # vintages: a complete past period a source revised is a notice, not growth
        revised = vintages.record(
            conn, judged, now, settings.alerts.revision_tolerance, vintages.changed_sources(
                conn, alerts.input_sources(conn, judged, inputs),
                vintages.last_vintage_at(conn, [e.indicator.id for e in judged])))
        outcome.revisions = len(revised)
        findings = revised_findings.mark(evaluations, revised, lambda ind: rules_of(res, ind))
        save_values(conn, evaluations, prov, now)
        started = time.perf_counter()
        outcome.evidence_rows = sum(members.save_members(conn, ev, settled.get(ev.indicator.id))
                                    for ev in evaluations)
        outcome.evidence_seconds = time.perf_counter() - started
        # headline or trend line: a verdict per series, and a finding where it changed;
        # each says what a source revised in its series since the last weekly summary
        notes = verdict_notes(vintages.revisions_since(
            conn, vintages.last_summary_at(conn, now), series="value"))
        outcome.verdicts, changed = verdicts.record(
            conn, verdicts.plans(judged, now.date(), lambda ind: lag_months(res, ind),
                                 settings.verdicts.flat_band),
            {e.indicator.id: e.indicator.title for e in evaluations}, now,
            evaluated={e.indicator.id for e in judged}, revised=notes)
        # the state changes and their alert_events rows commit together; the publish
        # stage (tasks/publish/announce.py) queues the events as one message
        outcome.transitions = alerts.apply(
            conn,
            findings + changed,
            set(all_indicators()) - set(errors),  # disabled ones resolve; failed: no_data
            now,
            settings,
            latest=latest_periods(evaluations),
            no_data=no_data,
            accept_history=accept_history,
        )
    return outcome


def latest_periods(evaluations: list[Evaluation]) -> dict[str, str]:
    latest = {}
    for ev in evaluations:
        periods = [p for r in ev.results for s in r.series.values() for p in s]
        if periods:
            latest[ev.indicator.id] = sorted_periods(periods)[-1]
    return latest


def listing_command(ind_id: str, subject: str, period: str) -> str:
    """The shell line that lists every record behind a value; every word quoted as the
    shell needs (a subject is record text: `'; rm -rf ~` stays one argument)."""
    subj = f" --subject {shlex.quote(subject)}" if subject != "all" else ""
    return (f"trendline evidence {shlex.quote(ind_id)} --period {shlex.quote(period)}{subj}"
            " --format csv")


def baseline(ind: Indicator, res) -> dict:
    """The baseline stored with a value: the declaration's, with the reference the
    indicator computed when it computes one (the pooled share of its own brief years)."""
    out = ind.baseline.as_dict()
    if res.reference is not None:
        out.update(reference=res.reference, reference_words=res.reference_words)
    return out


def counted_kind(res, period: str) -> str:
    """The kind of record a value's evidence count counts: the result's, or, for a
    period it counts no record of (a year that is the brief's figure), the sample's."""
    if period in res.counts or not res.evidence.get(period):
        return res.kind
    kinds = {r.get("kind", "") for r in res.evidence[period]}
    return kinds.pop() if len(kinds) == 1 else ""


def save_values(conn, evaluations: list[Evaluation], prov: list[dict], now: dt.datetime) -> None:
    t = schema.indicator_values
    for ev in evaluations:
        rows = []
        for res in ev.results:
            for period, value in res.values.items():
                detail = {name: s.get(period) for name, s in res.series.items() if name != "value"}
                detail["partial"] = period in res.partial_periods
                if period in res.labels:  # what the value names (the leading field)
                    detail["label"] = res.labels[period]
                detail["list_all"] = listing_command(ev.indicator.id, res.subject, period)
                rows.append({
                    "indicator_id": ev.indicator.id, "subject": res.subject, "period": period,
                    "value": value, "detail": detail, "baseline": baseline(ev.indicator, res),
                    "evidence": res.evidence.get(period, []),
                    "evidence_count": res.count(period), "evidence_kind": counted_kind(res, period),
                    "query": res.query,
                    "provenance": prov, "evaluated_at": now,
                })
        if not rows:  # evaluated, nothing to count yet: still listed, as "no data"
            rows.append({
                "indicator_id": ev.indicator.id, "subject": "all", "period": "", "value": None,
                "detail": {}, "baseline": ev.indicator.baseline.as_dict(), "evidence": [],
                "evidence_count": 0, "evidence_kind": "",
                "query": "; ".join(r.query for r in ev.results),
                "provenance": prov, "evaluated_at": now,
            })
        keys = {(r["subject"], r["period"]) for r in rows}
        stale = [(s, p) for s, p in conn.execute(
            sa.select(t.c.subject, t.c.period).where(t.c.indicator_id == ev.indicator.id))
            if (s, p) not in keys]
        for s, p in stale:
            conn.execute(t.delete().where(t.c.indicator_id == ev.indicator.id,
                                          t.c.subject == s, t.c.period == p))
        upsert(conn, t, rows)
