"""Evaluate: indicators on the frames, rules, and the alert engine."""

from __future__ import annotations

from trendline.core.resources import Resources
from trendline.core.steps import Step, direct
from trendline.tasks.evaluate.evaluation import EvaluateOutcome, evaluate_store


def evaluate(res: Resources, step: Step = direct, accept_history: bool = False
             ) -> EvaluateOutcome:
    """`accept_history`: alerts about periods before `alerts.announce_from` are recorded as
    history, not announced (as on a store's first evaluation)."""
    return evaluate_store(res, step, accept_history)
