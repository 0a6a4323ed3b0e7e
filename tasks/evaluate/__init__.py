"""Evaluate: indicators on the frames, rules, and the alert engine."""

from __future__ import annotations

from trendline.core.resources import Resources
from trendline.core.steps import Step, direct
from trendline.tasks.evaluate.evaluation import EvaluateOutcome, evaluate_store


def evaluate(res: Resources, step: Step = direct) -> EvaluateOutcome:
    return evaluate_store(res, step)
