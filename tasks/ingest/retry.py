"""One retry policy per source, built on tenacity.

What is worth another try (transient): a connection that failed or timed out, an HTTP 5xx,
a 429 (honouring `Retry-After`). What is not (permanent): any other 4xx, a refused key, a
spent daily budget, a file that cannot be read: those raise SourceError at once. Each
source declares its policy (`Source.retry`: attempts, first backoff); `run_source` applies
it around the source's fetch, and the OpenAlex client applies its configured policy to each
of its requests instead (so a failure on page 30 does not fetch pages 1-29 again). Prefect
adds no retries of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import tenacity

T = TypeVar("T")
MAX_WAIT = 60.0  # seconds: longer Retry-After values are capped


class Transient(Exception):
    """A failure another attempt may cure; `retry_after` (seconds) when the server said."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def is_transient(exc: BaseException | None) -> bool:
    return isinstance(exc, Transient | httpx.TransportError)


def http_problem(resp: httpx.Response, what: str) -> Exception | None:
    """None for a success; Transient for 5xx and 429; None for other statuses the caller
    handles itself."""
    if resp.status_code >= 500:
        return Transient(f"{what}: HTTP {resp.status_code}")
    if resp.status_code == 429:
        return Transient(f"{what}: HTTP 429", retry_after_seconds(resp))
    return None


def retry_after_seconds(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


@dataclass
class Policy:
    attempts: int = 1  # 1: no retry
    backoff: float = 1.0  # first wait; doubles each time
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        after = getattr(exc, "retry_after", None)
        if after is not None:
            return min(after, MAX_WAIT) if self.backoff else 0.0
        return min(self.backoff * 2 ** (state.attempt_number - 1), MAX_WAIT)

    def call(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        """fn(*args, **kw), retried on transient errors; the last error is re-raised."""
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(max(1, self.attempts)),
            wait=self.wait,
            retry=tenacity.retry_if_exception(is_transient),
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(fn, *args, **kw)
