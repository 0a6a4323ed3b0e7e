"""trendline web: the browser workspace over the store."""

from __future__ import annotations

import click

from trendline.cli import context


@click.command("web")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def command(host: str, port: int) -> None:
    """Serve the workspace: the overview, every indicator with its evidence, alerts with
    acknowledgements and silences, organisations, changes and sources."""
    import uvicorn

    from trendline.web.app import create_app

    app = create_app(context.resources())
    click.echo(f"Trendline workspace on http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
