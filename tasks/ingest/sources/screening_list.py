"""U.S. Consolidated Screening List: Entity List and Military End-User rows for CN and RU.

Each refresh is a full snapshot of those rows: entries that disappear are marked removed,
and every addition, change and removal goes to the change feed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import httpx
import sqlalchemy as sa

from trendline.core import schema
from trendline.core.settings import DATA_DIR, Settings
from trendline.tasks.ingest.clients.capped import get_capped
from trendline.tasks.ingest.parsing.deal_rules import BadRow, numbered
from trendline.tasks.ingest.parsing.fields import day
from trendline.tasks.ingest.retry import http_problem
from trendline.tasks.ingest.runs import last_success
from trendline.tasks.ingest.source import Batch, Reject, Source, SourceError
from trendline.tasks.ingest.watchlists import load_snapshot

NAME = "screening_list"
DEMO_FILE = DATA_DIR / "demo" / "screening_list.csv"
LISTS = {
    "Entity List (EL) - Bureau of Industry and Security": "entity_list",
    "Military End User (MEU) List - Bureau of Industry and Security": "meu_list",
}
COUNTRIES = {"CN", "RU"}
REQUIRED = {"source", "name", "addresses", "start_date", "alt_names", "federal_register_notice"}


def fetch(settings: Settings) -> tuple[str, str, str]:
    """(where, text, mode): the demo file, a configured local file, or the live URL."""
    cfg = settings.sources.screening_list
    if settings.sources.watchlists == "demo":
        return str(DEMO_FILE), DEMO_FILE.read_text(encoding="utf-8-sig"), "demo"
    if cfg.path:
        path = Path(cfg.path)
        try:
            return str(path), path.read_text(encoding="utf-8-sig"), "file"
        except OSError as exc:
            raise SourceError(f"cannot read screening list {path}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise SourceError(f"cannot read screening list {path}: not UTF-8 text "
                              f"({exc.reason} at byte {exc.start})") from None
    # connection errors, time-outs, 5xx and 429 are transient: run_source retries them
    with httpx.Client(timeout=60, follow_redirects=True) as client:
        resp = get_capped(client, cfg.url, cfg.max_download_mb, "the screening list download",
                          "sources.screening_list.max_download_mb")
    problem = http_problem(resp, f"screening list download from {cfg.url}")
    if problem is not None:
        raise problem
    if resp.is_error:
        raise SourceError(f"screening list download failed: HTTP {resp.status_code} from {cfg.url}")
    return cfg.url, resp.text, "live"


def retry(_settings: Settings) -> tuple[int, float]:
    """A download: four attempts, waiting 2 s, then 4 s, then 8 s."""
    return 4, 2.0


def minimum_rows(settings: Settings) -> int:
    """Fewer entries than this means the format changed, not that the list emptied."""
    return settings.sources.screening_list.min_rows


def normalise(raw: tuple[str, str, str]) -> Batch:
    where, text, mode = raw
    rows = json_rows(where, text) if text.lstrip().startswith(("{", "[")) else csv_rows(where, text)
    batch = Batch(mode=mode)
    entries = {}
    for line, row, countries in rows:
        batch.read += 1
        if row is None:
            batch.rejects.append(Reject(where, line, "row", countries))
            continue
        list_name = LISTS.get((row.get("source") or "").strip())
        if list_name is None:
            continue
        country = next((c for c in sorted(countries) if c in COUNTRIES), None)
        if country is None:
            continue
        row["start_date"] = row.get("start_date") or ""
        try:
            listed_on = day(row["start_date"])
        except ValueError as exc:
            listed_on = None
            batch.rejects.append(Reject(where, line, "start_date", str(exc)))
        name = row["name"].strip()
        key = hashlib.sha1(f"{list_name}|{name}|{country}".encode()).hexdigest()[:16]
        entries[f"{list_name}:{key}"] = {
            "id": f"{list_name}:{key}",
            "list_name": list_name,
            "name": name,
            "aliases": aliases(row.get("alt_names") or ""),
            "country": country,
            "org_id": None,
            "ror_id": None,
            "listed_on": listed_on,
            "removed_on": None,
            "citation": (row.get("federal_register_notice") or "").strip(),
            "source_url": (row.get("source_list_url") or "").strip(),
            "source": NAME,
        }
    batch.tables["watchlist_entries"] = list(entries.values())
    if len(entries) == 0:
        batch.notes.append("no Entity List or MEU rows for CN or RU")
    return batch


def csv_rows(where: str, text: str):
    """(line, row, countries) from the CSV form: country = trailing ISO code of each address."""
    reader = csv.DictReader(io.StringIO(text))
    missing = REQUIRED - set(reader.fieldnames or ())
    if missing:
        raise SourceError(f"{where}: not a screening-list CSV, missing columns {sorted(missing)}")
    for line, row in numbered(reader):
        if isinstance(row, BadRow):
            yield line, None, row.reason
            continue
        if None in row or None in row.values():  # a row longer or shorter than the header
            yield line, None, "columns do not match the header"
            continue
        addrs = row["addresses"].split(";")
        yield line, row, {a.rsplit(",", 1)[-1].strip() for a in addrs if a.strip()}


def json_rows(where: str, text: str):
    """(index, row, countries) from the JSON form ({"results": [...]} or a list): country
    from the address objects; list fields joined as in the CSV."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{where}: not valid JSON: {exc}") from None
    results = data.get("results", []) if isinstance(data, dict) else data
    if not isinstance(results, list):
        raise SourceError(f"{where}: not a screening-list JSON (no results list)")
    for i, rec in enumerate(results, start=1):
        row = {
            k: "; ".join(map(str, v)) if isinstance(v, list) and k != "addresses" else v
            for k, v in rec.items()
        }
        countries = {(a.get("country") or "").strip() for a in rec.get("addresses") or []}
        yield i, row, countries


