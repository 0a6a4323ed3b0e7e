"""Settings: the TOML config file, overridden by environment variables.

This is the only module that reads the environment. Everything else receives a
`Settings` object.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import (
    AliasChoices,
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
from trendline.core.config_sections import (  # noqa: F401  (re-exported)
    AlertsConfig,
    ConfigError,
    IndicatorConfig,
    NotifyConfig,
    OpenAlexConfig,
    PeriodsConfig,
    ReportsConfig,
    ScheduleConfig,
    ScreeningListConfig,
    Silence,
    SnapshotConfig,
    SourcesConfig,
    StoreConfig,
    Strict,
    VerdictsConfig,
    WebConfig,
)
from trendline.core.files import private_dir

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
