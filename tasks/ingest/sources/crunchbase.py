"""Crunchbase CSV exports: the old acquisitions/investments exports and the current
organisations + funding-rounds exports. The shape is recognised from the header; the
column mapping lives in data/mappings/crunchbase.toml, not here."""

from __future__ import annotations

import csv
import hashlib
import io
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from trendline.core.settings import DATA_DIR, Settings
from trendline.tasks.ingest.parsing.deal_rules import (
    MAPPINGS,
    Invalid,
    Rules,
    deal_rows,
    load_rules,
    numbered,
    split_list,
)
from trendline.tasks.ingest.source import Batch, Reject, Skip, Source, SourceError

NAME = "crunchbase"
DEMO_DIR = DATA_DIR / "demo" / "crunchbase"


@lru_cache(maxsize=2)
def shapes(path: Path = MAPPINGS / "crunchbase.toml") -> dict[str, dict]:
    return tomllib.loads(path.read_text(encoding="utf-8"))["shapes"]


def detect(header: list[str] | None) -> str | None:
    """The export shape whose `detect` columns are all in the header, or None."""
    cols = {c.strip().lower() for c in header or ()}
    for name, shape in shapes().items():
        if set(shape["detect"]) <= cols:
            return name
    return None


@dataclass
class FileResult:
    """One file's normalised rows and what was wrong with the rest."""

    where: str
    shape: str
    read: int = 0
    deals: dict[str, dict] = field(default_factory=dict)
    parties: dict[tuple[str, str], dict] = field(default_factory=dict)
    lookup: dict[str, dict] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    accepted: int = 0
    undisclosed: int = 0
    rows_per_deal: Counter[str] = field(default_factory=Counter)
    merged_when: str = ""  # what merged rows have in common (the shape's identity)
    disagree: set[str] = field(default_factory=set)  # merged deals whose rows' amounts differ

    @property
    def undisclosed_share(self) -> float | None:
        return self.undisclosed / self.accepted if self.accepted else None

    @property
    def stored(self) -> int:
        """Distinct deals this file's accepted rows make."""
        return len(self.deals)

    @property
    def merged(self) -> int:
        """Accepted rows that share their deal with another row."""
        return sum(n for n in self.rows_per_deal.values() if n > 1)

    def merge_note(self) -> str:
        """What merged, in words ('' when no rows merged)."""
        if not self.merged:
            return ""
        text = f"{self.merged:,} rows merged: {self.merged_when}"
        if self.disagree:
            text += (f"; the rows of {len(self.disagree):,} of these deals disagree on the "
                     "amount, the first row's is kept")
        return text


def fetch(settings: Settings) -> dict:
    """Demo: the bundled synthetic export. Live: every CSV in deals_dir with a Crunchbase
    header (other files there belong to other sources)."""
    if settings.sources.deals == "demo":
        paths, mode = sorted(DEMO_DIR.glob("*.csv")), "demo"
    else:
        if not settings.sources.deals_dir:
            raise Skip("no sources.deals_dir configured")
        paths, mode = sorted(Path(settings.sources.deals_dir).glob("*.csv")), "live"
    files = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot read {path}: {exc}") from None
        if detect(next(csv.reader(io.StringIO(text)), None)):
            files.append((str(path), text))
    if not files:
        raise Skip(f"no Crunchbase export found in {DEMO_DIR if mode == 'demo' else paths}")
    return {"files": files, "mode": mode}


def normalise(raw: dict, rules: Rules | None = None) -> Batch:
    """All files of a refresh into one batch (organisation lookups are read first)."""
    rules = rules or load_rules()
    results = normalise_files(raw["files"], rules, raw.get("mode", "live"))
    return to_batch(results, raw.get("mode", "live"))


def normalise_files(files: list[tuple[str, str]], rules: Rules, mode: str) -> list[FileResult]:
    parsed = []
    for where, text in files:
        reader = csv.DictReader(io.StringIO(text))
        shape = check_header(where, reader.fieldnames)
        reader.fieldnames = [c.strip().lower() for c in reader.fieldnames or ()]
        parsed.append((where, shape, reader))
    lookup: dict[str, dict] = {}
    results = []
    for where, shape, reader in sorted(parsed, key=lambda p: shapes()[p[1]]["kind"] != "lookup"):
        result = FileResult(where, shape)
        if shapes()[shape]["kind"] == "lookup":
            _read_lookup(reader, result, rules)
            lookup.update(result.lookup)
        else:
            _read_deals(reader, result, rules, lookup, mode)
        results.append(result)
    return results


def to_batch(results: list[FileResult], mode: str) -> Batch:
    batch = Batch(mode=mode)
    deals: dict[str, dict] = {}
    parties: dict[tuple[str, str], dict] = {}
    for r in results:
        batch.read += r.read
        batch.rejects.extend(r.rejects)
        if r.merged:
            batch.notes.append(f"{Path(r.where).name}: {r.accepted:,} rows -> {r.stored:,} "
                               f"deals ({r.merge_note()})")
        deals.update(r.deals)
        parties.update(r.parties)
    batch.tables = {"deals": list(deals.values()), "deal_parties": list(parties.values())}
    return batch


def check_header(where: str, header: list[str] | None) -> str:
    """The file's shape; SourceError in one line when none fits or a deals export lacks
    the columns that tell its deals apart."""
    shape = detect(header)
    if shape is None:
        raise SourceError(f"{where}: not a known Crunchbase export shape")
    if shapes()[shape]["kind"] == "deals":
        identity_of(shapes()[shape], [c.strip().lower() for c in header or ()], where)
    return shape


