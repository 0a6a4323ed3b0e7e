"""Settings: the TOML config file, overridden by environment variables.

This is the only module that reads the environment. Everything else receives a
`Settings` object.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
)
from pydantic_settings import (
    BaseSettings,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from trendline.core import redaction
from trendline.core.files import private_dir
from trendline.core.rule import Rule

ROOT = Path(__file__).resolve().parents[2]  # the checkout, in a source or editable install


def bundled(name: str) -> Path:
    """A file or folder shipped with Trendline: inside the installed package (a wheel
    carries data/, templates/ and trendline.toml in trendline/_bundled, found with
    importlib.resources), else in the checkout beside the package."""
    from importlib.resources import files

    packaged = Path(str(files("trendline").joinpath("_bundled", name)))
    return packaged if packaged.exists() else ROOT / name


DEFAULT_CONFIG = bundled("trendline.toml")
DATA_DIR = bundled("data")
TEMPLATES_DIR = bundled("templates")


CONFIG_FILE: ContextVar[Path | None] = ContextVar("config_file", default=None)


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRENDLINE_", env_nested_delimiter="__", extra="forbid"
    )

    home: Path = Path(".trendline")
    store: StoreConfig = StoreConfig()
    sources: SourcesConfig = SourcesConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    notify: NotifyConfig = NotifyConfig()
    alerts: AlertsConfig = AlertsConfig()
    reports: ReportsConfig = ReportsConfig()
    web: WebConfig = WebConfig()
    periods: PeriodsConfig = PeriodsConfig()
    verdicts: VerdictsConfig = VerdictsConfig()
    indicators: dict[str, IndicatorConfig] = {}

    # Secrets and single overrides with their conventional names.
    openalex_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("openalex_api_key", "OPENALEX_API_KEY")
    )
    openalex_base_url: str = Field(
        "", validation_alias=AliasChoices("openalex_base_url", "OPENALEX_BASE_URL")
    )
    apprise_urls: SecretStr | None = None  # TRENDLINE_APPRISE_URLS, "tag=url" per line

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, **_):
        """Explicit overrides (flows' parameters) beat the environment, which beats the
        config file; pydantic-settings merges them key by key."""
        return (init_settings, env_settings,
                TomlConfigSettingsSource(settings_cls, toml_file=CONFIG_FILE.get()))

    # Derived places -------------------------------------------------------
    @property
    def database_url(self) -> str:
        return self.store.url or f"sqlite:///{(self.home / 'trendline.db').resolve()}"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @property
    def prefect_home(self) -> Path:
        return self.home / "prefect"

    @property
    def openalex_url(self) -> str:
        return (self.openalex_base_url or self.sources.openalex.base_url).rstrip("/")

    def indicator(self, indicator_id: str) -> IndicatorConfig:
        return self.indicators.get(indicator_id, IndicatorConfig())

    def notify_lines(self) -> list[str]:
        """Apprise text-config lines from the file config and the environment."""
        env = self.apprise_urls.get_secret_value() if self.apprise_urls else ""
        return [*self.notify.urls, *(line for line in env.split() if line.strip())]

    def secret_values(self) -> list[str]:
        """Every secret these settings hold, for trendline.core.redaction."""
        found = [self.openalex_api_key.get_secret_value()] if self.openalex_api_key else []
        for line in self.notify_lines():
            found += redaction.url_secrets(split_notify_line(line)[1])
        return found


def split_notify_line(line: str) -> tuple[str, str]:
    """`tag1,tag2=url` -> (tags, url); a bare url has no tags."""
    head, sep, rest = line.partition("=")
    if sep and "://" not in head:
        return head.strip(), rest.strip()
    return "", line.strip()


def check_openalex_url(settings: Settings) -> None:
    """The OpenAlex base URL receives the API key: https only, unless it is this machine
    (a local test server)."""
    from urllib.parse import urlsplit

    url = settings.openalex_url
    where = ("environment variable OPENALEX_BASE_URL" if settings.openalex_base_url
             else "sources.openalex.base_url")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise ConfigError(f"{where}: not a URL") from None
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and (host == "localhost" or host.startswith("127.")
                                   or host == "::1"):
        return
    raise ConfigError(f"{where}: must be an https:// URL (http:// only for this machine, "
                      f"127.0.0.1 or localhost), since it receives OPENALEX_API_KEY")


def config_path(explicit: str | os.PathLike | None = None) -> Path | None:
    """The config file to read: --config, then TRENDLINE_CONFIG, then ./trendline.toml,
    then the default that ships with the project."""
    chosen = explicit or os.environ.get("TRENDLINE_CONFIG")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            why = "Is a directory" if path.is_dir() else "No such file or directory"
            raise ConfigError(f"cannot read config file {path}: {why}")
        return path
    for candidate in (Path("trendline.toml"), DEFAULT_CONFIG):
        if candidate.is_file():
            return candidate
    return None


def pin_config_file(path: str | os.PathLike | None) -> None:
    """Served flow runs read the config file the server was started with: `trendline serve
    --config F` puts F in TRENDLINE_CONFIG for its process and the runs it starts."""
    if path:
        os.environ["TRENDLINE_CONFIG"] = str(Path(path).resolve())


def load_settings(path: str | os.PathLike | None = None, **overrides: Any) -> Settings:
    """Read the config file and the environment; raise ConfigError with one clear line."""
    file = config_path(path)
    if file is not None:  # a file pydantic-settings cannot read gets its own clear line
        try:
            tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config {file}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    check_env_json()
    token = CONFIG_FILE.set(file)
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(f"{origin(exc, file)}: {describe(exc)}") from None
    except SettingsError as exc:  # what check_env_json did not foresee
        raise ConfigError(f"environment: {exc}") from None
    finally:
        CONFIG_FILE.reset(token)
    redaction.register(*settings.secret_values())
    check_openalex_url(settings)
    return settings


def check_env_json() -> None:
    """A TRENDLINE_* value that must be JSON (a list or table) and is not: name the variable
    instead of letting pydantic-settings say which field it could not parse."""
    import json

    for key, value in os.environ.items():
        if not key.startswith("TRENDLINE_") or not value.lstrip().startswith(("[", "{")):
            continue
        try:
            json.loads(value)
        except ValueError as exc:
            raise ConfigError(f"environment variable {key}: not valid JSON ({exc})") from None


def env_name(key: str) -> str | None:
    """The environment variable that set a dotted config key, if one did."""
    name = "TRENDLINE_" + key.replace(".", "__").upper()
    return name if name in os.environ else None


def origin(exc: ValidationError, file: Path | None) -> str:
    """Where the bad value came from: its environment variable, else the config file."""
    name = "TRENDLINE_" + "__".join(str(p) for p in exc.errors()[0]["loc"]).upper()
    return f"environment variable {name}" if name in os.environ else str(file or "defaults")


def describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(part) for part in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    return f"bad value for '{key}': {err['msg'].removeprefix('Value error, ')}"


def apply_prefect_environment(settings: Settings) -> None:
    """Prefect's home inside the state folder, analytics off, offline. Logging: quiet only
    in the embedded one-shot mode (no PREFECT_API_URL: a temporary server nobody looks
    at); with a real server, runs log at the configured level (PREFECT_LOGGING_LEVEL,
    else Prefect's INFO), and our own loggers (`tasks`, `flows`, ...) reach the server
    too. Must run before prefect is imported; an explicit environment wins."""
    private_dir(settings.home)
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    defaults = {
        "PREFECT_HOME": str(settings.prefect_home.resolve()),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PREFECT_UI_ENABLED": "false",
    }
    if os.environ.get("PREFECT_API_URL"):  # a real server: people read these logs
        defaults["PREFECT_LOGGING_EXTRA_LOGGERS"] = "trendline"
        defaults["PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW"] = "ignore"  # plain calls
    else:  # embedded one-shot: quiet
        defaults["PREFECT_LOGGING_LEVEL"] = "CRITICAL"
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    home = Path(os.environ["PREFECT_HOME"]).expanduser()
    try:  # an explicit PREFECT_HOME that does not exist yet is created, like ours
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"PREFECT_HOME: cannot create {home}: {exc.strerror}") from None
