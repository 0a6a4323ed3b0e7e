"""The one CSV writer: every CSV Trendline writes (evidence files, watch-list changes,
rejected rows, `trendline evidence --format csv`, `match-orgs`) goes through it.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
return before them) as a formula, so a record named `=HYPERLINK(...)` could act in the
analyst's spreadsheet. Text cells that begin so get a leading apostrophe, which makes
them text (as OWASP advises for CSV injection); numbers stay numbers, and so does text
that is only a number (`-12.5`)."""

from __future__ import annotations

import csv
import math
import numbers
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from trendline.core.files import atomic_open

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """A value as it goes into a CSV cell: missing values empty, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return "" if isinstance(value, float) and math.isnan(value) else value
    text = str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class Writer:
    """csv.writer with every cell neutralised."""

    def __init__(self, fh: IO[str], lineterminator: str = "\r\n"):
        self._w = csv.writer(fh, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(fh: IO[str], lineterminator: str = "\r\n") -> Writer:
    return Writer(fh, lineterminator)


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[Any]]) -> Path:
    """A whole CSV file (written atomically: trendline.core.files)."""
    with atomic_open(path, "w", newline="") as fh:
        w = writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return Path(path)


def write_frame(fh: IO[str], frame) -> None:
    """A pandas DataFrame as CSV (header, then its rows), every cell neutralised."""
    w = writer(fh, lineterminator="\n")
    w.writerow(frame.columns)
    w.writerows(frame.itertuples(index=False, name=None))
