"""Rendering is pure: contexts in, strings (and PNG bytes) out. Jinja2 with StrictUndefined;
HTML templates autoescape."""

from __future__ import annotations

import base64
import io
from functools import cache
from typing import Any

import jinja2

from trendline.settings import TEMPLATES_DIR

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
    env.filters["num"] = number
    env.filters["safe_url"] = safe_url
    return env


def render(kind: str, context: dict[str, Any]) -> dict[str, str]:
    """`kind` is alert or weekly; returns {format: text} for html, txt and md."""
    env = environment()
    return {fmt: env.get_template(f"{kind}.{fmt}.j2").render(**context) for fmt in FORMATS}


def safe_url(value: Any) -> str:
    """A link target only when it is an http(s) URL; anything else (javascript:, data:,
    relative paths, NaN) links nowhere."""
    text = value.strip() if isinstance(value, str) else ""
    return text if text.lower().startswith(("http://", "https://")) else ""


def number(value: Any, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if unit == "USD":
        return f"${value / 1e6:,.1f}M" if abs(value) >= 1e5 else f"${value:,.0f}"
    if unit == "%":
        return f"{value:.2f}%"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3g}"


def chart_png(title: str, series: dict[str, dict[str, float | None]], unit: str = "") -> bytes:
    """A line chart of one or more yearly series, like the brief's figures."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.2), dpi=100)
    ax = fig.add_subplot()
    scale, label = (1e6, "USD millions") if unit == "USD" else (1, unit)
    for name, points in series.items():
        xs = [int(p) for p in points if p.isdigit() and points[p] is not None]
        ax.plot(xs, [points[str(x)] / scale for x in xs], marker="o", markersize=3, label=name)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(label, fontsize=8)
    ax.grid(alpha=0.3)
    if len(series) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()
