"""Parsing every stage shares: a calendar day from whatever a file or the store holds, and
the short id at the end of an id URL (OpenAlex, ROR). One helper each; sources and the
resolve stage import them from here."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

# YYYY-MM-DD (month and day may be one digit), optionally followed by an ISO time.
DAY = re.compile(
    r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def day(value: Any, *, partial: bool = False) -> dt.date | None:
    """A calendar day from a date, a datetime (its day) or ISO text `YYYY-MM-DD` (a time
    after it is allowed and dropped). With `partial`, `YYYY-MM` and `YYYY` are the first day
    of that month or year. None, NaN/NaT and blank text are None (unknown); any other text
    raises ValueError."""
    if value is None or value != value:  # None or NaN/NaT
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    m = DAY.fullmatch(text)
    if not m or (not partial and m[3] is None):
        raise ValueError(f"not a date: {text!r}")
    try:
        return dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        raise ValueError(f"not a date: {text!r}") from None


@lru_cache(maxsize=1 << 16)  # topics, concepts and institutions repeat across works
def short_id(url: str | None) -> str | None:
    """The last segment of an id URL (`https://openalex.org/W123` -> `W123`,
    `https://ror.org/05x2bcf33/` -> `05x2bcf33`); a bare id is itself; blank is None."""
    tail = (url or "").strip().rstrip("/").rsplit("/", 1)[-1]
    return tail or None
