"""The key an affiliation is stored under: its light normal form plus its ROR id."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalise(name: str) -> str:
    """The light normal form used in affiliation keys (the matcher folds further)."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


def affiliation_key(name: str | None, ror_id: str | None) -> str:
    raw = f"{ror_id or ''}|{normalise(name or '')}"
    return hashlib.sha1(raw.encode()).hexdigest()[:32]
