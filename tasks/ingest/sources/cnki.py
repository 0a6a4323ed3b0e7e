"""CNKI exports: Chinese-language papers, their institutions, AI relevance and funders.

`trendline import-cnki FILE...` feeds files here. CNKI gives no country field: the
countries are decided from the institution names in tasks/resolve/countries.py
(data/cnki/definitions.toml holds the terms, the AI keyword definition and the funders).
Every record loads into `works` (source 'cnki') with its institutions in
`authorships`; a record without a title is reported with its file and record number and
skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from trendline.core.settings import DATA_DIR, Settings
from trendline.tasks.ingest.parsing.cnki_formats import Record, detect_format, parse, read_text
from trendline.tasks.ingest.parsing.names import affiliation_code, affiliation_key, work_key
from trendline.tasks.ingest.source import Batch, Reject, Skip, Source

NAME = "cnki"
DEFINITIONS = DATA_DIR / "cnki" / "definitions.toml"
DEMO_DIR = DATA_DIR / "demo" / "cnki"
AI_TOPIC = "cnki:ai"  # the pseudo-topic that marks a record AI-related by keyword
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Definitions:
    ai_zh: list[str]
    ai_en: re.Pattern
    funders: dict[str, list[str]]


def _words(terms: list[str], flags: int = re.IGNORECASE) -> re.Pattern:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", flags)


@lru_cache(maxsize=4)
def definitions(path: Path = DEFINITIONS) -> Definitions:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Definitions(
        ai_zh=data["ai"]["zh"], ai_en=_words(data["ai"]["en"]), funders=data["funders"],
    )


def ai_terms(text: str, defs: Definitions) -> list[str]:
    found = [t for t in defs.ai_zh if t in text]
    found += sorted({m.group(0).lower() for m in defs.ai_en.finditer(text)})
    return found


def funders_of(funds: list[str], defs: Definitions) -> list[str]:
    text = " ".join(funds)
    return [name for name, forms in defs.funders.items() if any(f in text for f in forms)]


@dataclass
class FileReport:
    path: str
    encoding: str = ""
    format: str = ""
    read: int = 0
    loaded: int = 0
    ai: int = 0
    skipped: list[Reject] = field(default_factory=list)
    error: str = ""

    def line(self) -> str:
        if self.error:
            return f"{self.path}: not read ({self.error})"
        text = (f"{self.path}: {self.format}, {self.encoding}: {self.read} read, "
                f"{self.loaded} loaded, {len(self.skipped)} skipped, "
                f"{self.ai} AI by the keyword definition")
        return text + "".join(f"\n  skipped {r.field}: {r.reason}" for r in self.skipped)


def publication_year(text: str) -> int | None:
    """The record's year: None when the record gives none (unknown, counted as such);
    ValueError (the record is rejected with the reason) for a year no paper can have,
    rather than loading it with no year."""
    found = re.search(r"(?<!\d)\d{4}(?!\d)", text or "")
    if not found:
        if re.search(r"\d", text or ""):
            raise ValueError(f"not a publication year: {text.strip()[:40]!r}")
        return None
    year = int(found.group(0))
    latest = dt.date.today().year + 1
    if not 1900 <= year <= latest:
        raise ValueError(f"impossible publication year {year} (expected 1900-{latest})")
    return year


def record_rows(rec: Record, defs: Definitions) -> tuple[dict, list[dict], bool]:
    """One CNKI record as a works row and one authorship row per institution; raises
    ValueError when the record cannot be loaded. The flag says 'AI by the keyword
    definition' (its countries, and so whether it is joint, are decided in tasks/resolve)."""
    title = rec.one("title")
    if rec.problems:
        raise ValueError(rec.problems[0])
    if not title:
        raise ValueError("no title")
    year = publication_year(rec.one("year") or rec.one("date"))
    institutions = rec.many("institutions")
    if not institutions and "thesis" in rec.one("type").lower():
        institutions = rec.many("publisher")  # a thesis names its university as publisher
    authors = rec.many("authors")
    wid = "cnki:" + hashlib.sha1(
        f"{title}|{year}|{authors[0] if authors else ''}".encode()
    ).hexdigest()[:16]
    text = " ".join([title, " ".join(rec.many("keywords")), rec.one("abstract")])
    terms = ai_terms(text, defs)
    topics = []
    if terms:
        topics.append({"id": AI_TOPIC, "name": "AI (CNKI keyword definition): "
                       + ", ".join(terms[:5]), "score": None, "subfield_id": None,
                       "subfield": None, "field_id": None, "field": None})
    work = {
        "id": wid, "source": NAME, "doi": None, "title": title, "publication_year": year,
        "language": "zh" if _CJK.search(title) else "en", "type": rec.one("type") or None,
        "cited_by_count": None, "fwci": None, "citation_percentile": None, "is_top10": None,
        "countries": [], "topics": topics,  # countries: decided in tasks/resolve
        "funders": funders_of(rec.fields.get("funds", []), defs),
        "updated_date": None, "is_demo": False, "url": rec.one("link") or None,
    }
    auths = [
        {"work_id": wid, "author_position": pos, "institution_index": 0,
         "author_name": "", "institution_id": None, "institution_name": inst[:500],
         "ror_id": None, "country_code": None, "raw_affiliation": inst,
         "affiliation_key": affiliation_key(inst[:500], None), "work_key": work_key(wid),
         "aff_code": affiliation_code(affiliation_key(inst[:500], None))}
        for pos, inst in enumerate(institutions)
    ]
    return work, auths, bool(terms)


