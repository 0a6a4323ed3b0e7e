"""trendline refresh [NAME...]: refresh source families or single sources."""

from __future__ import annotations

import sys

import click

from trendline.cli.commands._flows import echo_refresh, run_flow

FAMILIES = ("watchlists", "publications", "deals")


@click.command("refresh")
@click.argument("names", nargs=-1)
@click.option(
    "--source",
    "publications",
    type=click.Choice(["demo", "openalex"]),
    default=None,
    help="Where publications come from this time (default: sources.publications).",
)
@click.option("--accept-shrink", is_flag=True,
              help="Confirm a watch-list refresh that removes more than "
              "sources.screening_list.max_removed_share of a list (held back otherwise).")
def command(names: tuple[str, ...], publications: str | None, accept_shrink: bool) -> None:
    """Refresh sources. NAMES are families (watchlists, publications, deals) or source
    names (e.g. openalex, screening_list); none means every family."""
    from trendline.tasks.ingest.sources import all_sources

    sources = all_sources()
    unknown = [n for n in names if n not in FAMILIES and n not in sources]
    if unknown:
        known = ", ".join(FAMILIES + tuple(sources))
        raise click.UsageError(f"unknown source {', '.join(unknown)}; choose from {known}")
    families = [f for f in FAMILIES if not names or f in names
                or any(sources[n].family == f for n in names if n in sources)]
    named = [n for n in names if n in sources]
    only = None if any(n in FAMILIES for n in names) else (named or None)

    def load():
        from trendline.flows.refresh import refresh

        return refresh

    from trendline.cli import context

    with context.exclusive():
        outcomes = run_flow(load, sources=only, families=families, publications=publications,
                            accept_shrink=accept_shrink)
    click.echo(f"Refreshed {len(outcomes)} source(s):")
    echo_refresh(outcomes)
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)
