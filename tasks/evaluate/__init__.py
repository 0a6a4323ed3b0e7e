"""Evaluate: indicators on the frames, rules, and the alert engine."""

from __future__ import annotations

from tasks.evaluate.evaluation import EvaluateOutcome, evaluate_store
from tasks.steps import Step, direct
from trendline.resources import Resources


def evaluate(res: Resources, step: Step = direct) -> EvaluateOutcome:
    return evaluate_store(res, step)
