"""Delivery through Apprise: the only module that imports it. Messages leave the outbox
only when Apprise reports success; URLs (which carry passwords) are never logged."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from tasks.publish import outbox
from trendline.db import utcnow
from trendline.settings import Settings

log = logging.getLogger(__name__)
_SECRET = re.compile(r"(://)([^/@\s]+)@")


def mask(text: str) -> str:
    """user:password@host -> ***@host in anything we print."""
    return _SECRET.sub(r"\1***@", text)


@dataclass
class DeliveryOutcome:
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # pending: no target takes its tag (yet)
    errors: list[str] | None = None


def build(settings: Settings):
    import apprise

    from tasks.publish import email  # mailto(s):// with our text part and CID images

    email.register()
    logging.getLogger("apprise").setLevel(logging.ERROR)
    targets = apprise.Apprise()
    lines = settings.notify_lines()
    if lines:
        cfg = apprise.AppriseConfig()
        cfg.add_config("\n".join(lines), format="text")
        targets.add(cfg)
    if settings.notify.config_file:
        cfg = apprise.AppriseConfig()
        cfg.add(str(Path(settings.notify.config_file)))
        targets.add(cfg)
    return targets


def deliver(engine: Engine, settings: Settings, targets=None) -> DeliveryOutcome:
    """Send every pending message to the targets tagged for it."""
    import apprise

    from tasks.publish import email

    targets = targets if targets is not None else build(settings)
    result = DeliveryOutcome(errors=[])
    with engine.connect() as conn:
        messages = outbox.pending(conn)
    if not messages:
        return result
    for msg in messages:
        if not any(True for _ in targets.find(msg["tag"])):  # nobody takes this tag (yet)
            result.waiting += 1
            continue
        attach = [p for p in msg["attachments"] if Path(p).is_file()] or None
        email.use_text(targets, msg["tag"], msg["body_text"])  # our text part, not Apprise's
        ok = bool(
            targets.notify(
                title=msg["title"],
                body=msg["body_html"],
                body_format=apprise.NotifyFormat.HTML,
                tag=msg["tag"],
                attach=attach,
            )
        )
        error = "" if ok else f"no {msg['tag']} target accepted the message"
        give_up = msg["attempts"] + 1 >= settings.notify.max_attempts
        with engine.begin() as conn:
            outbox.mark(conn, msg["id"], ok, error, utcnow(), give_up)
        if ok:
            result.sent += 1
        else:
            result.failed += 1
            result.errors.append(f"{msg['title']}: {error}")
    return result
