"""The store's tables (SQLAlchemy Core). Alembic migrations mirror this module.

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
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()


def _run():
    return Column("refresh_run_id", String(36), nullable=False, index=True)


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
    Column("doi", String(255)),
    Column("title", Text, nullable=False, default=""),
    Column("publication_year", Integer, index=True),
    Column("language", String(8)),
    Column("type", String(32)),
    Column("cited_by_count", Integer),
    Column("fwci", Float),
    Column("citation_percentile", Float),  # citation_normalized_percentile.value
    Column("is_top10", Boolean),
    Column("countries", JSON, nullable=False, default=list),
    Column("topics", JSON, nullable=False, default=list),  # [{id, name, subfield_id, ...}]
    Column("concepts", JSON, nullable=False, default=list),  # concept ids (legacy AI definition)
    Column("authors_truncated", Boolean, nullable=False, default=False),  # not fetched whole
    Column("funders", JSON, nullable=False, default=list),
    Column("updated_date", String(32)),
    Column("url", Text),  # a landing page when there is no DOI (CNKI records)
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    _run(),
)

authorships = Table(
    "authorships",
    metadata,
    Column("work_id", String(64), primary_key=True),
    Column("author_position", Integer, primary_key=True),
    Column("institution_index", Integer, primary_key=True),
    Column("author_name", String(255), nullable=False, default=""),
    Column("institution_id", String(64)),  # OpenAlex I-id
    Column("institution_name", Text, nullable=False, default=""),
    Column("ror_id", String(16)),
    Column("country_code", String(2)),
    Column("raw_affiliation", Text, nullable=False, default=""),
    Column("affiliation_key", String(32), index=True),  # tasks.names.affiliation_key
    Column("work_key", BigInteger),  # tasks.names.work_key(work_id): frames join on numbers
    Column("aff_code", BigInteger),  # tasks.names.affiliation_code(affiliation_key)
    _run(),
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
    _run(),
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
    _run(),
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
    _run(),
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
    _run(),
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
    Column("centre", String(64)),  # a joint centre named in the affiliation text
    Column("code", BigInteger, index=True),  # tasks.names.affiliation_code(key)
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
    Column("deal_type", String(64), nullable=False, default=""),
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
    _run(),
)

deal_parties = Table(
    "deal_parties",
    metadata,
    Column("deal_id", String(80), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("role", String(16), nullable=False),  # investor | target | partner
    Column("country", String(2)),
    Column("org_id", String(64)),
    _run(),
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
    _run(),
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
    _run(),
)

snapshot_partitions = Table(
    "snapshot_partitions",
    metadata,
    Column("path", Text, primary_key=True),
    Column("size", Integer, nullable=False),
    Column("works_read", Integer, nullable=False),
    Column("works_kept", Integer, nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
)

indicator_values = Table(
    "indicator_values",
    metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("subject", String(128), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("value", Float),
    Column("detail", JSON, nullable=False, default=dict),  # the other series at this period
    Column("baseline", JSON, nullable=False, default=dict),
    Column("evidence", JSON, nullable=False, default=list),  # a bounded sample, newest first
    Column("evidence_count", Integer, nullable=False, default=0),  # every record behind it
    Column("query", Text, nullable=False, default=""),
    Column("provenance", JSON, nullable=False, default=list),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(16), primary_key=True),  # short form of the fingerprint
    Column("fingerprint", String(255), nullable=False, unique=True),
    Column("indicator_id", String(64), nullable=False, index=True),
    Column("subject", String(128), nullable=False),
    Column("period", String(16), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    # pending | firing | resolved | no_data | history (before the first run: not announced)
    Column("state", String(16), nullable=False),
    Column("value", Float),
    Column("threshold", Float),
    Column("message", Text, nullable=False),
    Column("evidence", JSON, nullable=False, default=list),
    Column("first_fired_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Column("last_notified_at", DateTime(timezone=True)),
    Column("notified_severity", String(16)),  # severity last announced in this episode
    Column("repeat_count", Integer, nullable=False, default=0),  # repeats sent (back-off step)
    Column("pending_count", Integer, nullable=False, default=0),  # evaluations condition held
    Column("member_count", Integer, nullable=False, default=0),  # records in the group now
    Column("no_data_reason", Text, nullable=False, default=""),
    Column("acked_at", DateTime(timezone=True)),
    Column("acked_by", String(128)),
    Column("ack_note", Text),
    Column("ack_severity", String(16)),  # re-announced only above this
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("dedup_key", String(255), nullable=False, unique=True),
    Column("tag", String(32), nullable=False),  # alerts | weekly
    Column("title", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("body_markdown", Text, nullable=False),
    Column("attachments", JSON, nullable=False, default=list),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("sent_at", DateTime(timezone=True)),
)


# Resolved facts: each decided once by tasks/resolve, stored with how it was decided ------

work_facts = Table(
    "work_facts",
    metadata,
    Column("work_id", String(64), primary_key=True),
    Column("work_key", BigInteger, nullable=False),  # tasks.names.work_key(work_id)
    Column("year", Integer, index=True),
    Column("source", String(32), nullable=False),
    Column("definition", String(160), nullable=False),  # the AI definition and language used
    Column("is_ai", Boolean, nullable=False),
    Column("ai_rule", Text, nullable=False),  # e.g. "topic T10320 in subfield 1702"
    Column("language", String(8)),
    Column("in_language", Boolean, nullable=False),  # the definition's language (brief: en)
    Column("countries", String(64), nullable=False, default=""),  # ISO codes, sorted, ","
    Column("country_rule", Text, nullable=False, default=""),
    Column("is_joint", Boolean, nullable=False),  # at least one CN and one RU affiliation
    Column("field", String(48), nullable=False, default="other"),  # the brief's Table 1 field
    Column("funders", String(160), nullable=False, default=""),
    Column("authors_truncated", Boolean, nullable=False, default=False),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("resolved_at", DateTime(timezone=True), nullable=False),
)

party_matches = Table(  # deal and event parties resolved to organisations
    "party_matches",
    metadata,
    Column("record_kind", String(8), primary_key=True),  # deal | event
    Column("record_id", String(80), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("role", String(16), nullable=False, default=""),
    Column("country", String(2)),
    Column("org_id", String(64), index=True),
    Column("org_name", Text),
    Column("rule", String(16), nullable=False),  # org_id | ror | alias | fuzzy | review | none
    Column("score", Float, nullable=False, default=0.0),
    Column("party_key", String(160), nullable=False),  # org id, else the folded name
    Column("resolved_at", DateTime(timezone=True), nullable=False),
)

org_listings = Table(  # each organisation's list memberships as dated intervals
    "org_listings",
    metadata,
    Column("entry_id", String(80), primary_key=True),
    Column("org_id", String(64), nullable=False, index=True),
    Column("list_name", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("listed_on", Date),  # None: the listing date is unknown, never "not listed"
    Column("removed_on", Date),
    Column("date_known", Boolean, nullable=False),
    Column("citation", Text, nullable=False, default=""),
    Column("source_url", Text, nullable=False, default=""),
    Column("rule", String(16), nullable=False),  # how the entry was tied to the organisation
    Column("resolved_at", DateTime(timezone=True), nullable=False),
)

deal_facts = Table(
    "deal_facts",
    metadata,
    Column("deal_id", String(80), primary_key=True),
    Column("year", Integer, index=True),
    Column("direction", String(16)),
    Column("is_cn_ru", Boolean, nullable=False),
    Column("amount_usd", Float),  # None: unknown, never zero
    Column("amount_status", String(16), nullable=False),  # known | undisclosed
    Column("amount_rule", Text, nullable=False, default=""),  # the currency and rate used
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("resolved_at", DateTime(timezone=True), nullable=False),
)

centres = Table(  # joint centres (data/research/centres.toml) with their parties resolved
    "centres",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("founded", Integer),
    Column("party_a", String(64)),  # organisation ids; an author listing both signs for it
    Column("party_b", String(64)),
    Column("names", JSON, nullable=False, default=list),
)

resolve_state = Table(  # what the facts were last resolved against (registry digests)
    "resolve_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


alert_members = Table(  # the records in each alert's group, and when each joined
    "alert_members",
    metadata,
    Column("alert_id", String(16), primary_key=True),
    Column("member_id", String(255), primary_key=True),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
)

alert_events = Table(  # alert state changes to announce; the publish stage queues them
    "alert_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(16), nullable=False, index=True),
    # firing | updated | escalated | repeat | resolved | no_data
    Column("change", String(16), nullable=False),
    Column("detail", JSON, nullable=False, default=dict),  # the alert as announced
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("queued_at", DateTime(timezone=True), index=True),
    Column("message_id", String(16)),
)

silences = Table(  # from `trendline silence add`; config silences live in the config
    "silences",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("alert_id", String(16)),  # one alert, or the matchers below (globs)
    Column("indicator", String(128), nullable=False, default="*"),
    Column("subject", String(255), nullable=False, default="*"),
    Column("period", String(32), nullable=False, default="*"),
    Column("severity", String(16), nullable=False, default="*"),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True)),  # none: until expired
    Column("reason", Text, nullable=False, default=""),
    Column("author", String(128), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

incidents = Table(  # failures announced to the ops tag: refresh, delivery, flow run
    "incidents",
    metadata,
    Column("key", String(255), primary_key=True),  # source:NAME | delivery:TAG | flow:NAME
    Column("kind", String(16), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
)


# Delivery bookkeeping (exactly-once): a lease claims a message for one deliverer until it
# expires; each (message, target) pair records its own delivery, so a target that succeeded
# is never sent to again when another target of the same tag failed.
outbox_leases = Table(
    "outbox_leases",
    metadata,
    Column("message_id", String(16), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

outbox_deliveries = Table(
    "outbox_deliveries",
    metadata,
    Column("message_id", String(16), primary_key=True),
    Column("target_id", String(16), primary_key=True),  # hash of the URL without secrets
    Column("target", Text, nullable=False),  # the URL with its secrets masked
    Column("status", String(16), nullable=False),  # sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=False, default=""),
    Column("sent_at", DateTime(timezone=True)),
)


verdicts = Table(  # headline or trend line, per indicator and subject (tasks/evaluate/verdicts.py)
    "verdicts",
    metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("subject", String(128), primary_key=True),
    # trend | headline | flat | decline | insufficient
    Column("verdict", String(16), nullable=False),
    Column("growth", Float),  # a year, over the window; None when it cannot be fitted
    Column("growth_low", Float),  # 95% CI
    Column("growth_high", Float),
    Column("change_points", JSON, nullable=False, default=list),  # first year of each new regime
    Column("explanation", Text, nullable=False, default=""),
    Column("kind", String(16), nullable=False),  # count | amount | share
    Column("window_start", Integer),  # complete years after the brief
    Column("window_end", Integer),
    Column("brief_growth", Float),  # the same fit over the brief's own window
    Column("n_periods", Integer, nullable=False, default=0),
    Column("trend", JSON, nullable=False, default=list),  # [[year, fitted value], ...]
    Column("period", String(16), nullable=False, default=""),  # the latest complete period
    Column("previous", String(16)),  # the verdict before the last change (None: never changed)
    Column("changed_period", String(16)),  # the latest complete period when it changed
    Column("changed_at", DateTime(timezone=True)),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
)
