"""`trendline match-orgs FILE.csv`: resolve the `affiliation` column to organisations."""

from __future__ import annotations

import csv
import sys

import click

from trendline.core import csvfile
from trendline.tasks.ingest.parsing.deal_rules import BadRow, numbered
from trendline.tasks.ingest.registry import registry
from trendline.tasks.resolve.match import build

COLUMNS = ["affiliation", "org_id", "org_name", "ror_id", "lists", "score", "rule"]


def read_affiliations(path: str) -> list[str]:
    """The `affiliation` column; raises click.ClickException with one clear line."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if "affiliation" not in (reader.fieldnames or ()):
                raise click.ClickException(f"{path}: no 'affiliation' column")
            names = []
            for line, row in numbered(reader):
                if isinstance(row, BadRow):
                    click.echo(f"trendline: {path}:{line}: skipped: {row.reason}", err=True)
                    continue
                names.append(row["affiliation"] or "")
            return names
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise click.ClickException(f"{path}: not a UTF-8 CSV file ({exc})") from None


@click.command("match-orgs")
@click.argument("file", type=click.Path(dir_okay=False))
def command(file: str) -> None:
    """Match the `affiliation` column of FILE (CSV) to organisations and watch-lists;
    write CSV to stdout. Distinct strings are resolved once."""
    try:
        names = read_affiliations(file)
    except click.ClickException as exc:
        click.echo(f"trendline: {exc.message}", err=True)
        sys.exit(2)
    orgs, entries = registry()
    matcher, _ = build(orgs.values(), entries)
    resolved = {name: matcher.resolve(name) for name in dict.fromkeys(names)}
    out = csvfile.writer(sys.stdout, lineterminator="\n")  # formula cells neutralised
    out.writerow(COLUMNS)
    for name in names:
        m = resolved[name]
        out.writerow([name, m.org_id or "", m.org_name or "", m.ror_id or "",
                      ";".join(m.lists), f"{m.score:.3f}", m.rule])
