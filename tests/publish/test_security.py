"""Unattended-running safety: hostile text is escaped, links are http(s) only, and the
error log lives in the state folder, private and never written through a link."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from trendline.cli import main
from trendline.tasks.publish.render import environment, safe_url

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_every_html_template_autoescapes():
    env = environment()
    for name in env.list_templates(filter_func=lambda n: ".html" in n):
        assert env.autoescape(name) is True, name
    out = env.from_string("{{ x }}").render(x=HOSTILE)
    assert out == HOSTILE  # plain strings (text, Markdown) are left alone


@pytest.mark.parametrize("url,ok", [
    ("https://doi.org/10.1/x", True), ("http://example.org", True),
    ("javascript:alert(1)", False), ("data:text/html,x", False), ("/etc/passwd", False),
    (float("nan"), False), (None, False), ('https://x" onmouseover="y', True),
])
def test_links_are_http_only(url, ok):
    assert bool(safe_url(url)) is ok


def crash(monkeypatch):
    """Any unexpected exception inside a command reaches the catch-all handler."""
    import trendline.cli.context

    def boom(*_a, **_k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(trendline.cli.context, "resources", boom)
    return CliRunner().invoke(main, ["alerts"])


def test_a_crash_writes_a_private_log_in_the_state_folder(home, monkeypatch):
    result = crash(monkeypatch)
    assert result.exit_code == 1
    log = home / "errors.log"
    assert f"details in {log}" in result.output and "Traceback" not in result.output
    assert "kaboom" in log.read_text()
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600


def test_the_error_log_is_never_written_through_a_link(home, tmp_path, monkeypatch):
    home.mkdir(parents=True)
    target = tmp_path / "victim"
    target.write_text("keep me")
    os.symlink(target, home / "errors.log")

    result = crash(monkeypatch)
    assert result.exit_code == 1 and "details in" not in result.output
    assert target.read_text() == "keep me"
