"""Match affiliations, evaluate the indicators, raise and resolve alerts, write the report."""

from __future__ import annotations

from prefect import flow, task

from flows.common import setup
from tasks.evaluation import EvaluateOutcome, evaluate_store
from tasks.match import match_store
from tasks.report import write_report
from trendline.db import utcnow


@task
def match_affiliations(config: str | None, overrides: dict | None = None) -> int:
    settings, engine = setup(config, overrides)
    return match_store(engine)


@task
def evaluate_indicators(config: str | None, overrides: dict | None = None) -> EvaluateOutcome:
    settings, engine = setup(config, overrides)
    return evaluate_store(engine, settings)


@task
def alert_report(config: str | None, overrides: dict | None = None) -> str:
    settings, engine = setup(config, overrides)
    return str(write_report(engine, settings, utcnow()))


@flow(name="evaluate")
def evaluate(
    config: str | None = None, overrides: dict | None = None
) -> tuple[EvaluateOutcome, str]:
    match_affiliations(config, overrides)
    outcome = evaluate_indicators(config, overrides)
    return outcome, alert_report(config, overrides)
