"""The pipeline, written once: ingest -> resolve -> evaluate -> publish. The Prefect flow
wraps it (flows/pipeline.py) and the tests call it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trendline.core.locks import check_held
from trendline.core.resources import Resources
from trendline.core.steps import Step, direct
from trendline.tasks.evaluate import EvaluateOutcome, evaluate
from trendline.tasks.ingest import RefreshOutcome, Source, ingest, run_source
from trendline.tasks.publish import AnnounceOutcome, DeliveryOutcome, announce, deliver, report
from trendline.tasks.resolve import ResolveOutcome, resolve


@dataclass
class PipelineOutcome:
    refreshed: list[RefreshOutcome]
    resolved: ResolveOutcome
    evaluation: EvaluateOutcome
    report: Path
    delivery: DeliveryOutcome
    announced: AnnounceOutcome | None = None

    @property
    def failed(self) -> bool:
        return bool(self.evaluation.errors or self.delivery.failed
                    or any(r.status == "failed" for r in self.refreshed))


def pipeline(res: Resources, step: Step = direct, accept_history: bool = False,
             accept_shrink: bool = False) -> PipelineOutcome:
    """`accept_shrink`: a watch-list refresh that would remove more than
    `max_removed_share` of a list goes ahead (confirmed), instead of being held back. Before
    each stage the store lock is checked (trendline.core.locks.check_held): a run that lost
    it stops there."""
    def held(before: str) -> None:
        check_held(res.settings.database_url, before)

    held("ingest")
    refreshed = ingest(res, step=step, accept_shrink=accept_shrink)
    held("resolve")
    resolved = step("resolve", lambda: resolve(res))
    held("evaluate")
    evaluation = evaluate(res, step=step, accept_history=accept_history)
    held("report")
    written = step("report", lambda: report(res))
    held("announce")
    announced = step("announce", lambda: announce(res, flows=("pipeline",)))
    held("deliver")
    delivered = step("deliver", lambda: deliver(res))
    return PipelineOutcome(refreshed, resolved, evaluation, written, delivered, announced)


def take_in(res: Resources, items: Iterable[tuple[Source, Any]]
            ) -> tuple[list[RefreshOutcome], ResolveOutcome]:
    """Data brought in by hand (`import-cnki`, `import-deals`): each (source, raw data read
    from its files) through the one runner, then the facts resolved once, as the pipeline
    would: also when nothing new was written, since an earlier import killed before it
    resolved left facts to decide (resolving what is decided already costs little)."""
    outcomes = [run_source(res, source, raw) for source, raw in items]
    return outcomes, resolve(res)
