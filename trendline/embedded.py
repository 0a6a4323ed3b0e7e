"""Running flows from the CLI without a Prefect server to set up.

Unless PREFECT_API_URL points at a server, a one-shot command starts Prefect's temporary
API server (the same `uvicorn prefect.server.api.server:create_app` process that Prefect's
ephemeral mode starts, on SQLite in PREFECT_HOME) in the background, as its first step,
and stops it at the end. Prefect's own ephemeral start would first import the whole server
package in this process (~5 s) before launching it; starting it ourselves overlaps the
server's start with our imports and work, which keeps `trendline run` well inside 15 s.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from trendline.settings import Settings, apply_prefect_environment

# Server services a one-shot run has no use for: nothing to schedule, expire or clean up.
ONE_SHOT_IDLE = ("SCHEDULER", "LATE_RUNS", "FOREMAN", "CANCELLATION_CLEANUP",
                 "PAUSE_EXPIRATIONS", "TRIGGERS", "EVENT_LOGGER", "EVENT_PERSISTER")
STARTUP_SECONDS = 90.0


class TemporaryServer:
    """Prefect's API server in a subprocess on a free loopback port."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
        env.update({f"PREFECT_SERVER_SERVICES_{s}_ENABLED": "false" for s in ONE_SHOT_IDLE})
        env.pop("PREFECT_API_URL", None)
        self.log = Path(env.get("PREFECT_HOME", ".")) / "temporary-server.log"
        with open(self.log, "wb") as log:  # a file, not a pipe nobody drains
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory",
                 "prefect.server.api.server:create_app", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    tail = self.log.read_text(errors="replace")[-300:].strip()
                    raise RuntimeError(f"Prefect's temporary server exited ({self.log}): {tail}")
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise RuntimeError(f"Prefect's temporary server did not start in {timeout:.0f} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def prefect_session(settings: Settings) -> Iterator[Callable[[], None]]:
    """Yields `ready()`: call it after importing the flows, before running one. Flow
    heartbeats are off (they add ~1 s a flow and only matter to a long-lived server)."""
    apply_prefect_environment(settings)
    server = None if os.environ.get("PREFECT_API_URL") else TemporaryServer()
    try:
        from prefect.settings import (
            PREFECT_API_URL,
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
            temporary_settings,
        )

        updates = {PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
        if server:
            updates[PREFECT_API_URL] = server.api_url
        with temporary_settings(updates):
            yield server.wait_ready if server else (lambda: None)
    finally:
        if server:
            drain_prefect()  # ship pending logs and events while the server still listens
            server.stop()


def drain_prefect() -> None:
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=10)
