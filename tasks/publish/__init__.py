"""Publish: reports, the weekly summary, the outbox and delivery."""

from __future__ import annotations

from pathlib import Path

from trendline.core.resources import Resources
from trendline.tasks.publish.announce import AnnounceOutcome
from trendline.tasks.publish.announce import announce as announce_events
from trendline.tasks.publish.notify import DeliveryOutcome
from trendline.tasks.publish.notify import deliver as deliver_outbox
from trendline.tasks.publish.report import write_report
from trendline.tasks.publish.weekly import build_weekly


def report(res: Resources) -> Path:
    return write_report(res.engine, res.settings, res.now())


def announce(res: Resources, flows: tuple[str, ...] = ()) -> AnnounceOutcome:
    """Alert changes and failures -> outbox messages, just before delivery. `flows`: the
    flows this run belongs to (their failure incidents resolve)."""
    return announce_events(res.engine, res.settings, res.now(), flows)


def deliver(res: Resources) -> DeliveryOutcome:
    return deliver_outbox(res.engine, res.settings, clock=res.clock)


def weekly(res: Resources) -> Path:
    return build_weekly(res.engine, res.settings, res.now())[0]