def aliases(alt_names: str) -> list[str]:
    out = []
    for part in alt_names.split(";"):
        part = part.strip()
        if part.lower().startswith("and "):
            part = part[4:].strip()
        if part:
            out.append(part)
    return out


def _owned():
    t = schema.watchlist_entries
    return t.c.list_name.in_(set(LISTS.values())) & sa.or_(
        t.c.source == NAME, t.c.source.is_(None)
    )


def load(conn, batch: Batch, run_id: str, now: dt.datetime) -> int:
    """Upsert the snapshot, mark vanished entries removed, write the change feed."""
    return load_snapshot(conn, batch.tables["watchlist_entries"], _owned(), run_id, now)


def hold_back(conn, batch: Batch, settings: Settings) -> str | None:
    """A refresh that would mark more than `max_removed_share` of a list removed is held
    back until confirmed: a cut or partial download must not empty the watch-list. A switch
    between the demo and live data replaces the entries anyway, and is not held back."""
    prev = last_success(conn, NAME)
    if prev is None or (prev.mode == "demo") != (batch.mode == "demo"):
        return None
    t = schema.watchlist_entries
    fresh = {e["id"] for e in batch.tables["watchlist_entries"]}
    q = sa.select(t.c.list_name, t.c.id).where(_owned(), t.c.removed_on.is_(None))
    lists: dict[str, list[str]] = {}
    for list_name, eid in conn.execute(q):
        lists.setdefault(list_name, []).append(eid)
    share = settings.sources.screening_list.max_removed_share
    for list_name, ids in sorted(lists.items()):
        gone = sum(1 for eid in ids if eid not in fresh)
        if gone > share * len(ids):
            return (f"held back: this refresh would remove {gone:,} of the {len(ids):,} "
                    f"{list_name} entries ({gone / len(ids):.0%}, more than "
                    f"sources.screening_list.max_removed_share = {share:.0%}); nothing written;"
                    " if the list really shrank, confirm with `trendline refresh "
                    "screening_list --accept-shrink`")
    return None


SOURCE = Source(NAME, fetch=fetch, normalise=normalise, family="watchlists", load=load,
                minimum_rows=minimum_rows, retry=retry, hold_back=hold_back)
