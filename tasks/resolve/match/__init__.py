"""Resolve affiliations to canonical organisations and the watch-lists they are on.

Rules, in order: `ror` (the source gave a ROR id the registry knows), `alias` (an exact
normalised name or alias, in Latin, Chinese or Cyrillic script), `fuzzy` (candidates from a
token index scored with rapidfuzz, guarded against look-alikes); uncertain candidates get
`review` and count for nothing. Every match keeps its rule and score.
"""

from __future__ import annotations

from trendline.tasks.ingest.parsing.names import affiliation_key, normalise
from trendline.tasks.resolve.match.build import build
from trendline.tasks.resolve.match.matcher import NO_MATCH, Match, Matcher

__all__ = ["NO_MATCH", "Match", "Matcher", "affiliation_key", "build", "normalise"]

