"""The live OpenAlex client: httpx with retries, rate-limit awareness and a hidden key.

Transient faults (connection errors, time-outs, 5xx, a per-second 429 or 403) are retried
with exponential backoff, honouring `Retry-After`, by the source's one policy
(trendline.tasks.ingest.retry, tenacity). A spent daily budget or a refused key stops the refresh
with one SourceError line; the source writes nothing until every request has succeeded.
The key travels as the `api_key` parameter and is masked in every log line and message.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from trendline.core.redaction import redact as redact_secrets
from trendline.core.redaction import register as register_secret
from trendline.core.settings import Settings
from trendline.tasks.ingest.clients.capped import get_capped
from trendline.tasks.ingest.retry import Policy, Transient, retry_after_seconds
from trendline.tasks.ingest.source import SourceError

log = logging.getLogger(__name__)
_KEY_IN_URL = re.compile(r"(api_key=)[^&\s\"']+")
_SPENT_WORDS = ("daily", "budget", "credits", "quota", "per day")


def redact(text: str) -> str:
    """The key out of `text`: as the `api_key` parameter, and by its value anywhere (an
    error body that echoes it)."""
    return redact_secrets(_KEY_IN_URL.sub(r"\1***", text))


class _RedactKey(logging.Filter):
    """httpx logs every request URL at INFO; the key must never reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(str(a)) if "api_key" in str(a) else a for a in args)
        return True


for _name in ("httpx", "httpcore"):
    if not any(isinstance(f, _RedactKey) for f in logging.getLogger(_name).filters):
        logging.getLogger(_name).addFilter(_RedactKey())


class LiveClient:
    """GET requests against the OpenAlex API; counts them and tracks the budget left."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 5,
        backoff: float = 1.0,
        mailto: str = "",
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        policy: Policy | None = None,
        max_response_mb: float = 64.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.max_response_mb = max_response_mb
        self._key = api_key
        register_secret(api_key)
        self.policy = policy or Policy(max_retries + 1, backoff, sleep)
        self.mailto = mailto
        self.requests = 0  # every HTTP request sent, retries included
        self.rate_limit: dict[str, str] = {}  # the latest X-RateLimit-* headers
        self._http = httpx.Client(
            timeout=timeout, transport=transport, headers={"User-Agent": "trendline"}
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kw: Any) -> LiveClient:
        cfg = settings.sources.openalex
        key = settings.openalex_api_key.get_secret_value() if settings.openalex_api_key else None
        policy = Policy(cfg.max_retries + 1, cfg.backoff_seconds, kw.pop("sleep", time.sleep))
        kw.setdefault("policy", policy)
        return cls(settings.openalex_url, key, timeout=cfg.timeout_seconds, mailto=cfg.mailto,
                   max_response_mb=cfg.max_response_mb, **kw)

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:  # never shows the key
        return f"LiveClient({self.base_url!r}, key={'set' if self._key else 'unset'})"

    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """One GET under the source's retry policy (trendline.tasks.ingest.retry): transient faults
        are retried with backoff, permanent ones raise SourceError at once."""
        query = dict(params)
        if self._key:
            query["api_key"] = self._key
        if self.mailto:
            query["mailto"] = self.mailto
        try:
            return self.policy.call(self._get_once, f"{self.base_url}{path}", path, query)
        except Transient as exc:
            raise SourceError(
                f"OpenAlex still failing after {self.policy.attempts} attempts on {path} "
                f"({redact(str(exc))})"
            ) from None

    def _get_once(self, url: str, path: str, query: dict[str, Any]) -> dict[str, Any]:
        self.requests += 1
        try:
            resp = get_capped(self._http, url, self.max_response_mb, f"OpenAlex's answer for "
                              f"{path}", "sources.openalex.max_response_mb", params=query)
        except httpx.TimeoutException:
            raise Transient("timed out") from None
        except httpx.TransportError as exc:
            raise Transient(f"unreachable at {self.base_url}: {type(exc).__name__}") from None
        self._note_budget(resp.headers)
        status = resp.status_code
        if status == 200:
            return self._json(resp, path)
        if status == 401 or (status == 403 and not _says_rate(resp)):
            raise SourceError(
                f"OpenAlex refused the API key (HTTP {status}): check OPENALEX_API_KEY"
            )
        if status in (429, 403) and _budget_spent(resp):
            reset = resp.headers.get("x-ratelimit-reset", "")
            raise SourceError(
                "OpenAlex daily budget is spent (HTTP 429); nothing was written"
                + (f"; it resets at {reset}" if reset else "; try again tomorrow")
            )
        if status in (429, 403) or status >= 500:
            after = retry_after_seconds(resp)
            log.info("OpenAlex %s on %s, retrying", status, path)
            problem = f"HTTP {status}" + (f", Retry-After {after:g}" if after is not None else "")
            raise Transient(problem, after)
        raise SourceError(f"OpenAlex answered HTTP {status} for {path}: {_message(resp)}")

    def _json(self, resp: httpx.Response, path: str) -> dict[str, Any]:
        try:
            body = resp.json()
        except ValueError:
            raise SourceError(f"OpenAlex sent a body that is not JSON for {path}") from None
        if not isinstance(body, dict):
            raise SourceError(f"OpenAlex sent an unexpected JSON shape for {path}")
        return body

    def _note_budget(self, headers: httpx.Headers) -> None:
        limits = {k.lower(): v for k, v in headers.items() if k.lower().startswith("x-ratelimit")}
        if limits:
            self.rate_limit = limits
            left = limits.get("x-ratelimit-remaining")
            if left is not None:
                log.info("OpenAlex budget left: %s of %s", left,
                         limits.get("x-ratelimit-limit", "?"))

    @property
    def budget_left(self) -> str | None:
        return self.rate_limit.get("x-ratelimit-remaining")


def _message(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return redact(resp.text[:200].strip()) or "(empty body)"
    if isinstance(body, dict):
        return redact(str(body.get("message") or body.get("error") or body)[:200])
    return redact(str(body)[:200])


def _says_rate(resp: httpx.Response) -> bool:
    return "rate" in _message(resp).lower() or "x-ratelimit-remaining" in resp.headers


def _budget_spent(resp: httpx.Response) -> bool:
    """A 429 that more requests today cannot cure: the headers say nothing is left, or
    the body speaks of the daily budget."""
    if resp.headers.get("x-ratelimit-remaining", "").strip() in ("0", "0.0", "0.00"):
        return True
    text = _message(resp).lower()
    return any(word in text for word in _SPENT_WORDS)
