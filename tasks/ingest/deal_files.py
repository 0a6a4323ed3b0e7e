"""Deal files from the command line (`trendline import-deals`): each file's shape is
recognised (Crunchbase export or curated deals), normalised into its own batch with a
report (rows read, accepted, rejected, undisclosed, deals stored, rows merged), and stored
as a one-off source `import:<file name>` through the one runner (one transaction per file;
importing the same file again changes nothing)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from trendline.core.csvfile import write_csv
from trendline.core.settings import DATA_DIR
from trendline.tasks.ingest.parsing.deal_rules import load_rules
from trendline.tasks.ingest.source import Batch, Reject, Source, SourceError, given
from trendline.tasks.ingest.sources import crunchbase, curated_deals

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
    return write_csv(out, ["file", "line", "field", "reason"],
                     ([r.file, r.line, r.field, r.reason] for r in report.rejects))


def source_of(report: FileReport) -> tuple[Source, Batch] | None:
    """A file's batch as the one-off source `import:<file name>`, for `run_source`; None:
    nothing to store (an organisation lookup, or every row rejected)."""
    if report.batch is None or (report.rejects and not report.accepted):
        return None
    return given(f"import:{report.path.name}"), report.batch
