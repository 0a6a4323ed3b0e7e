"""Shared coding rules for deal sources: dates, amounts, currencies, countries, direction
and areas of concern. The rules live in data/mappings/; this module only applies them.

Every check raises `Invalid(field, reason)`, which a source turns into a Reject. The curated
sources' pydantic models (deal_records.py) delegate every field to these rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from trendline.core.settings import DATA_DIR
from trendline.tasks.ingest.parsing.fields import day

MAPPINGS = DATA_DIR / "mappings"


class Invalid(ValueError):
    """One bad field: `field` and `reason` say which and why."""

    def __init__(self, field: str, reason: str):
        super().__init__(field, reason)
        self.field, self.reason = field, reason


@dataclass(frozen=True)
class Rules:
    min_year: int
    max_year: int
    iso3: dict[str, str]  # alpha-3 -> alpha-2
    iso2: frozenset[str]
    country_aliases: dict[str, str]
    rates: dict[str, tuple[list[dt.date], list[float]]]  # currency -> (dates, usd per unit)
    direction_rule: str
    joint_vehicles: dict[str, tuple[str, ...]]
    concern_terms: dict[str, tuple[str, ...]]
    concern_labels: dict[str, str] = field(default_factory=dict)

    # Fields --------------------------------------------------------------------------
    def date(self, text: str | None, name: str = "date") -> dt.date:
        """ISO date, year-month or year. A year outside [min_year, max_year] is impossible."""
        text = (text or "").strip()
        try:
            date = day(text, partial=True)
        except ValueError as exc:
            raise Invalid(name, str(exc)) from None
        if date is None:
            raise Invalid(name, "missing date")
        if not self.min_year <= date.year <= self.max_year:
            raise Invalid(name, f"impossible year {date.year} in {text!r}")
        return date

    def amount(self, text: str | None, name: str = "amount") -> float | None:
        """A non-negative number; blank (or 'undisclosed') means undisclosed: None, never 0."""
        text = (text or "").strip().replace(",", "")
        if not text or text.lower() in {"undisclosed", "unknown", "n/a", "na"}:
            return None
        try:
            value = float(text)
        except ValueError:
            raise Invalid(name, f"not a number: {text!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise Invalid(name, f"not a number: {text!r}")
        if value < 0:
            raise Invalid(name, f"negative amount: {text}")
        return value

    def country(self, code: str | None, name: str = "country") -> str | None:
        """ISO-2 from an ISO-3 or ISO-2 code; blank is unknown (None); anything else rejects."""
        code = (code or "").strip().upper()
        if not code:
            return None
        code = self.country_aliases.get(code, code)
        if len(code) == 3 and code in self.iso3:
            return self.iso3[code]
        if len(code) == 2 and code in self.iso2:
            return code
        raise Invalid(name, f"unknown country code {code!r}")

    def to_usd(self, amount: float | None, currency: str | None, on: dt.date) -> float | None:
        """Convert with the latest rate dated on or before `on` (the earliest rate for
        older deals). Unknown currency rejects."""
        if amount is None:
            return None
        cur = (currency or "").strip().upper() or "USD"
        if cur not in self.rates:
            raise Invalid("currency", f"unknown currency {cur!r}")
        dates, values = self.rates[cur]
        return amount * values[max(bisect_right(dates, on) - 1, 0)]

    def currency(self, code: str | None) -> str:
        cur = (code or "").strip().upper() or "USD"
        if cur not in self.rates:
            raise Invalid("currency", f"unknown currency {cur!r}")
        return cur

    # Coding --------------------------------------------------------------------------
    def joint_countries(self, name: str) -> tuple[str, ...] | None:
        key = name.strip().casefold()
        for vehicle, countries in self.joint_vehicles.items():
            if vehicle.casefold() in key:
                return countries
        return None

    def direction(
        self, investor: str, investor_country: str | None, target_country: str | None
    ) -> str | None:
        """'<investor country>-><target country>', with joint vehicles coded by the rule."""
        joint = self.joint_countries(investor or "")
        if joint and target_country in joint:
            if self.direction_rule == "joint":
                return "JOINT"
            others = [c for c in joint if c != target_country]
            investor_country = others[0] if others else investor_country
        if not investor_country or not target_country:
            return None
        return f"{investor_country}->{target_country}"

    def concern_areas(self, *texts: str) -> list[str]:
        """The areas of concern whose terms occur in any of the texts (sector tags)."""
        blob = " | ".join(t.casefold() for t in texts if t)
        return sorted(a for a, terms in self.concern_terms.items() if any(t in blob for t in terms))


@lru_cache(maxsize=4)
def load_rules(folder: Path = MAPPINGS) -> Rules:
    """Read the bundled mapping files (static config, cached)."""
    conf = tomllib.loads((folder / "deal_rules.toml").read_text(encoding="utf-8"))
    with open(folder / "iso3166.csv", encoding="utf-8", newline="") as fh:
        iso = list(csv.DictReader(fh))
    rates: dict[str, tuple[list[dt.date], list[float]]] = {}
    with open(folder / "fx_rates.csv", encoding="utf-8", newline="") as fh:
        for row in sorted(csv.DictReader(fh), key=lambda r: (r["currency"], r["valid_from"])):
            dates, values = rates.setdefault(row["currency"], ([], []))
            dates.append(day(row["valid_from"]))
            values.append(float(row["usd_per_unit"]))
    areas = tomllib.loads((folder / "concern_areas.toml").read_text(encoding="utf-8"))["areas"]
    direction = conf["direction"]
    if direction["rule"] not in ("counterpart", "joint"):
        raise ValueError(f"deal_rules.toml: unknown direction rule {direction['rule']!r}")
    return Rules(
        min_year=conf["dates"]["min_year"],
        max_year=conf["dates"]["max_year"],
        iso3={r["alpha3"]: r["alpha2"] for r in iso},
        iso2=frozenset(r["alpha2"] for r in iso),
        country_aliases=dict(conf["countries"]["aliases"]),
        rates=rates,
        direction_rule=direction["rule"],
        joint_vehicles={k: tuple(v) for k, v in direction["joint_vehicles"].items()},
        concern_terms={k: tuple(t.casefold() for t in v["terms"]) for k, v in areas.items()},
        concern_labels={k: v.get("label", k) for k, v in areas.items()},
    )


class BadRow(dict):
    """A CSV row the csv module could not read (e.g. a field over csv.field_size_limit):
    reading any field raises Invalid, so the caller's usual `except Invalid` rejects this
    one row with its reason and the rest of the file still loads."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason

    def _bad(self, *_a, **_k):
        raise Invalid("row", self.reason)

    get = __getitem__ = __contains__ = _bad


