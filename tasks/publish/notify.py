"""Delivery through Apprise: the only module that imports it. A message leaves the outbox
only when every target of its tag reported success. A URL (which carries passwords and
tokens) is never printed, logged or stored: each target is named by its position and tags,
`notify url #2 (tag ops)`, and its secrets are registered for redaction.

Each message is claimed for this deliverer (a lease in the store, on the database's clock),
then sent to each target separately; each (message, target) delivery is recorded, so a
target that took a message is not sent it again. A target's id is a keyed hash (HMAC, with
a secret kept in the store) of its full URL: two URLs that differ only in a token never
share a delivery row, and the id tells nothing about the URL. The `sent` mark after a send
is retried (trendline.tasks.publish.outbox.durably); the lease is checked again before the
message is marked. Emails carry the message's stable Message-ID on every attempt."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from trendline.core.db import utcnow
from trendline.core.redaction import redact, register, url_secrets
from trendline.core.secrets import store_secret
from trendline.core.settings import ConfigError, Settings, split_notify_line
from trendline.tasks.publish import outbox

log = logging.getLogger(__name__)


@dataclass
class DeliveryOutcome:
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # pending: no target takes its tag (yet)
    errors: list[str] | None = None
    busy: int = 0  # claimed by another deliverer right now


@dataclass(frozen=True)
class Target:
    label: str  # how people see it: `notify url #2 (tag ops)`
    plugin: Any  # the Apprise service
    url: str  # the full URL, secrets and all: hashed, never shown


class Targets:
    """The configured targets, found by tag as Apprise finds them."""

    def __init__(self, targets: list[Target]):
        import apprise

        self.all = targets
        self._apprise = apprise.Apprise()
        self._by_plugin = {}
        for t in targets:
            self._apprise.add(t.plugin)
            self._by_plugin[id(t.plugin)] = t

    def find(self, tag: str) -> list[Target]:
        return [self._by_plugin[id(p)] for p in self._apprise.find(tag)
                if id(p) in self._by_plugin]


def _label(n: int, tags, where: str = "") -> str:
    tags = ",".join(sorted(str(t) for t in tags if str(t))) or "none"
    return f"notify url #{n} ({where}tag {tags})"


def targets_of(settings: Settings) -> list[Target]:
    """Every configured target, named by position: a URL Apprise cannot use is a config
    error naming its position and tags, never its text."""
    import apprise

    from trendline.tasks.publish import email  # mailto(s):// with our text part, CID images

    email.register()
    logging.getLogger("apprise").setLevel(logging.CRITICAL)
    found = []
    for n, line in enumerate(settings.notify_lines(), start=1):
        tags, url = split_notify_line(line)
        register(*url_secrets(url))
        plugin = apprise.Apprise.instantiate(url, tag=tags or None)
        if plugin is None:
            raise ConfigError(f"notify: {_label(n, tags.split(','))} is not an Apprise URL "
                              "Trendline can use (bad or unsupported; the URL is not shown)")
        found.append(Target(_label(n, plugin.tags), plugin, url))
    path = settings.notify.config_file
    if path:
        if not Path(path).is_file():
            raise ConfigError(f"notify.config_file: no such file: {path}")
        cfg = apprise.AppriseConfig()
        cfg.add(str(Path(path)))
        for plugin in cfg.servers():
            url = plugin.url(privacy=False)
            register(*url_secrets(url))
            found.append(Target(_label(len(found) + 1, plugin.tags, "config file, "), plugin,
                                url))
    logging.getLogger("apprise").setLevel(logging.ERROR)
    return found


def check_urls(settings: Settings) -> None:
    """Every configured Apprise URL must be one Apprise can use (ConfigError otherwise)."""
    targets_of(settings)


def build(settings: Settings) -> Targets:
    return Targets(targets_of(settings))


def target_id(secret: bytes, target: Target) -> str:
    """The delivery row's key: HMAC-SHA256 of the full URL under the store's secret."""
    return hmac.new(secret, target.url.encode(), hashlib.sha256).hexdigest()[:16]


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


def deliver(engine: Engine, settings: Settings, targets: Targets | None = None,
            clock: Callable[[], dt.datetime] = utcnow) -> DeliveryOutcome:
    """Send every pending message to each target tagged for it, once per target. Leases
    use the database's clock; `clock` stamps what was sent."""
    targets = targets if targets is not None else build(settings)
    result = DeliveryOutcome(errors=[])
    with engine.connect() as conn:
        waiting = outbox.pending(conn)
    if not waiting:
        return result
    secret = store_secret(engine, "targets")
    tags = {m["tag"] for m in waiting}
    by_tag = {tag: [(target_id(secret, t), t) for t in targets.find(tag)] for tag in tags}
    result.waiting = sum(1 for m in waiting if not by_tag[m["tag"]])
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    served = {tag for tag, found in by_tag.items() if found}
    tried: set[str] = set()
    while served:  # one message at a time: concurrent deliverers share the queue
        claimed = outbox.claim(engine, owner, tags=served, limit=1, exclude=tried)
        if not claimed:
            break
        msg = claimed[0]
        tried.add(msg["id"])
        try:
            ok, error = _deliver_message(engine, settings, msg, by_tag[msg["tag"]], owner, clock)
        finally:
            outbox.durably(engine, lambda conn, mid=msg["id"]: outbox.release(conn, mid, owner))
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


def _deliver_message(engine, settings, msg, found, owner, clock) -> tuple[bool | None, str]:
    with engine.connect() as conn:
        done = outbox.deliveries(conn, msg["id"])
    failures = []
    for tid, target in found:
        if done.get(tid, {}).get("status") == "sent":
            continue
        with engine.begin() as conn:
            if not outbox.renew(conn, msg["id"], owner):
                return None, "lease lost"
            outbox.start_delivery(conn, msg["id"], tid, target.label)
        try:
            ok = send_one(target.plugin, msg)
        except Exception as exc:  # a service that raises is a failed send, named safely
            log.warning("%s raised %s", target.label, type(exc).__name__)
            ok = False
        error = "" if ok else f"{target.label} did not accept the message"
        outbox.durably(engine, lambda conn, tid=tid, ok=ok, error=error: outbox.finish_delivery(
            conn, msg["id"], tid, ok, error, clock()))
        if not ok:
            failures.append(error)
    ok = not failures
    error = redact("; ".join(failures))
    give_up = msg["attempts"] + 1 >= settings.notify.max_attempts

    def mark(conn) -> bool:
        if not outbox.renew(conn, msg["id"], owner):  # a slow send outlived the lease
            return False
        outbox.mark(conn, msg["id"], ok, error, clock(), give_up)
        return True

    if not outbox.durably(engine, mark):
        return None, "lease lost"
    return ok, error
