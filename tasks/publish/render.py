"""Rendering is pure: contexts in, strings out. Jinja2 with StrictUndefined; HTML templates
autoescape. Numbers and units are worded by indicators/words.py, the one formatter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import jinja2

from trendline.core.settings import TEMPLATES_DIR
from trendline.indicators import words
from trendline.tasks.publish import markdown
from trendline.tasks.publish.alert_evidence import record_link

FORMATS = ("html", "txt", "md")


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
    env.filters["num"] = words.amount
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
    """`Entity List since 2020-06-05`, `Entity List, listed after the paper (2020-06-05)`,
    or `Entity List, listing date unknown`: never an empty field."""
    lists = o.get("lists") or "listed"
    if not o.get("listed_on"):
        return f"{lists}, listing date unknown"
    if o.get("at_the_time") is False:
        return f"{lists} since {o['listed_on']}, after the paper"
    return f"{lists} since {o['listed_on']}"


LABELS: dict[str, Any] = {
    "change_label": lambda c: CHANGES[c],
    "subject": lambda a: "" if a.subject == "all" else str(a.subject),
    "org": _org,
    "when": _when,
    "record_label": lambda e: str(e.get("label") or e.get("title") or e.get("id")),
    "record_date": lambda e: str(e.get("date") or e.get("year") or e.get("period") or ""),
    "record_link": record_link,
    "records_word": lambda n: words.plural(int(n), "record"),
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


BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Iterable[Any]) -> str:
    """Unicode blocks, one per period; a missing period is a space (a gap, not a zero)."""
    vals = list(values)
    nums = [float(v) for v in vals if not words.missing(v)]
    if len(nums) < 2:
        return ""
    lo, hi = min(nums), max(nums)
    span = hi - lo or 1.0
    return "".join(
        " " if words.missing(v) else BLOCKS[round((float(v) - lo) / span * (len(BLOCKS) - 1))]
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
