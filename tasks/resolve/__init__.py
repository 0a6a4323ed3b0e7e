"""Resolve: every fact the indicators rely on is decided here, once, and stored with how
it was decided."""

from __future__ import annotations

from dataclasses import dataclass

from tasks.resolve.match import match_store
from trendline.resources import Resources


@dataclass
class ResolveOutcome:
    affiliations_matched: int = 0


def resolve(res: Resources) -> ResolveOutcome:
    return ResolveOutcome(affiliations_matched=match_store(res.engine))
