"""Failures are alerts too: a failed flow run opens an ops incident, announced (and sent)
once to `notify.ops_tag`; the next run of that flow that reaches its announce step
resolves it, with a notice."""

from __future__ import annotations

import logging

from trendline.flows.resources import current
from trendline.tasks.publish import deliver
from trendline.tasks.publish.announce import flow_failed

log = logging.getLogger(__name__)


def announce_failure(flow, flow_run, state) -> None:
    """Prefect on_failure hook: never raises (the flow has failed already)."""
    try:
        res = current()
        message = getattr(state, "message", "") or "failed"
        if flow_failed(res.engine, res.settings, flow.name, message, res.now()):
            deliver(res)  # the failed run will not get to its delivery step
    except Exception:  # the store itself may be what failed
        log.exception("could not record the failure of flow %s", flow.name)
