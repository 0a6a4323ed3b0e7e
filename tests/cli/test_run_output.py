"""What `trendline run` and `trendline summary` say and how they exit, on given outcomes."""

from __future__ import annotations

from types import SimpleNamespace

from click.testing import CliRunner

from trendline.cli.commands.run import report
from trendline.core.settings import load_settings
from trendline.tasks.ingest.runs import RefreshOutcome
from trendline.tasks.publish.notify import DeliveryOutcome


def outcome(*refreshed, failed_sends=0, revisions=0):
    ev = SimpleNamespace(errors={}, evaluations=[1, 2], fired=1, resolved=0,
                         revisions=revisions)
    return SimpleNamespace(refreshed=list(refreshed), evaluation=ev, report="r.html",
                           delivery=DeliveryOutcome(sent=1, failed=failed_sends, errors=[]))


def test_a_source_skipped_for_a_missing_key_is_not_counted_as_refreshed(home, capsys):
    out = outcome(RefreshOutcome("cnki", "succeeded", rows_read=3, rows_written=3),
                  RefreshOutcome("openalex", "skipped", message="no OPENALEX_API_KEY"))
    assert report(load_settings(), out) == 0
    text = capsys.readouterr().out
    assert "Sources refreshed: 1 of 2" in text
    refreshed = text.split("Sources refreshed")[1].split("Sources skipped")[0]
    assert "openalex" not in refreshed
    assert "Sources skipped: 1\n  openalex: no OPENALEX_API_KEY" in text


def test_source_revisions_are_said_only_when_there_are_some(home, capsys):
    assert report(load_settings(), outcome(revisions=2)) == 0
    assert "Source revisions: 2 complete past periods moved" in capsys.readouterr().out
    report(load_settings(), outcome())
    assert "Source revisions" not in capsys.readouterr().out


def test_failed_sends_exit_1(home, capsys):
    assert report(load_settings(), outcome(failed_sends=1)) == 1


def test_summary_with_failed_sends_exits_1(home, monkeypatch):
    from trendline.cli.commands import summary

    monkeypatch.setattr(summary, "run_flow",
                        lambda _load: ("w.html", DeliveryOutcome(sent=0, failed=1, errors=[])))
    result = CliRunner().invoke(summary.command, [])
    assert result.exit_code == 1 and "1 failed" in result.output
