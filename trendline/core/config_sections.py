"""The sections of the configuration file, one model each (trendline.toml documents
every key); trendline/core/settings.py assembles them into Settings."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from trendline.core.rule import Rule


class ConfigError(Exception):
    """A config problem, reported to the user as one line."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreConfig(Strict):
    url: str = ""  # empty: SQLite file in the state directory




class OpenAlexConfig(Strict):
    base_url: str = "https://api.openalex.org"
    ai_definition: str = "topics.subfield.id:1702"
    language: str = "en"  # the brief counted English-language papers; "" for any language
    countries: list[str] = ["CN", "RU", "US"]
    per_page: int = Field(100, ge=1, le=200)
    timeout_seconds: float = 30.0
    max_retries: int = Field(5, ge=0)
    backoff_seconds: float = 1.0
    min_works: int = Field(1, ge=0)
    mailto: str = ""
    max_pages: int = Field(5000, ge=1)  # cursor pages of the CN+RU works, at most
    max_response_mb: float = Field(64.0, gt=0)  # a larger response body fails the refresh
    # XPAC (expansion-pack) works: excluded by default on the API and the snapshot alike
    include_xpac: bool = False


class ScreeningListConfig(Strict):
    url: str = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
    path: str = ""  # a local CSV/JSON file instead of the URL
    min_rows: int = Field(1, ge=0)
    max_download_mb: float = Field(256.0, gt=0)  # a larger download fails the refresh
    # a refresh that would mark more than this share of the list removed is held back
    # until confirmed (`--accept-shrink`): a cut download must not empty the watch-list
    max_removed_share: float = Field(0.2, ge=0, le=1)


class SnapshotConfig(Strict):
    dask_address: str = ""  # tcp://scheduler:8786 to scan on a Dask cluster; empty: local


class SourcesConfig(Strict):
    publications: Literal["demo", "openalex"] = "demo"
    watchlists: Literal["demo", "live"] = "demo"
    deals: Literal["demo", "live"] = "demo"
    deals_dir: str = ""  # live mode: a folder of deal exports (Crunchbase CSV, curated files)
    openalex: OpenAlexConfig = OpenAlexConfig()
    screening_list: ScreeningListConfig = ScreeningListConfig()
    snapshot: SnapshotConfig = SnapshotConfig()


class ScheduleConfig(Strict):
    pipeline_cron: str = "0 6 * * *"
    weekly_cron: str = "0 7 * * 1"
    timezone: str = "UTC"


class NotifyConfig(Strict):
    # Apprise URLs in Apprise's text form, "tag1,tag2=url"; secrets belong in the env.
    urls: list[str] = []
    config_file: str = ""  # an Apprise YAML/text config file
    repeat_interval_hours: float = Field(672.0, gt=0)  # the longest gap between repeats
    max_attempts: int = Field(20, ge=1)
    # failed refreshes and deliveries; Apprise "a, b" means a or b
    ops_tag: str = Field("ops, alerts", min_length=1, max_length=32)


class Silence(Strict):
    indicator: str
    subject: str = "*"
    period: str = "*"
    severity: str = "*"
    until: dt.date | None = None  # last day it holds; none: until removed
    reason: str = ""


class AlertsConfig(Strict):
    silences: list[Silence] = []
    # Alertmanager's group_by: findings sharing these labels are one alert
    group_by: list[Literal["indicator", "rule", "period", "subject", "severity"]] = [
        "indicator",
        "rule",
        "period",
    ]
    # first evaluation (or --accept-history): alerts about periods before this are history,
    # recorded and not announced; empty: the last complete period (the previous year)
    announce_from: str = Field("", pattern=r"^(\d{4}.*)?$")
    repeat_backoff_hours: list[float] = Field([24.0, 168.0, 672.0], min_length=1)
    # a complete past period whose value moves by more than this fraction (0.05: 5%) is a
    # source revision: a data-health notice, never a growth alert (README: Revisions)
    revision_tolerance: float = Field(0.05, gt=0, lt=1)


class IndicatorConfig(Strict):
    enabled: bool = True
    since: int | None = None  # first period rules look at; default: the baseline's end + 1
    rules: list[Rule] | None = None  # None: the indicator's default rules
    params: dict[str, Any] = {}


class ReportsConfig(Strict):
    charts: bool = True
    base_url: str = ""  # where the reports folder is published, for links in emails


class WebConfig(Strict):
    """`trendline web`: where people reach it (links in emails and reports point there)."""

    base_url: str = ""  # e.g. https://trendline.example.org; empty: emails name CSV files
    page_size: int = Field(50, ge=1, le=500)  # records per evidence page


class PeriodsConfig(Strict):
    """A year is complete only this many months after it ends: until then no rule looks at
    its value and charts mark it (publication databases fill in for months)."""

    publications_lag_months: int = Field(6, ge=0)
    deals_lag_months: int = Field(3, ge=0)


class VerdictsConfig(Strict):
    """Headline or trend line: `flat` needs the 95% CI of the growth a year within plus or
    minus this fraction (0.10: +-10% a year)."""

    flat_band: float = Field(0.10, gt=0, lt=1)
