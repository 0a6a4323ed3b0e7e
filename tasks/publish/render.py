"""Rendering is pure: contexts in, strings out. Jinja2 with StrictUndefined; HTML templates
autoescape. Numbers are formatted with their unit here, once, for every format."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import jinja2

from trendline.core.settings import TEMPLATES_DIR
from trendline.tasks.publish import markdown

FORMATS = ("html", "txt", "md")
NO_VALUE = "no data"
# units that count things: "196 papers", "1 deal"
COUNTS = {
    "papers": "paper", "deals": "deal", "events": "event", "pairs": "pair",
    "vehicles": "vehicle", "agreements": "agreement", "students": "student",
    "deals and events": "deal or event", "days": "day",
}


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        # every HTML template (alert.html.j2, weekly.html.j2) escapes what it prints
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "html.j2"), default_for_string=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = number
    env.filters["safe_url"] = safe_url
    env.filters["spark"] = sparkline
    env.filters["names"] = native_names
    env.filters["md_url"] = markdown.safe_destination
    env.filters["md_dest"] = markdown.destination  # a link target Trendline built
    env.filters["md_code"] = markdown.code
    env.globals.update(LABELS)  # plain strings: each template escapes them its own way
    return env


@cache
def markdown_environment() -> jinja2.Environment:
    """The Markdown templates: every printed value goes through the one Markdown escaper
    (trendline.tasks.publish.markdown), as autoescape does for HTML."""
    return environment().overlay(finalize=markdown.text)


# What the templates print about a record, an organisation or a change. Python functions,
# not Jinja macros: a macro defined in a template that does not escape would hand its
# output to an HTML template as already safe, unescaped.
CHANGES = {"firing": "NEW", "escalated": "ESCALATED", "repeat": "STILL FIRING",
           "resolved": "RESOLVED", "current": "FIRING", "updated": "UPDATED",
           "no_data": "NO DATA", "history": "HISTORY", "silenced": "SILENCED",
           "acked": "ACKNOWLEDGED", "pending": "PENDING"}


def _org(o: Mapping) -> str:
    return f"{o.get('name')} ({o['native']})" if o.get("native") else str(o.get("name"))


def _when(o: Mapping) -> str:
    if o.get("listed_on"):
        return f"{o.get('lists') or 'listed'} since {o['listed_on']}"
    return f"{o.get('lists')}, listing date unknown"


LABELS: dict[str, Any] = {
    "change_label": lambda c: CHANGES[c],
    "subject": lambda a: "" if a.subject == "all" else str(a.subject),
    "org": _org,
    "when": _when,
    "record_label": lambda e: str(e.get("label") or e.get("title") or e.get("id")),
    "record_date": lambda e: str(e.get("date") or e.get("year") or e.get("period") or ""),
}


def render(kind: str, context: dict[str, Any]) -> dict[str, str]:
    """`kind` is alert or weekly; returns {format: text} for html, txt and md."""
    envs = {"md": markdown_environment()}
    return {fmt: envs.get(fmt, environment()).get_template(f"{kind}.{fmt}.j2").render(**context)
            for fmt in FORMATS}


def safe_url(value: Any) -> str:
    """A link target only when it is an http(s) URL; anything else (javascript:, data:,
    relative paths, NaN) links nowhere."""
    text = value.strip() if isinstance(value, str) else ""
    return text if text.lower().startswith(("http://", "https://")) else ""


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float) -> str:
    sign, v = ("-" if value < 0 else ""), abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= size:
            return f"{sign}${_sig(v / size)}{suffix}"
    return f"{sign}${v:,.0f}"


def _sig(v: float) -> str:
    """3 significant figures without exponent or trailing zeros: 1.2, 35, 705."""
    text = f"{v:.3g}" if v < 1000 else f"{v:,.0f}"
    return text if "e" not in text else f"{v:,.0f}"


def number(value: Any, unit: str = "", bare: bool = False) -> str:
    """A value with its unit for people: `196 papers`, `$705M`, `4.8%`, `20%` (a share),
    `51x` (a ratio); missing values read `no data`, never `None` or `nan`."""
    if _missing(value):
        return NO_VALUE
    value = float(value)
    if unit == "USD":
        return money(value)
    if unit == "%":
        return f"{_sig(value)}%"
    if unit == "share":
        return f"{_sig(value * 100)}%"
    if unit == "ratio":
        return f"{_sig(value)}x"
    text = f"{int(value):,}" if value.is_integer() else _sig(value)
    if bare or not unit:
        return text
    word = COUNTS.get(unit)
    if word and value == 1:
        return f"{text} {word}"
    return f"{text} {unit}"


def change(new: Any, old: Any, unit: str = "") -> str:
    """`+133%`, `x2.3`, `-4.1 pts` (for percentages and shares), or '' when not comparable."""
    if _missing(new) or _missing(old):
        return ""
    new, old = float(new), float(old)
    if unit in ("%", "share"):
        scale = 100 if unit == "share" else 1
        d = (new - old) * scale
        return f"{d:+.1f} pts"
    if old == 0:
        return "new from zero" if new > 0 else "no change"
    ratio = new / old
    if ratio >= 3:
        return f"x{_sig(ratio)}"
    return f"{(ratio - 1) * 100:+.0f}%"


BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Iterable[Any]) -> str:
    """Unicode blocks, one per period; a missing period is a space (a gap, not a zero)."""
    vals = list(values)
    nums = [float(v) for v in vals if not _missing(v)]
    if len(nums) < 2:
        return ""
    lo, hi = min(nums), max(nums)
    span = hi - lo or 1.0
    return "".join(
        " " if _missing(v) else BLOCKS[round((float(v) - lo) / span * (len(BLOCKS) - 1))]
        for v in vals
    )


def native_names(names: Any) -> str:
    """The Chinese and Russian names of an organisation, from `organisations.names`."""
    if not isinstance(names, dict):
        return ""
    out: list[str] = []
    for lang in ("zh", "ru"):
        vals = names.get(lang) or []
        vals = [vals] if isinstance(vals, str) else vals
        for v in vals:
            if v and v not in out:
                out.append(v)
                break
    return " / ".join(out)
