"""The one place for words and numbers: every value goes out with its unit, from the
indicator's declaration to the rendered string (CLI tables and JSON, alerts, reports,
emails, charts, web pages). A missing value is always UNKNOWN, never "n/a", "None" or 0.

Units are the names series declare (indicators/declaration.py `Series.unit`):

- counts: papers, deals, events, records, deals_events, pairs, partnerships, vehicles,
  agreements, students, days, organisations, fields, citations, sources, centres;
- usd: money ("$1.2B");
- percent: a value already in percent ("4.86%"); share: a fraction ("29%");
- points: a difference of percentages ("+5.5 points");
- ratio: "61.7x"; index: a plain number ("1.23"); flag: 1 = yes, 0 = no.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Unit:
    kind: str  # count | usd | percent | share | points | ratio | index | flag
    one: str = ""  # a count's noun, singular and plural
    many: str = ""


def _count(one: str, many: str) -> Unit:
    return Unit("count", one, many)


UNITS: dict[str, Unit] = {
    "papers": _count("paper", "papers"),
    "deals": _count("deal", "deals"),
    "events": _count("event", "events"),
    "records": _count("record", "records"),
    "deals_events": _count("deal or event", "deals and events"),
    "pairs": _count("institution pair", "institution pairs"),
    "partnerships": _count("partnership", "partnerships"),
    "vehicles": _count("fund or venture", "funds and ventures"),
    "agreements": _count("agreement", "agreements"),
    "students": _count("student", "students"),
    "days": _count("day", "days"),
    "organisations": _count("organisation", "organisations"),
    "fields": _count("field", "fields"),
    "citations": _count("citation", "citations"),
    "sources": _count("source", "sources"),
    "centres": _count("centre", "centres"),
    "usd": Unit("usd"),
    "percent": Unit("percent"),
    "share": Unit("share"),
    "points": Unit("points"),
    "ratio": Unit("ratio"),
    "index": Unit("index"),
    "flag": Unit("flag"),
}
# what a record of each evidence kind is called
KIND_NOUNS = {"work": "papers", "deal": "deals", "event": "events", "pair": "pairs",
              "partner": "organisations", "organisation": "organisations", "field": "fields",
              "centre": "records", "count": "records", "series_point": "records",
              "listing": "records", "refresh": "records", "verdict": "records"}


def unit_of(name: str) -> Unit:
    if name not in UNITS:
        raise KeyError(f"unknown unit {name!r}; choose from {', '.join(UNITS)}")
    return UNITS[name]


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def figure(v: float) -> str:
    """A plain number people read: integers with thousands separators, else three
    significant figures (never an exponent)."""
    if float(v).is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    if a >= 1:
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return f"{v:.3g}"


def money(value: float) -> str:
    """`$1.2B`, `$705M`, `$76.7M`, `$3K`, `$950`."""
    sign, v = ("-" if value < 0 else ""), abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= size:
            return f"{sign}${figure(round(v / size, 1 if v / size < 100 else 0))}{suffix}"
    return f"{sign}${v:,.0f}"


def noun(unit: str, n: float | None = None) -> str:
    """The unit's noun for `n` things (plural when n is not exactly 1); "" for non-counts."""
    u = unit_of(unit)
    if u.kind != "count":
        return ""
    return u.one if n is not None and float(n) == 1 else u.many


def amount(value: Any, unit: str) -> str:
    """A value with its unit: `196 papers`, `1 deal`, `$1.2B`, `4.86%`, `29%` (a share),
    `+5.5 points`, `61.7x`, `yes`; UNKNOWN when missing."""
    if missing(value):
        return UNKNOWN
    v = float(value)
    u = unit_of(unit)
    if u.kind == "count":
        return f"{figure(v)} {noun(unit, v)}"
    return bare(v, unit)


def bare(value: Any, unit: str) -> str:
    """A value without a count's noun (`196`, `$1.2B`, `4.86%`): for tables whose column
    says the unit."""
    if missing(value):
        return UNKNOWN
    v = float(value)
    kind = unit_of(unit).kind
    if kind == "usd":
        return money(v)
    if kind == "percent":
        return f"{figure(v)}%"
    if kind == "share":
        return f"{figure(v * 100)}%"
    if kind == "points":
        return f"{v:+.1f} points"
    if kind == "ratio":
        return f"{figure(v)}x"
    if kind == "flag":
        return "yes" if v else "no"
    return figure(v)


def threshold(value: Any, unit: str) -> str:
    """An alert level, as the value it is compared with (`4 deals`, `$517M`, `3%`, `5
    points`)."""
    if missing(value):
        return UNKNOWN
    if unit_of(unit).kind == "points":
        return f"{figure(float(value))} points"
    return amount(value, unit)


def pct(fraction: float) -> str:
    """A relative change: `+16%`, `-6%`, `0%`."""
    whole = round(fraction * 100)
    return f"{whole:+,d}%" if whole else "0%"


def change(new: Any, old: Any, unit: str) -> str:
    """How `new` compares with `old`: a relative change (`+133%`) for counts, money and
    ratios, a difference in points (`+1.8 points`) for percentages and shares; "" when
    either is unknown."""
    if missing(new) or missing(old):
        return ""
    new, old = float(new), float(old)
    kind = unit_of(unit).kind
    if kind in ("percent", "share", "points"):
        scale = 100 if kind == "share" else 1
        d = (new - old) * scale
        return "no change" if round(d, 1) == 0 else f"{d:+.1f} points"
    if old == 0:
        return "none before" if new > 0 else "no change"
    return pct(new / old - 1)


def span(first: int | str, last: int | str) -> str:
    """`2020-2025`, or `2025` for one year."""
    return str(first) if str(first) == str(last) else f"{first}-{last}"


def listing(items: Iterable[str], limit: int = 3, total: int | None = None) -> str:
    """`a; b; c and 4 more`: the first `limit` items of a list of `total` (default: all)."""
    items = [i for i in items if i]
    total = len(items) if total is None else total
    shown = "; ".join(items[:limit])
    rest = total - min(limit, len(items))
    return f"{shown} and {rest} more" if rest > 0 and shown else shown


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def clause(*parts: str) -> str:
    """Non-empty parts joined by `; `, so an absent part leaves no dangling punctuation."""
    return "; ".join(p.strip() for p in parts if p and p.strip())


# each watch-list as a reader names it
LISTS = {
    "entity_list": "U.S. Entity List",
    "meu_list": "U.S. Military End-User List",
    "nro_canada": "Canada's Named Research Organizations",
    "seven_sons": "Seven Sons of National Defense",
    "ru_defence": "Russian defense-ministry institutes",
    "defence_soe": "defense state-owned enterprises",
    "ai_dragons": "AI dragons",
    "huawei": "Huawei entities",
    "joint_vehicles": "joint investment vehicles",
}
