"""Resolve: every fact the indicators rely on is decided here, once, and stored with how
it was decided: organisations and their dated list memberships, affiliations (organisation,
country, joint centre), works (AI, language, countries, field), deal and event parties, and
deal amounts (known USD or unknown). Runs after every ingest; cheap when nothing changed."""

from __future__ import annotations

from dataclasses import dataclass

from trendline.core.resources import Resources
from trendline.tasks.resolve.affiliations import resolve_affiliations
from trendline.tasks.resolve.centres import resolve_centres
from trendline.tasks.resolve.deals import resolve_deals
from trendline.tasks.resolve.listings import resolve_listings
from trendline.tasks.resolve.parties import resolve_parties
from trendline.tasks.resolve.registry import load_registry, set_state, state
from trendline.tasks.resolve.works import definition_label, resolve_works


@dataclass
class ResolveOutcome:
    affiliations: int = 0
    works: int = 0
    parties: int = 0
    listings: int = 0
    deals: int = 0

    def line(self) -> str:
        return (f"resolved {self.works} works, {self.affiliations} affiliations, "
                f"{self.parties} parties, {self.listings} listings, {self.deals} deals")


def resolve(res: Resources) -> ResolveOutcome:
    now = res.now()
    cfg = res.settings.sources.openalex
    with res.engine.begin() as conn:
        reg = load_registry(conn)
        changed = state(conn, "registry") != reg.digest
        out = ResolveOutcome()
        out.listings = resolve_listings(conn, reg, now)
        out.affiliations = resolve_affiliations(conn, reg, now)
        resolve_centres(conn, reg)  # after affiliations: a party may be an institution
        label = definition_label(cfg)
        out.works = resolve_works(conn, cfg, now, everything=changed
                                  or state(conn, "definition") != label)
        set_state(conn, "definition", label)
        out.parties = resolve_parties(conn, reg, now)
        out.deals = resolve_deals(conn, now)
    return out
