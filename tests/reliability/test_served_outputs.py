"""Safe when served, what people open: every CSV Trendline writes neutralises spreadsheet
formulas, and every Markdown output keeps HTML and Markdown syntax from record text inert
(checked by rendering it with a CommonMark renderer, as a Markdown viewer would)."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from click.testing import CliRunner
from markdown_it import MarkdownIt

from trendline.cli import main
from trendline.core import schema
from trendline.core.csvfile import FORMULA_START
from trendline.core.db import make_engine, utcnow
from trendline.core.resources import Resources
from trendline.tasks.evaluate.evaluation import evaluate_store, listing_command
from trendline.tasks.ingest.runs import RefreshOutcome
from trendline.tasks.publish.announce import announce
from trendline.tasks.publish.report import write_report
from trendline.tasks.publish.run_summary import markdown, weekly_markdown
from trendline.tasks.publish.weekly import build_weekly

FORMULA = '=HYPERLINK("http://evil.example/x","click")'
HOSTILE_MD = ("<script>alert(1)</script> [click](javascript:alert(2)) "
              "![pixel](http://evil.example/p.png) **bolded** | cell")
# (table, text column): the free text the reports, summaries and evidence files show
FIELDS = [("works", "title"), ("deals", "target"), ("events", "title"),
          ("organisations", "name"), ("watchlist_entries", "name"),
          ("watchlist_changes", "name")]


def poison(settings, text: str, at_start: bool) -> sa.Engine:
    """Every free-text field starts (or ends) with `text`; every alert fires again."""
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        for table, column in FIELDS:
            t = schema.metadata.tables[table]
            value = (text + " " + t.c[column]) if at_start else (t.c[column] + " " + text)
            conn.execute(t.update().values({column: value}))
        conn.execute(schema.watchlist_changes.update().values(detected_at=utcnow()))
        conn.execute(schema.outbox.delete())
        for table in ("alert_members", "alert_events", "alerts"):
            conn.execute(schema.metadata.tables[table].delete())
    evaluate_store(Resources(settings, engine))
    announce(engine, settings, utcnow())  # the alert message, beside the weekly one
    write_report(engine, settings, utcnow())
    build_weekly(engine, settings, utcnow())
    return engine


def formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run: text starting with = + - @, tab or CR (numbers aside)."""
    out = []
    for row in csv.reader(io.StringIO(text)):
        for value in row:
            if value.startswith(FORMULA_START):
                try:
                    float(value)
                except ValueError:
                    out.append(value)
    return out


def test_every_csv_writer_neutralises_formula_cells(demo_store, settings, monkeypatch, tmp_path):
    engine = poison(settings, FORMULA, at_start=True)
    files = {p.name: p.read_text(encoding="utf-8") for p in settings.reports_dir.rglob("*.csv")}
    assert "watchlist-changes.csv" in files and len(files) > 5
    outputs = dict(files)
    result = CliRunner().invoke(main, ["evidence", "research.joint_output", "--format", "csv"])
    assert result.exit_code == 0, result.output
    outputs["trendline evidence --format csv"] = result.output
    src = tmp_path / "in.csv"
    src.write_text(f'affiliation\n"{FORMULA}"\n"@SUM(1+1)*cmd"\n-2+3\nMIPT\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["match-orgs", str(src)])
    assert result.exit_code == 0, result.output
    outputs["match-orgs"] = result.output
    monkeypatch.chdir(tmp_path)  # a rejected row names its file as given: `=deals.csv`
    bad = tmp_path / "=deals.csv"
    bad.write_text("deal_id,announced_on,target,target_country,source_url\n"
                   "x1,=1+1,Target,CN,https://example.org/x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import-deals", "=deals.csv"])
    rejects = list((settings.home / "rejects").glob("*.rejects.csv"))
    assert rejects, result.output
    outputs["rejects"] = rejects[0].read_text(encoding="utf-8")
    for where, text in outputs.items():
        assert not formula_cells(text), (where, formula_cells(text)[:3])
    reached = [w for w, text in outputs.items() if "'=HYPERLINK" in text or "'=" in text]
    assert {"watchlist-changes.csv", "trendline evidence --format csv", "match-orgs",
            "rejects"} <= set(reached), reached
    assert any(name.endswith(".csv") and name != "watchlist-changes.csv" for name in reached)
    assert "-2+3" not in outputs["match-orgs"].splitlines()  # a formula, not a number
    engine.dispose()


def rendered(md: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(md)


def test_every_markdown_output_keeps_record_text_inert(demo_store, settings):
    engine = poison(settings, HOSTILE_MD, at_start=False)
    outputs = {str(p): p.read_text(encoding="utf-8") for p in settings.reports_dir.rglob("*.md")}
    with engine.connect() as conn:
        outputs.update({f"outbox {i}": body for i, body in enumerate(
            conn.execute(sa.select(schema.outbox.c.body_markdown)).scalars())})
    report = next(settings.reports_dir.glob("alerts-*.html"))
    failed = RefreshOutcome("screening_list", "failed", message=f"upstream said: {HOSTILE_MD}")
    ok = RefreshOutcome("openalex", "succeeded", rows_read=1, rows_written=1)
    ev = type("E", (), {"evaluations": [], "errors": {HOSTILE_MD: "x"}, "fired": 0,
                        "resolved": 0})()
    sent = type("D", (), {"sent": 0, "failed": 0, "waiting": 0})()
    outputs["pipeline artifact"] = markdown([failed, ok], ev, report, sent)
    summary = next(settings.reports_dir.glob("weekly-*/summary.html"))
    outputs["weekly artifact"] = weekly_markdown(summary, sent)
    assert len([k for k in outputs if k.endswith(".md")]) == 2 and "outbox 1" in outputs
    reached = 0
    for where, md in outputs.items():
        html = rendered(md)
        assert "<script" not in html, where
        assert 'href="javascript:' not in html and "<img" not in html, where
        assert "<strong>bolded</strong>" not in html, where
        reached += "&lt;script&gt;alert(1)" in html
    assert reached >= 4, "the hostile text reached too few outputs: the test proves little"
    assert "| screening_list | **failed** |" in outputs["pipeline artifact"]
    engine.dispose()


def test_the_listing_command_quotes_what_it_names():
    import shlex

    line = listing_command("research.field_mix", "'; touch /tmp/pwned; '", "2025")
    words = shlex.split(line)
    assert words[words.index("--subject") + 1] == "'; touch /tmp/pwned; '"
    assert words[-2:] == ["--format", "csv"]
