"""Secrets never leave: every secret Trendline is given (the OpenAlex key, each Apprise URL
and the passwords and tokens inside it) is registered here when the settings are read,
and `redact()` replaces each one, wherever it appears, by `***`: in every log record
(a log-record factory, so Prefect's loggers and httpx's are covered too), every error line,
refresh_runs message, incident and ops message."""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import parse_qsl, quote, unquote

MASK = "***"
MIN_LENGTH = 6  # shorter parts of a URL (`no`, `587`) are not secrets worth a mask

_secrets: set[str] = set()
_pattern: re.Pattern | None = None
_guard = threading.Lock()
_installed = False


def register(*values: str | None) -> None:
    """Mask these values (and their URL-encoded forms) from now on, in this process."""
    global _pattern
    found = set()
    for value in values:
        if value and len(value) >= MIN_LENGTH:
            found.update({value, quote(value, safe=""), unquote(value)})
    found = {v for v in found if len(v) >= MIN_LENGTH}
    with _guard:
        if found <= _secrets:
            return
        _secrets.update(found)
        ordered = sorted(_secrets, key=len, reverse=True)  # the longest match first
        _pattern = re.compile("|".join(re.escape(v) for v in ordered))
    _install()


def redact(text: object) -> str:
    """`text` with every registered secret replaced by ***."""
    text = str(text)
    pattern = _pattern
    return pattern.sub(MASK, text) if pattern is not None else text


def url_secrets(url: str) -> list[str]:
    """What in an Apprise URL can be a secret: the whole URL, its password, a token after
    the host (`tgram://123:TOKEN/...`), every path segment and every query value. Host
    names and user names stay readable."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return [url]
    rest, _, query = rest.partition("?")
    rest = rest.split("#", 1)[0]
    authority, _, path = rest.partition("/")
    found = [url, rest]
    userinfo, at, hostport = authority.rpartition("@")
    if at:
        found.append(userinfo.partition(":")[2])
    host, colon, port = hostport.partition(":")
    if colon and not port.isdigit():
        found += [port, hostport]  # a token, not a port
    found += [part for part in path.split("/") if part]
    found += [value for _, value in parse_qsl(query, keep_blank_values=False)]
    return found


def _install() -> None:
    """Redact every log record as it is made (once per process)."""
    global _installed
    with _guard:
        if _installed:
            return
        _installed = True
        make = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        if _pattern is None:
            return record
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot format itself: leave it to the handler
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
            if record.exc_text != formatted:
                record.exc_info = None  # only the redacted text is kept
        return record

    logging.setLogRecordFactory(factory)
