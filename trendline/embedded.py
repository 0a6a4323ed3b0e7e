"""Running flows from the CLI: Prefect's embedded (ephemeral) mode unless PREFECT_API_URL
points at a server."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from trendline.settings import Settings, apply_prefect_environment


@contextmanager
def prefect_session(settings: Settings) -> Iterator[None]:
    """Prefect's home in the state folder, quiet logs, no telemetry; no flow heartbeats for
    one-shot runs (they add ~1 s a flow and only matter to a long-lived server). The
    temporary API server starts in the background while the caller imports its flows."""
    apply_prefect_environment(settings)
    starting = None
    if not os.environ.get("PREFECT_API_URL"):
        from prefect.server.api.server import SubprocessASGIServer

        starting = threading.Thread(target=SubprocessASGIServer().start, daemon=True)
        starting.start()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield starting.join if starting else (lambda: None)
