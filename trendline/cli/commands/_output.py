"""Shared output helpers for commands: tables for people (Rich: wrapped at word
boundaries, never cut mid-word), JSON for scripts."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from typing import Any

import click

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for scripts",
)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_default))


def _default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@dataclass(frozen=True)
class Col:
    """A table column: the row key, its header, and whether it may wrap."""

    key: str
    header: str = ""
    wrap: bool = False  # prose wraps between words; ids and numbers never break
    justify: str = "left"


def table(rows: list[dict], columns: list[str | Col]) -> None:
    """Rows as a Rich table as wide as the terminal (120 columns when not a terminal)."""
    if not rows:
        click.echo("(none)")
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cols = [c if isinstance(c, Col) else Col(c) for c in columns]
    needed = 0
    out = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, header_style="bold")
    for c in cols:
        cells = [_cell(r.get(c.key)) for r in rows]
        header = c.header or c.key.upper()
        longest = max((len(w) for v in [*cells, header] for w in v.split()), default=0)
        needed += (min(longest, 12) if c.wrap else max(len(v) for v in [*cells, header])) + 2
        out.add_column(
            Text(header), justify=c.justify,  # type: ignore[arg-type]
            no_wrap=not c.wrap, overflow="fold",
            min_width=min(longest, 12) if c.wrap else None,  # words stay whole
        )
    for r in rows:
        out.add_row(*(Text(_cell(r.get(c.key))) for c in cols))  # record text, never markup
    width = shutil.get_terminal_size((120, 24)).columns
    console = Console(width=max(width, 80), highlight=False, soft_wrap=False,
                      force_terminal=False, color_system=None)
    if needed > console.width:  # too narrow: one block per row
        for r in rows:
            click.echo("")
            for c in cols:
                click.echo(f"{c.header or c.key.upper()}: {_cell(r.get(c.key))}")
        return
    with console.capture() as cap:
        console.print(out)
    click.echo(cap.get().rstrip("\n"))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)
