"""Tables the refreshes write: runs, works, organisations, lists, deals, events, series.

Every data row carries `refresh_run_id`: the refresh that last wrote it.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
)

from trendline.core.schema.base import metadata, run_id_column

refresh_runs = Table(
    "refresh_runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source", String(64), nullable=False, index=True),
    Column("mode", String(16), nullable=False),  # demo | live | file
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("checked_at", DateTime(timezone=True)),  # last time this content was seen again
    Column("status", String(16), nullable=False),  # running | succeeded | failed | skipped
    Column("content_hash", String(64)),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_written", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("message", Text, nullable=False, default=""),
)


works = Table(
    "works",
    metadata,
    Column("id", String(64), primary_key=True),  # OpenAlex W-id, or cnki:<hash>
    Column("source", String(32), nullable=False),  # openalex | cnki | snapshot
    Column("doi", Text),  # outside text: real DOIs run past 255 characters
    Column("title", Text, nullable=False, default=""),
    Column("publication_year", Integer, index=True),
    Column("language", Text),
    Column("type", Text),  # as the source says it (CNKI: a database or reference type)
    Column("cited_by_count", Integer),
    Column("fwci", Float),
    Column("citation_percentile", Float),  # citation_normalized_percentile.value
    Column("is_top10", Boolean),
    Column("countries", JSON, nullable=False, default=list),
    Column("topics", JSON, nullable=False, default=list),  # [{id, name, subfield_id, ...}]
    Column("concepts", JSON, nullable=False, default=list),  # concept ids (legacy AI definition)
    Column("authors_truncated", Boolean, nullable=False, default=False),  # not fetched whole
    Column("funders", JSON, nullable=False, default=list),
    Column("updated_date", Text),
    Column("url", Text),  # a landing page when there is no DOI (CNKI records)
    Column("snapshot_part", Text),  # content_key of the snapshot part it came from
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    run_id_column(),
)


authorships = Table(
    "authorships",
    metadata,
    Column("work_id", String(64), primary_key=True),
    Column("author_position", Integer, primary_key=True),
    Column("institution_index", Integer, primary_key=True),
    Column("author_name", Text, nullable=False, default=""),
    Column("institution_id", String(64)),  # OpenAlex I-id
    Column("institution_name", Text, nullable=False, default=""),
    Column("ror_id", String(16)),
    Column("country_code", String(2)),
    Column("raw_affiliation", Text, nullable=False, default=""),
    Column("affiliation_key", String(32), index=True),  # parsing.names.affiliation_key
    Column("work_key", BigInteger),  # parsing.names.work_key(work_id): frames join on numbers
    Column("aff_code", BigInteger),  # parsing.names.affiliation_code(affiliation_key)
    run_id_column(),
)


publication_counts = Table(
    "publication_counts",
    metadata,
    Column("series", String(32), primary_key=True),  # e.g. CN+RU, US+CN, CN
    Column("ai_definition", String(128), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("query_url", Text, nullable=False),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    run_id_column(),
)


organisations = Table(
    "organisations",
    metadata,
    Column("id", String(64), primary_key=True),  # ror:<id> or tl:<slug>
    Column("name", Text, nullable=False),
    Column("country", String(2)),
    Column("ror_id", String(16), index=True),
    Column("names", JSON, nullable=False, default=dict),  # {"en": .., "zh": .., "ru": ..}
    Column("aliases", JSON, nullable=False, default=list),
    Column("acronyms", JSON, nullable=False, default=list),
    Column("weak_aliases", JSON, nullable=False, default=list),  # match only as `review`
    Column("parent_id", String(64)),
    Column("source", String(32), nullable=False),
    run_id_column(),
)


watchlist_entries = Table(
    "watchlist_entries",
    metadata,
    Column("id", String(80), primary_key=True),  # <list>:<key>
    Column("list_name", String(32), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("aliases", JSON, nullable=False, default=list),
    Column("country", String(2)),
    Column("org_id", String(64)),
    Column("ror_id", String(16)),
    Column("listed_on", Date),
    Column("removed_on", Date),
    Column("citation", Text, nullable=False, default=""),
    Column("source_url", Text, nullable=False, default=""),
    Column("source", String(32)),  # the source that owns the entry: screening_list | curated_lists
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    run_id_column(),
)


watchlist_changes = Table(
    "watchlist_changes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("list_name", String(32), nullable=False),
    Column("entry_id", String(80), nullable=False),
    Column("name", Text, nullable=False),
    Column("change", String(16), nullable=False),  # added | changed | removed
    Column("detected_at", DateTime(timezone=True), nullable=False),
    Column("details", JSON, nullable=False, default=dict),
    run_id_column(),
)


affiliation_matches = Table(
    "affiliation_matches",
    metadata,
    Column("key", String(64), primary_key=True),  # hash of (normalised name, ror id)
    Column("affiliation", Text, nullable=False),
    Column("ror_id", String(16)),
    Column("org_id", String(64)),
    Column("org_name", Text),
    Column("lists", JSON, nullable=False, default=list),
    Column("score", Float, nullable=False, default=0.0),
    Column("rule", String(16), nullable=False),  # ror | alias | fuzzy | review | none
    Column("country", String(2)),  # ISO code decided in resolve (None: unknown)
    Column("country_rule", String(80), nullable=False, default=""),  # how it was decided
    Column("code", BigInteger, index=True),  # parsing.names.affiliation_code(key)
    Column("inst", String(64)),  # the source's institution id (OpenAlex I-id), if any
    Column("matched_at", DateTime(timezone=True), nullable=False),
)


deals = Table(
    "deals",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("announced_on", Date),
    Column("year", Integer, index=True),
    Column("target", Text, nullable=False),
    Column("target_country", String(2)),
    Column("direction", String(16)),  # CN->RU | RU->CN | US->CN | ... | JOINT
    Column("deal_type", Text, nullable=False, default=""),
    Column("amount_usd", Float),  # NULL: undisclosed, never zero
    Column("amount_original", Float),
    Column("currency", String(3)),
    Column("disclosed", Boolean, nullable=False),
    Column("sectors", JSON, nullable=False, default=list),
    Column("concern_areas", JSON, nullable=False, default=list),
    Column("source", String(32), nullable=False),
    Column("source_url", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    run_id_column(),
)


deal_parties = Table(
    "deal_parties",
    metadata,
    Column("deal_id", String(80), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("role", String(16), nullable=False),  # investor | target | partner
    Column("country", String(2)),
    Column("org_id", String(64)),
    run_id_column(),
)


events = Table(
    "events",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("date", Date),
    Column("year", Integer, index=True),
    Column("type", String(32), nullable=False),  # agreement | joint_centre | fund | ...
    Column("title", Text, nullable=False),
    Column("parties", JSON, nullable=False, default=list),
    Column("countries", JSON, nullable=False, default=list),
    Column("amount_usd", Float),
    Column("sectors", JSON, nullable=False, default=list),
    Column("concern_areas", JSON, nullable=False, default=list),
    Column("source_url", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    run_id_column(),
)


series_points = Table(  # curated yearly figures: RCIF AUM, student flows, brief aggregates
    "series_points",
    metadata,
    Column("series", String(64), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("value", Float),
    Column("unit", String(16), nullable=False, default=""),
    Column("source_url", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("is_demo", Boolean, nullable=False, default=False),
    run_id_column(),
)


snapshot_partitions = Table(
    "snapshot_partitions",
    metadata,
    Column("path", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),  # bytes
    # snapshot_layout.content_key: a part already stored is known by its bytes, wherever
    # it lies (another quarterly copy) and a replaced part of the same size is read again
    Column("content_key", Text, nullable=False, default="", index=True),
    Column("works_read", Integer, nullable=False),
    Column("works_kept", Integer, nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
)
