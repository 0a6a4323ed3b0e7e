"""`trendline verdict FILE.csv`: headline or trend line, per series of a CSV file.

The file has columns `series,period,value` (periods are years; an empty value is unknown
and is dropped, never read as zero). Anything else malformed stops the command with exit
code 2 and one line naming the file, the line and the field."""

from __future__ import annotations

import csv
import math
import re
import sys

import click

from trendline.cli import context
from trendline.cli.commands._output import FORMAT, emit_json, table

COLUMNS = ["series", "period", "value"]
SHOWN = ["series", "verdict", "growth", "growth_low", "growth_high", "change_points"]


class CsvError(Exception):
    """One line: file:line: field: reason."""


def read_series(path: str, kind: str | None) -> list[tuple[str, int, float | None]]:
    """Rows of (series, period, value) from a CSV file, checked strictly."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = reader.fieldnames or []
            for col in COLUMNS:
                if col not in fields:
                    raise CsvError(f"{path}:1: {col}: missing column")
            rows: list[tuple[str, int, float | None]] = []
            seen: dict[tuple[str, int], int] = {}
            for row in reader:
                line = reader.line_num
                for col in COLUMNS:
                    if row.get(col) is None:
                        raise CsvError(f"{path}:{line}: {col}: missing field")
                series = row["series"].strip()
                if not series:
                    raise CsvError(f"{path}:{line}: series: empty")
                period = _period(path, line, row["period"])
                value = _value(path, line, row["value"], kind)
                first = seen.setdefault((series, period), line)
                if first != line:
                    raise CsvError(
                        f"{path}:{line}: period: {period} repeats line {first} "
                        f"for series {series!r}"
                    )
                rows.append((series, period, value))
            return rows
    except OSError as exc:
        raise CsvError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CsvError(f"{path}: not a UTF-8 CSV file ({exc})") from None


def _period(path: str, line: int, text: str) -> int:
    t = text.strip()
    if not re.fullmatch(r"[+-]?\d+", t):
        raise CsvError(f"{path}:{line}: period: not a whole number: {text!r}")
    return int(t)


def _value(path: str, line: int, text: str, kind: str | None) -> float | None:
    t = text.strip()
    if not t:
        return None
    try:
        v = float(t)
    except ValueError:
        raise CsvError(f"{path}:{line}: value: not a number: {text!r}") from None
    if not math.isfinite(v):
        raise CsvError(f"{path}:{line}: value: not a finite number: {text!r}")
    if kind == "count" and v < 0:
        raise CsvError(f"{path}:{line}: value: negative count: {text!r}")
    return v


def _span(text: str | None, option: str) -> tuple[int, int] | None:
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{4})\s*", text)
    if not m or int(m[1]) > int(m[2]):
        raise CsvError(f"{option}: expected START-END years, e.g. 2020-2025, not {text!r}")
    return int(m[1]), int(m[2])


def _pct(v: float | None) -> str | None:
    return None if v is None else f"{v * 100:+.1f}%"


@click.command("verdict")
@click.argument("file", type=click.Path(dir_okay=False))
@FORMAT
@click.option(
    "--kind",
    type=click.Choice(["count", "amount", "share"]),
    default=None,
    help="count: quasi-Poisson fit; amount/share: Theil-Sen fit "
    "(default: count when every known value of a series is a whole number)",
)
@click.option("--window", default=None, help="fit only these years, e.g. 2020-2025")
@click.option(
    "--brief-window", default=None, help="also fit these years and compare, e.g. 2010-2019"
)
@click.option(
    "--flat-band", type=float, default=None,
    help="flat: the 95%% CI within +-this a year (default: verdicts.flat_band, 0.10)",
)
def command(file: str, fmt: str, kind: str | None, window: str | None,
            brief_window: str | None, flat_band: float | None) -> None:
    """Headline or trend line? Reads FILE (CSV: series,period,value; empty value = unknown)
    and prints per series a verdict (trend, decline, headline, flat, unclear, insufficient:
    too short to judge), the growth a year with its 95% CI, change points and a one-line
    explanation."""
    try:
        win, brief = _span(window, "--window"), _span(brief_window, "--brief-window")
        if flat_band is not None and not 0 < flat_band < 1:
            raise CsvError(f"--flat-band: expected a fraction between 0 and 1, e.g. 0.10, "
                           f"not {flat_band:g}")
        rows = read_series(file, kind)
    except CsvError as exc:
        click.echo(f"trendline: {exc}", err=True)
        sys.exit(2)
    if flat_band is None:
        flat_band = context.settings().verdicts.flat_band

    import pandas as pd

    from trendline.indicators.verdict import verdicts
    from trendline.indicators.verdict_words import word

    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["value"] = frame["value"].astype(float)
    result = verdicts(frame, kind=kind, window=win, brief_window=brief, flat_band=flat_band)
    records = [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        for r in result.to_dict(orient="records")
    ]
    if fmt == "json":
        emit_json(records)
        return
    shown = [
        {
            **r,
            "verdict": word(r["verdict"]),
            "growth": _pct(r["growth"]),
            "growth_low": _pct(r["growth_low"]),
            "growth_high": _pct(r["growth_high"]),
            "change_points": ",".join(str(p) for p in r["change_points"]) or None,
        }
        for r in records
    ]
    table(shown, SHOWN)
    if records:
        click.echo("")
        for r in records:
            click.echo(f"{r['series']}: {r['explanation']}")
