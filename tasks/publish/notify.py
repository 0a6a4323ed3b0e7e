"""Delivery through Apprise: the only module that imports it. A message leaves the outbox
only when every target of its tag reported success; URLs (which carry passwords) are never
logged, only masked.

Each message is claimed for this deliverer (a lease in the store), then sent to each target
separately; each (message, target) delivery is recorded, so a target that took a message is
not sent it again. Emails carry the message's stable Message-ID on every attempt."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import socket
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from trendline.core.db import utcnow
from trendline.core.settings import ConfigError, Settings
from trendline.tasks.publish import outbox

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
    busy: int = 0  # claimed by another deliverer right now


def _split(line: str) -> tuple[str, str]:
    """`tag1,tag2=url` -> (tags, url); a bare url has no tags."""
    head, sep, rest = line.partition("=")
    if sep and "://" not in head:
        return head.strip(), rest.strip()
    return "", line.strip()


def check_urls(settings: Settings) -> None:
    """Every configured Apprise URL must be one Apprise can use: a bad or unsupported one is
    a config error naming it (masked), never a silently dropped target."""
    import apprise

    logging.getLogger("apprise").setLevel(logging.CRITICAL)
    for line in settings.notify_lines():
        _, url = _split(line)
        if apprise.Apprise.instantiate(url) is None:
            raise ConfigError(f"notify: unusable Apprise URL {mask(url)!r} (bad or unsupported)")
    path = settings.notify.config_file
    if path and not Path(path).is_file():
        raise ConfigError(f"notify.config_file: no such file: {path}")


def build(settings: Settings):
    import apprise

    from trendline.tasks.publish import email  # mailto(s):// with our text part and CID images

    email.register()
    check_urls(settings)
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


def target_id(plugin) -> tuple[str, str]:
    """(id, masked url): the id hashes the URL without its secrets."""
    masked = mask(plugin.url(privacy=True))
    return hashlib.sha1(masked.encode()).hexdigest()[:16], masked


_MSGID_LOCK = threading.Lock()


@contextlib.contextmanager
def stable_message_id(header: str):
    """Apprise's email plugin makes a fresh Message-ID per send; ours must be the same on
    every retry so a receiver can drop a duplicate."""
    try:
        from apprise.plugins.email import base as email_base
    except ImportError:  # another Apprise layout: the X-Trendline-Message-ID header remains
        yield
        return
    with _MSGID_LOCK:
        original = getattr(email_base, "make_msgid", None)
        email_base.make_msgid = lambda *a, **k: header
        try:
            yield
        finally:
            email_base.make_msgid = original


def send_one(plugin, msg: dict) -> bool:
    """Send one message to one target."""
    import apprise

    from trendline.tasks.publish import email

    header = outbox.message_id_header(msg["id"])
    headers = getattr(plugin, "headers", None)
    if isinstance(headers, dict):
        headers["X-Trendline-Message-ID"] = header
    single = apprise.Apprise()
    single.add(plugin)
    email.use_text(single, msg["tag"], msg["body_text"], header)  # our text part and ID
    attach = [p for p in msg["attachments"] if Path(p).is_file()] or None
    with stable_message_id(header):
        return bool(
            single.notify(
                title=msg["title"],
                body=msg["body_html"],
                body_format=apprise.NotifyFormat.HTML,
                tag=msg["tag"],
                attach=attach,
            )
        )


def deliver(engine: Engine, settings: Settings, targets=None) -> DeliveryOutcome:
    """Send every pending message to each target tagged for it, once per target."""
    targets = targets if targets is not None else build(settings)
    result = DeliveryOutcome(errors=[])
    with engine.connect() as conn:
        waiting = outbox.pending(conn)
    if not waiting:
        return result
    tags = {m["tag"] for m in waiting}
    by_tag = {tag: [target_id(p) + (p,) for p in targets.find(tag)] for tag in tags}
    result.waiting = sum(1 for m in waiting if not by_tag[m["tag"]])
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    served = {tag for tag, found in by_tag.items() if found}
    tried: set[str] = set()
    while served:  # one message at a time: concurrent deliverers share the queue
        claimed = outbox.claim(engine, owner, utcnow(), served, limit=1, exclude=tried)
        if not claimed:
            break
        msg = claimed[0]
        tried.add(msg["id"])
        try:
            ok, error = _deliver_message(engine, settings, msg, by_tag[msg["tag"]], owner)
        finally:
            with engine.begin() as conn:
                outbox.release(conn, msg["id"], owner)
        if ok is None:  # lost the lease: another deliverer has it now
            continue
        if ok:
            result.sent += 1
        else:
            result.failed += 1
            result.errors.append(f"{msg['title']}: {error}")
    result.busy = max(0, sum(1 for m in waiting if m["tag"] in by_tag and by_tag[m["tag"]])
                      - result.sent - result.failed)
    return result


def _deliver_message(engine, settings, msg, found, owner) -> tuple[bool | None, str]:
    with engine.connect() as conn:
        done = outbox.deliveries(conn, msg["id"])
    failures = []
    for tid, masked, plugin in found:
        if done.get(tid, {}).get("status") == "sent":
            continue
        with engine.begin() as conn:
            if not outbox.renew(conn, msg["id"], owner, utcnow()):
                return None, "lease lost"
            outbox.start_delivery(conn, msg["id"], tid, masked)
        ok = send_one(plugin, msg)
        error = "" if ok else f"{masked} did not accept the message"
        with engine.begin() as conn:
            outbox.finish_delivery(conn, msg["id"], tid, ok, mask(error), utcnow())
        if not ok:
            failures.append(mask(error))
    ok = not failures
    error = "; ".join(failures)
    give_up = msg["attempts"] + 1 >= settings.notify.max_attempts
    with engine.begin() as conn:
        outbox.mark(conn, msg["id"], ok, error, utcnow(), give_up)
    return ok, error
