"""`trendline import-deals FILE...`: load deal files (Crunchbase exports or curated CSV /
YAML) into the store. Per file: rows accepted and rejected, the share of undisclosed
prices, and every rejected row with file, line, field and reason.

Exit 0 when every file was processed, 2 when a file cannot be read as any known shape,
1 when a file had rows and every one was rejected (nothing of it is stored).
Importing the same file again changes nothing (tasks.ingest.runs.write_batch, one transaction
per file, keyed by the file's name)."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import click

from tasks.ingest.runs import write_batch
from tasks.ingest.sources import Batch, Reject, SourceError, crunchbase, curated_deals
from tasks.ingest.sources.deal_rules import load_rules
from trendline import context
from trendline.db import utcnow
from trendline.settings import DATA_DIR

SHOWN_REJECTS = 20
DEMO_DIR = DATA_DIR / "demo"


@dataclass
class FileReport:
    path: Path
    shape: str
    read: int
    accepted: int
    rejects: list[Reject]
    undisclosed: int
    batch: Batch | None  # None: a lookup file, nothing of its own to store
    merged: str = ""  # which accepted rows merged into one deal, in words

    def line(self) -> str:
        share = f"{self.undisclosed / self.accepted:.1%}" if self.accepted else "n/a"
        text = (
            f"{self.path.name} [{self.shape}]: {self.read:,} rows, {self.accepted:,} accepted, "
            f"{len(self.rejects):,} rejected"
        )
        if self.batch is None:
            return text + " (organisation lookup)"
        text += f"; undisclosed price: {self.undisclosed:,} of accepted ({share})"
        stored = len(self.batch.tables.get("deals", []))
        text += f"; {stored:,} deal{'' if stored == 1 else 's'} stored"
        return text + (f" ({self.merged})" if self.merged else "")


def read(path: Path) -> tuple[str, str]:
    """(shape family, text); SourceError with one line when no known shape fits."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"cannot read {path}: not UTF-8 text ({exc.reason} at byte "
                          f"{exc.start})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        curated_deals.read_records(str(path), text)  # raises SourceError when not curated
        return "curated", text
    header = next(csv.reader(io.StringIO(text)), None)
    if crunchbase.detect(header):
        crunchbase.check_header(str(path), header)  # SourceError: no columns identify a deal
        return "crunchbase", text
    if curated_deals.is_curated(str(path), text):
        return "curated", text
    raise SourceError(f"{path}: not a known deals file shape (Crunchbase export or curated deals)")


def normalise(files: list[tuple[Path, str, str]]) -> list[FileReport]:
    """Pure: every readable file to a report with its own batch. Crunchbase organisation
    files are read first so funding rounds can find their investors' countries."""
    rules = load_rules()
    reports = []
    for demo in (False, True):
        cb = [(str(p), t) for p, fam, t in files if fam == "crunchbase" and is_demo(p) == demo]
        for res in crunchbase.normalise_files(cb, rules, "demo" if demo else "file"):
            path = Path(res.where)
            lookup = crunchbase.shapes()[res.shape]["kind"] == "lookup"
            batch = None if lookup else crunchbase.to_batch([res], "file")
            reports.append(
                FileReport(
                    path,
                    f"crunchbase {res.shape}",
                    res.read,
                    res.accepted,
                    res.rejects,
                    res.undisclosed,
                    batch,
                    res.merge_note(),
                )
            )
    for path, fam, text in files:
        if fam != "curated":
            continue
        raw = {"files": [(str(path), text, is_demo(path))], "mode": "file"}
        batch = curated_deals.normalise(raw, rules)
        deals = batch.tables["deals"]
        undisclosed = sum(d["amount_usd"] is None for d in deals)
        reports.append(
            FileReport(path, "curated", batch.read, len(deals), batch.rejects, undisclosed, batch)
        )
    return reports


def is_demo(path: Path) -> bool:
    """Files from the bundled demo folder stay labelled as demo data when imported."""
    return path.resolve().is_relative_to(DEMO_DIR.resolve())


def write_rejects(folder: Path, report: FileReport) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{report.path.name}.rejects.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "line", "field", "reason"])
        writer.writerows([r.file, r.line, r.field, r.reason] for r in report.rejects)
    return out


@click.command("import-deals")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def command(files: tuple[Path, ...]) -> None:
    """Import deal files: Crunchbase CSV exports (old acquisitions/investments, current
    organizations + funding_rounds) or curated deals (CSV or YAML)."""
    for path in files:
        context.require(path)
    s = context.settings()
    readable: list = []
    failed: str | bool = False
    for path in files:
        try:
            family, text = read(path)
        except SourceError as exc:
            click.echo(f"trendline: {exc}", err=True)
            failed = "unreadable"
            continue
        readable.append((path, family, text))
    if readable:
        with context.exclusive(s):
            failed = _load(s, readable) or failed
    sys.exit(2 if failed == "unreadable" else 1 if failed else 0)


def _load(s, readable) -> bool:
    """Store each file's batch; True when a file had rows and every one was rejected."""
    engine = context.store(s)
    all_rejected = False
    for report in normalise(readable):
        click.echo(report.line())
        for reject in report.rejects[:SHOWN_REJECTS]:
            click.echo(f"  rejected {reject}")
        if report.rejects:
            more = len(report.rejects) - SHOWN_REJECTS
            where = write_rejects(s.home / "rejects", report)
            extra = f"+{more} more; " if more > 0 else ""
            click.echo(f"  {extra}all rejects: {where}")
        if report.rejects and not report.accepted:
            click.echo(f"  {report.path.name}: failed, every row was rejected; nothing stored")
            all_rejected = True
            continue
        if report.batch is None:
            continue
        source = SimpleNamespace(NAME=f"import:{report.path.name}"[:64])
        outcome = write_batch(engine, source, report.batch, utcnow())
        click.echo(f"  {outcome.line()}")
    return all_rejected
