"""Resolved facts: each decided once by tasks/resolve, stored with how it was decided."""

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

from trendline.core.schema.base import metadata

work_facts = Table(
    "work_facts",
    metadata,
    Column("work_id", String(64), primary_key=True),
    Column("work_key", BigInteger, nullable=False),  # parsing.names.work_key(work_id)
    Column("year", Integer, index=True),
    Column("source", String(32), nullable=False),
    Column("definition", String(160), nullable=False),  # the AI definition and language used
    Column("is_ai", Boolean, nullable=False),
    Column("ai_rule", Text, nullable=False),  # e.g. "topic T10320 in subfield 1702"
    Column("language", Text),
    Column("in_language", Boolean, nullable=False),  # the definition's language (brief: en)
    Column("countries", Text, nullable=False, default=""),  # ISO codes, sorted, ","
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
    Column("party_a_inst", String(64)),  # else the party's OpenAlex institution id
    Column("party_b_inst", String(64)),
    Column("names", JSON, nullable=False, default=list),
)


centre_works = Table(  # the papers a joint centre signed, decided per authorship
    "centre_works",
    metadata,
    Column("centre_id", String(64), primary_key=True),
    Column("work_id", String(64), primary_key=True),
    Column("rule", String(64), nullable=False),  # named | both parties
    Column("matched", Text, nullable=False, default=""),  # the name or the two parties
)


resolve_state = Table(  # what the facts were last resolved against (registry digests)
    "resolve_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