def columns_of(shape: dict, header: list[str]) -> dict[str, str]:
    """The shape's field -> column mapping for one file: of a list of names, the first the
    header has (else the first, which the file then lacks)."""
    out = {}
    for key, names in shape["columns"].items():
        names = [names] if isinstance(names, str) else names
        out[key] = next((n for n in names if n in header), names[0])
    return out


def identity_of(shape: dict, header: list[str], where: str) -> dict:
    """The shape's first identity whose columns are all in the header; SourceError when
    the file has none (its rows must not collapse into one deal)."""
    for ident in shape["identity"]:
        if set(ident["columns"]) <= set(header):
            return ident
    options = " or ".join("(" + ", ".join(i["columns"]) + ")" for i in shape["identity"])
    raise SourceError(f"{where}: no columns to tell deals apart; needs {options}")


def _read_lookup(reader: csv.DictReader, result: FileResult, rules: Rules) -> None:
    cols = columns_of(shapes()[result.shape], reader.fieldnames or [])
    for line, row in numbered(reader):
        result.read += 1
        try:
            country = rules.country(row.get(cols["country"]), cols["country"])
        except Invalid as exc:
            result.rejects.append(Reject(result.where, line, exc.field, exc.reason))
            continue
        result.accepted += 1
        result.lookup[row[cols["uuid"]].strip()] = {
            "name": row.get(cols["name"], "").strip(),
            "country": country,
            "sectors": split_list(row.get(cols["sectors"]), ",|"),
        }


def _read_deals(reader, result: FileResult, rules: Rules, lookup: dict, mode: str) -> None:
    shape = shapes()[result.shape]
    header = reader.fieldnames or []
    cols, ident = columns_of(shape, header), identity_of(shape, header, result.where)
    result.merged_when = ident["means"]
    for line, row in numbered(reader):
        result.read += 1
        try:
            deal, parties = _deal(row, cols, ident["columns"], shape, result.shape, rules,
                                  lookup, mode)
        except Invalid as exc:
            result.rejects.append(Reject(result.where, line, exc.field, exc.reason))
            continue
        result.accepted += 1
        result.undisclosed += deal["amount_usd"] is None
        result.rows_per_deal[deal["id"]] += 1
        kept = result.deals.setdefault(deal["id"], deal)
        if kept["amount_usd"] != deal["amount_usd"] and deal["id"] not in result.disagree:
            result.disagree.add(deal["id"])
            note = "merged rows disagree on the amount; the first row's is kept"
            kept["note"] = "; ".join(n for n in (kept["note"], note) if n)
        for p in parties:
            result.parties.setdefault((p["deal_id"], p["name"]), p)


def _deal(row: dict, cols: dict, id_columns: list[str], shape: dict, shape_name: str,
          rules: Rules, lookup: dict, mode: str):
    def get(key: str) -> str:
        return (row.get(cols[key]) or "").strip() if key in cols else ""

    target = get("target")
    if not target:
        raise Invalid(cols["target"], "missing target name")
    date = rules.date(get("date"), cols["date"])
    target_country = rules.country(get("target_country"), cols["target_country"])
    amount, currency, amount_usd = _amounts(get, cols, rules, date)
    investors = _investors(get, cols, rules, lookup)
    sectors = split_list(get("target_sectors"), "|,")
    target_info = lookup.get(get("target_uuid"), {})
    sectors = sectors or target_info.get("sectors", [])
    key_values = [(row.get(c) or "").strip() for c in id_columns]
    if not key_values[0]:
        raise Invalid(id_columns[0], "missing (it tells this deal apart from others)")
    key = "|".join(key_values)
    deal_id = f"cb:{shape_name[:3]}:{hashlib.sha1(key.encode()).hexdigest()[:20]}"
    first = investors[0] if investors else ("", None)
    note = "round total" if shape_name != "acquisitions" and amount_usd is not None else ""
    return deal_rows(
        rules, deal_id=deal_id, date=date, target=target, target_country=target_country,
        direction=rules.direction(first[0], first[1], target_country),
        deal_type=get("round") or shape["deal_type"], amount=amount, currency=currency,
        amount_usd=amount_usd, sectors=sectors, source=NAME, source_url="", note=note,
        demo=mode == "demo", parties=[(n, "investor", c) for n, c in investors],
    )


def _amounts(get, cols: dict, rules: Rules, date):
    """(original amount, currency, USD amount); a USD column wins when the export has one."""
    if "amount_usd" in cols and get("amount_usd"):
        usd = rules.amount(get("amount_usd"), cols["amount_usd"])
        original = rules.amount(get("amount"), cols["amount"]) if "amount" in cols else None
        currency = rules.currency(get("currency")) if original is not None else "USD"
        return (original if original is not None else usd), currency, usd
    if "amount" not in cols:
        return None, None, None
    original = rules.amount(get("amount"), cols["amount"])
    if original is None:
        return None, None, None
    if "currency" in cols and not get("currency"):
        raise Invalid(cols["currency"], "an amount without a currency")
    currency = rules.currency(get("currency") if "currency" in cols else "USD")
    return original, currency, rules.to_usd(original, currency, date)


def _investors(get, cols: dict, rules: Rules, lookup: dict) -> list[tuple[str, str | None]]:
    if "investor" in cols:
        name = get("investor")
        country = rules.country(get("investor_country"), cols["investor_country"])
        return [(name, country)] if name else []
    found = []
    for uuid in split_list(get("lead_investors"), ","):
        org = lookup.get(uuid)
        if org:
            found.append((org["name"], org["country"]))
    return found


SOURCE = Source(NAME, fetch=fetch, normalise=normalise, family="deals")
