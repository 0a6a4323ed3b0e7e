"""The store's tables (SQLAlchemy Core), one module per stage that writes them. Alembic
migrations mirror this package."""

from trendline.core.schema.base import metadata
from trendline.core.schema.evaluated import (
    alert_events,
    alert_members,
    alerts,
    evidence_groups,
    evidence_members,
    incidents,
    indicator_values,
    series_vintages,
    silences,
    verdicts,
)
from trendline.core.schema.facts import (
    centre_works,
    centres,
    deal_facts,
    org_listings,
    party_matches,
    resolve_state,
    work_facts,
)
from trendline.core.schema.ingested import (
    affiliation_matches,
    authorships,
    deal_parties,
    deals,
    events,
    organisations,
    publication_counts,
    refresh_runs,
    series_points,
    snapshot_partitions,
    watchlist_changes,
    watchlist_entries,
    works,
)
from trendline.core.schema.keys import store_secrets
from trendline.core.schema.outbox import (
    outbox,
    outbox_deliveries,
    outbox_leases,
)
from trendline.core.schema.people import login_failures, users

__all__ = [
    "metadata",
    "refresh_runs",
    "works",
    "authorships",
    "publication_counts",
    "organisations",
    "watchlist_entries",
    "watchlist_changes",
    "affiliation_matches",
    "deals",
    "deal_parties",
    "events",
    "series_points",
    "snapshot_partitions",
    "work_facts",
    "party_matches",
    "org_listings",
    "deal_facts",
    "centres",
    "centre_works",
    "resolve_state",
    "indicator_values",
    "evidence_members",
    "evidence_groups",
    "verdicts",
    "series_vintages",
    "alerts",
    "alert_members",
    "alert_events",
    "silences",
    "incidents",
    "outbox",
    "outbox_leases",
    "outbox_deliveries",
    "store_secrets",
    "users",
    "login_failures",
]
