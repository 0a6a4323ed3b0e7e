"""What evaluation writes: indicator values, verdicts and alerts with their members, events
and silences."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from trendline.core.schema.base import metadata

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
    Column("evidence_kind", String(16), nullable=False, default=""),  # what it counts; "": all
    Column("query", Text, nullable=False, default=""),
    Column("provenance", JSON, nullable=False, default=list),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
)


evidence_members = Table(  # every record behind every value, written with the values
    "evidence_members",
    metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("subject", String(128), primary_key=True),
    Column("kind", String(16), primary_key=True),  # work | deal | event | pair | count | ...
    Column("record_id", String(255), primary_key=True),
    # copied at write time for records the store has no table of (pairs, counts, ...);
    # works take theirs from `works` when read
    Column("label", Text),
    Column("year", Integer),
    Column("url", Text),
    Column("demo", Boolean),
    Column("value", Float),  # what a count or figure row counts, in `unit`
    Column("unit", String(16)),
    sqlite_with_rowid=False,  # the key is the table: one B-tree to write, not two
)


evidence_groups = Table(  # one row per value's member list: rewritten only when it changes
    "evidence_groups",
    metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("subject", String(128), primary_key=True),
    Column("digest", String(16), nullable=False),  # of the rows, in any order (hex)
    Column("records", Integer, nullable=False),
)


verdicts = Table(  # headline or trend line, per indicator and subject (tasks/evaluate/verdicts.py)
    "verdicts",
    metadata,
    Column("indicator_id", String(64), primary_key=True),
    Column("subject", String(128), primary_key=True),
    # trend | decline | headline | flat | unclear | insufficient (README: Verdicts)
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
    # its series' source revisions since the last weekly summary, in words ("" : none)
    Column("revised", Text, nullable=False, default=""),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
)


series_vintages = Table(  # every value a series' period had, written only when it changes
    "series_vintages",  # (tasks/evaluate/vintages.py)
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_id", String(64), nullable=False),
    Column("subject", String(128), nullable=False),
    Column("series", Text, nullable=False),  # declared or per area/source: any length
    Column("period", String(16), nullable=False),
    Column("value", Float),  # None: unknown (never zero)
    Column("complete", Boolean, nullable=False),  # the period was no longer filling in
    Column("previous", Float),  # the value this vintage replaced (None: unknown or none)
    Column("revision", Boolean, nullable=False, default=False),  # a source revision
    Column("source", Text, nullable=False, default=""),  # the sources behind it, by name
    Column("refresh_run_id", String(36)),  # the latest refresh of those sources
    Column("written_at", DateTime(timezone=True), nullable=False),  # the evaluation's time
    Index("ix_series_vintages_key", "indicator_id", "subject", "series", "period"),
    Index("ix_series_vintages_written_at", "written_at"),
)


alerts = Table(
    "alerts",
    metadata,
    Column("id", String(16), primary_key=True),  # short form of the fingerprint
    Column("fingerprint", String(255), nullable=False, unique=True),
    Column("indicator_id", String(64), nullable=False, index=True),
    Column("subject", String(128), nullable=False),
    Column("period", String(16), nullable=False),
    Column("rule", String(64), nullable=False),  # the rule's identity: a label, never parsed
    Column("rule_spec", JSON, nullable=False, default=dict),  # the rule as data, with its unit
    Column("severity", String(16), nullable=False),
    # pending | firing | resolved | no_data | history (before the first run: not announced)
    Column("state", String(16), nullable=False),
    Column("value", Float),
    Column("threshold", Float),
    Column("message", Text, nullable=False),  # one sentence: what happened, against what
    Column("detail", Text, nullable=False, default=""),  # the rule in words; the brief's figure
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
    Column("acked_by", Text),
    Column("ack_note", Text),
    Column("ack_severity", String(16)),  # re-announced only above this
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
    Column("indicator", Text, nullable=False, default="*"),  # globs typed by people: any length
    Column("subject", Text, nullable=False, default="*"),
    Column("period", Text, nullable=False, default="*"),
    Column("severity", Text, nullable=False, default="*"),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True)),  # none: until expired
    Column("reason", Text, nullable=False, default=""),
    Column("author", Text, nullable=False, default=""),
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
