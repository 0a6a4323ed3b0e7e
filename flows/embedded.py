"""Running flows from the CLI without a Prefect server to set up.

Unless PREFECT_API_URL points at a server, a one-shot command starts Prefect's temporary
API server (the same `uvicorn prefect.server.api.server:create_app` process that Prefect's
ephemeral mode starts, on SQLite in PREFECT_HOME) in the background, as its first step,
and stops it at the end. Prefect's own ephemeral start would first import the whole server
package in this process (~5 s) before launching it; starting it ourselves overlaps the
server's start with our imports and work, which keeps `trendline run` well inside 15 s.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from trendline.core.procs import die_with_parent
from trendline.core.settings import Settings, apply_prefect_environment

# Server services a one-shot run has no use for: nothing to schedule, expire or clean up.
ONE_SHOT_IDLE = ("SCHEDULER", "LATE_RUNS", "FOREMAN", "CANCELLATION_CLEANUP",
                 "PAUSE_EXPIRATIONS", "TRIGGERS", "EVENT_LOGGER", "EVENT_PERSISTER")
STARTUP_SECONDS = 90.0
PORT_ATTEMPTS = 3
SERVER_MODULE = "prefect.server.api.server:create_app"

# The child's entry point: a watchdog thread ends the server as soon as its parent is gone
# (the parent-death signal below does it at once on Linux; this covers the rest), then
# uvicorn runs as `python -m uvicorn` would.
CHILD = """
import os, sys, threading, time
parent = int(sys.argv[1])
def watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()
sys.argv = ["uvicorn", *sys.argv[2:]]
from uvicorn.main import main
main()
"""


def _die_with_parent(parent: int) -> Callable[[], None]:
    """preexec_fn: SIGTERM when the parent dies (Linux), the watchdog thread elsewhere."""
    return functools.partial(die_with_parent, parent, signal.SIGTERM)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_server(pid: int) -> bool:
    """Pid reuse guard: the process must still be a Prefect API server."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():
        return _alive(pid)
    try:
        return SERVER_MODULE.encode() in cmdline.read_bytes()
    except OSError:
        return False


def _pid_folder() -> Path:
    folder = Path(os.environ.get("PREFECT_HOME", ".")) / "temporary-servers"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def end_stale_servers(wait: float = 10.0) -> list[int]:
    """End the temporary servers a killed run left behind (their parent is gone), before
    a new one migrates the same Prefect database. Returns the pids ended."""
    ended = []
    for entry in _pid_folder().glob("*.pid"):
        try:
            pid = int(entry.stem)
            parent = int(entry.read_text().split()[0])
        except (ValueError, IndexError, OSError):
            entry.unlink(missing_ok=True)
            continue
        if not _alive(pid) or not _is_server(pid):
            entry.unlink(missing_ok=True)
            continue
        if _alive(parent):
            continue  # a live run's server
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + wait
        while _alive(pid) and _is_server(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid) and _is_server(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        entry.unlink(missing_ok=True)
        ended.append(pid)
    return ended


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TemporaryServer:
    """Prefect's API server in a subprocess on a free loopback port. It dies with its
    parent, leaves a pid file in PREFECT_HOME/temporary-servers while it runs, and moves to
    another port when the one it was given was taken meanwhile."""

    def __init__(self) -> None:
        end_stale_servers()
        self.env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
        self.env.update({f"PREFECT_SERVER_SERVICES_{s}_ENABLED": "false" for s in ONE_SHOT_IDLE})
        self.env.pop("PREFECT_API_URL", None)
        self.log = Path(self.env.get("PREFECT_HOME", ".")) / "temporary-server.log"
        self.attempts = 0
        self._start()

    def _start(self) -> None:
        self.attempts += 1
        self.port = _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        with open(self.log, "wb") as log:  # a file, not a pipe nobody drains
            self.process = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(os.getpid()), "--factory", SERVER_MODULE,
                 "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error",
                 "--lifespan", "on"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent(os.getpid()) if os.name == "posix" else None,
            )
        self.pid_file = _pid_folder() / f"{self.process.pid}.pid"
        self.pid_file.write_text(f"{os.getpid()} {self.port}\n")

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    tail = self.log.read_text(errors="replace")[-300:].strip()
                    self.pid_file.unlink(missing_ok=True)
                    if "address already in use" in tail.lower() and (
                        self.attempts < PORT_ATTEMPTS
                    ):
                        self._start()  # the port was taken between choosing and binding
                        continue
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
        self.pid_file.unlink(missing_ok=True)


@contextmanager
def prefect_session(settings: Settings) -> Iterator[Callable[[], None]]:
    """Yields `ready()`: call it after importing the flows, before running one; it points
    Prefect at the server once that answers (on the port it finally bound). Flow
    heartbeats are off (they add ~1 s a flow and only matter to a long-lived server)."""
    apply_prefect_environment(settings)
    server = None if os.environ.get("PREFECT_API_URL") else TemporaryServer()
    with contextlib.ExitStack() as stack:
        try:
            from prefect.settings import (
                PREFECT_API_URL,
                PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
                temporary_settings,
            )

            stack.enter_context(temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}))

            def ready() -> None:
                if server:
                    server.wait_ready()
                    stack.enter_context(temporary_settings({PREFECT_API_URL: server.api_url}))

            yield ready
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
