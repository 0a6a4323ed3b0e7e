"""The alert engine: findings grouped into alerts (Alertmanager's group_by), each with a
lifecycle pending -> firing -> resolved, `no_data` when its input is missing, `history` for
what was true before the first run, acknowledgements and silences. Every change to announce
is a row of `alert_events`, written in the transaction that changes the state; the publish
stage (tasks/publish/announce.py) turns them into messages."""

from trendline.tasks.evaluate.alerts.engine import Transition, alert_id, apply, first_evaluation
from trendline.tasks.evaluate.alerts.inputs import data_problems, input_sources
from trendline.tasks.evaluate.alerts.queries import annotate, firing, listing, report_rows
from trendline.tasks.evaluate.alerts.silences import (
    acknowledge,
    add_silence,
    expire_silence,
    list_silences,
    unacknowledge,
)

__all__ = [
    "Transition",
    "acknowledge",
    "add_silence",
    "alert_id",
    "annotate",
    "apply",
    "data_problems",
    "expire_silence",
    "first_evaluation",
    "firing",
    "input_sources",
    "list_silences",
    "listing",
    "report_rows",
    "unacknowledge",
]