def numbered(reader) -> Iterator[tuple[int, dict]]:
    """CSV rows with the file line each starts on (quoted fields may span lines). A row
    the csv module cannot parse comes as a BadRow, not as the end of the file."""
    end = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            if "field larger than field limit" in reason:
                reason = f"a field is larger than {csv.field_size_limit():,} characters"
            yield end + 1, BadRow(reason)
        else:
            if any("\0" in v for v in row.values() if isinstance(v, str)):
                yield end + 1, BadRow("a field contains a NUL character")
            else:
                yield end + 1, row
        end = reader.line_num


def split_list(text: str | None, seps: str = ";|,") -> list[str]:
    """Split a multi-valued cell on any of the separators."""
    return [p.strip() for p in re.split(f"[{re.escape(seps)}]", text or "") if p.strip()]


def yaml_items(where: str, text: str, key: str) -> list[tuple[int, dict]]:
    """(item number, mapping) pairs of a top-level YAML list; SourceError when absent."""
    import yaml

    from trendline.tasks.ingest.source import SourceError

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SourceError(f"{where}: not valid YAML: {exc}") from None
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise SourceError(f"{where}: expected a top-level '{key}' list")
    return [(i + 1, d if isinstance(d, dict) else {}) for i, d in enumerate(items)]


def read_files(paths: list[tuple[Path, bool]]) -> list[tuple[str, str, bool]]:
    """(where, text, is_demo) for each path; SourceError with one line when unreadable."""
    from trendline.tasks.ingest.source import SourceError

    out = []
    for path, demo in paths:
        try:
            out.append((str(path), path.read_text(encoding="utf-8-sig"), demo))
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot read {path}: {exc}") from None
    return out


DEMO_NOTE = "synthetic demo record"


def deal_rows(
    rules: Rules,
    *,
    deal_id: str,
    date: dt.date,
    target: str,
    target_country: str | None,
    direction: str | None,
    deal_type: str,
    amount: float | None,
    currency: str | None,
    amount_usd: float | None,
    sectors: list[str],
    source: str,
    source_url: str,
    note: str,
    demo: bool,
    parties: list[tuple[str, str, str | None]],
) -> tuple[dict, list[dict]]:
    """A deals row and its deal_parties rows (parties as (name, role, country); the target
    is added). The derived fields (year, disclosed, areas of concern, demo label) are set
    here only."""
    deal = {
        "id": deal_id,
        "announced_on": date,
        "year": date.year,
        "target": target,
        "target_country": target_country,
        "direction": direction,
        "deal_type": deal_type,
        "amount_usd": amount_usd,
        "amount_original": amount,
        "currency": currency if amount is not None else None,
        "disclosed": amount_usd is not None,  # undisclosed stays unknown, never zero
        "sectors": sectors,
        "concern_areas": rules.concern_areas(*sectors),
        "source": source,
        "source_url": source_url,
        "note": "; ".join(n for n in (note, DEMO_NOTE if demo else "") if n),
        "is_demo": demo,
    }
    rows = [
        {"deal_id": deal_id, "name": name[:255], "role": role, "country": country, "org_id": None}
        for name, role, country in [*parties, (target, "target", target_country)]
    ]
    return deal, rows