@dataclass
class Raw:
    files: list[tuple[Path, str, str, list[Record]]] = field(default_factory=list)
    reports: list[FileReport] = field(default_factory=list)
    demo: bool = False


def read_files(paths: list[Path], demo: bool = False) -> Raw:
    """I/O: read and split every file into records; unreadable files are reported."""
    raw = Raw(demo=demo)
    for path in paths:
        report = FileReport(str(path))
        raw.reports.append(report)
        try:
            text, report.encoding = read_text(path)
        except (OSError, ValueError) as exc:
            report.error = str(exc)
            continue
        fmt = detect_format(text)
        if fmt is None:
            report.error = "not a CNKI E-Study, NoteExpress, RefWorks or EndNote export"
            continue
        report.format = fmt
        raw.files.append((path, report.encoding, fmt, list(parse(text, fmt))))
    return raw


def fetch(settings: Settings, paths: list[Path] | None = None) -> Raw:
    """The files given; in a refresh, the bundled synthetic export in demo mode, and
    nothing in live mode (CNKI has no API: exports come in by `import-cnki`)."""
    if paths:
        return read_files([Path(p) for p in paths])
    if settings.sources.publications == "demo":
        return read_files(sorted(DEMO_DIR.glob("*.net")), demo=True)
    raise Skip("CNKI has no API: load exports with `trendline import-cnki FILE...`")


def normalise(raw: Raw, defs: Definitions | None = None) -> Batch:
    defs = defs or definitions()
    batch = Batch(mode="demo" if raw.demo else "file")
    works: dict[str, dict] = {}
    auths: dict[tuple, dict] = {}
    reports = {r.path: r for r in raw.reports}
    for path, _enc, _fmt, records in raw.files:
        report = reports[str(path)]
        for rec in records:
            report.read += 1
            batch.read += 1
            try:
                work, rows, is_ai = record_rows(rec, defs)
            except ValueError as exc:
                reject = Reject(str(path), rec.line, f"record {rec.number}", str(exc))
                report.skipped.append(reject)
                batch.rejects.append(reject)
                continue
            work["is_demo"] = raw.demo
            report.loaded += 1
            report.ai += is_ai
            works[work["id"]] = work
            for row in rows:
                auths[(row["work_id"], row["author_position"], 0)] = row
    batch.tables = {"works": list(works.values()), "authorships": list(auths.values())}
    batch.notes = [r.line().split("\n")[0] for r in raw.reports]
    return batch


SOURCE = Source(NAME, fetch=fetch, normalise=normalise, family="publications")
