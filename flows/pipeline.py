"""The daily pipeline: refresh every source family, evaluate, deliver."""

from __future__ import annotations

from dataclasses import dataclass

from prefect import flow

from flows.deliver import deliver_outbox
from flows.evaluate import evaluate
from flows.refresh import FAMILIES
from tasks.evaluation import EvaluateOutcome
from tasks.notify import DeliveryOutcome
from tasks.store import RefreshOutcome


@dataclass
class PipelineOutcome:
    refreshed: list[RefreshOutcome]
    evaluation: EvaluateOutcome
    report: str
    delivery: DeliveryOutcome


@flow(name="pipeline")
def pipeline(config: str | None = None, overrides: dict | None = None) -> PipelineOutcome:
    refreshed = [o for family in FAMILIES.values() for o in family(config, overrides)]
    evaluation, report = evaluate(config, overrides)
    return PipelineOutcome(refreshed, evaluation, report, deliver_outbox(config, overrides))
