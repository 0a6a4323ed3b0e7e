"""Config: TOML file, environment overrides, one-line errors with exit status 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from trendline.cli import main
from trendline.core.settings import ConfigError, load_settings


def run_cli(*args):
    return CliRunner().invoke(main, list(args))


def test_defaults_and_environment_override(home, monkeypatch, tmp_path):
    cfg = tmp_path / "t.toml"
    cfg.write_text('[sources]\npublications = "demo"\n[notify]\nrepeat_interval_hours = 24\n')
    monkeypatch.setenv("TRENDLINE_SOURCES__PUBLICATIONS", "openalex")
    monkeypatch.setenv("OPENALEX_API_KEY", "secret-key")
    s = load_settings(cfg)
    assert s.sources.publications == "openalex"  # the environment beats the file
    assert s.notify.repeat_interval_hours == 24
    assert s.openalex_api_key.get_secret_value() == "secret-key"
    assert "secret-key" not in repr(s)
    assert s.database_url.startswith("sqlite:///") and str(home) in s.database_url


def test_unknown_key_exits_2_with_one_line_naming_it(home, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[notify]\nrepeat_hours = 3\n")
    result = run_cli("--config", str(cfg), "alerts")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "unknown key 'notify.repeat_hours'" in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[sources]\npublications = "maybe"\n', "sources.publications"),
        ('[notify]\nrepeat_interval_hours = "soon"\n', "notify.repeat_interval_hours"),
        ("[notify\n", "not valid TOML"),
        ('[alerts]\nsilences = [{indicator = "x", until = "2027-13-01"}]\n',
         "alerts.silences.0.until"),
    ],
)
def test_bad_values_name_the_key(home, tmp_path, text, expected):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=expected.replace(".", r"\.")):
        load_settings(cfg)


def test_missing_config_file_exits_2(home, tmp_path):
    result = run_cli("--config", str(tmp_path / "nope.toml"), "indicators")
    assert result.exit_code == 2
    assert "cannot read config file" in result.output and "nope.toml" in result.output


def test_a_bad_environment_value_names_the_variable(home, monkeypatch):
    monkeypatch.setenv("TRENDLINE_NOTIFY__MAX_ATTEMPTS", "many")
    with pytest.raises(ConfigError, match="environment variable TRENDLINE_NOTIFY__MAX_ATTEMPTS"):
        load_settings()
