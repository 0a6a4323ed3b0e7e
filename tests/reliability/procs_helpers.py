"""Helpers of the reliability suite: the CLI in a subprocess, with a private state folder,
and the processes it left behind."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


_PREFECT_HOME: list[Path] = []


def shared_prefect_home() -> Path:
    """One PREFECT_HOME for every `trendline run` of the suite: Prefect migrates its
    database once (~10 s) instead of once per test."""
    if not _PREFECT_HOME:
        path = Path(tempfile.mkdtemp(prefix="trendline-reliability-prefect-"))
        atexit.register(shutil.rmtree, path, True)
        _PREFECT_HOME.append(path)
    return _PREFECT_HOME[0]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRENDLINE_", "OPENALEX_", "PREFECT_"))}
    env.update(TRENDLINE_HOME=str(home), PYTHONUNBUFFERED="1",
               PREFECT_HOME=str(shared_prefect_home()), **extra)
    return env


def health_app():
    """A stand-in for Prefect's API server (uvicorn --factory) where only the server's
    life cycle is under test: it answers /api/health and starts in a fraction of a second."""

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"true"})

    return app


def trendline(args: list[str], env: dict, cwd: Path | None = None,
              timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "trendline"), *args], env=env, cwd=cwd, timeout=timeout,
                          capture_output=True, text=True)


def start(args: list[str], env: dict, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "trendline"), *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the command itself (not its process group): what it started must end on its
    own."""
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def leftovers(home: Path) -> list[str]:
    """Live processes started for this state folder (they inherit TRENDLINE_HOME or a
    PREFECT_HOME inside it): Prefect servers, pool workers."""
    marker = str(home).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in environ and state != "Z":
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name}: {cmd[:120]}")
    return found


def no_leftovers(home: Path, within: float = 8.0) -> list[str]:
    deadline = time.monotonic() + within
    while True:
        left = leftovers(home)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)
