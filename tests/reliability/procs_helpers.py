"""Helpers of the reliability suite: the CLI in a subprocess, with a private state folder,
and the processes it left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRENDLINE_", "OPENALEX_", "PREFECT_"))}
    env.update(TRENDLINE_HOME=str(home), PYTHONUNBUFFERED="1", **extra)
    return env


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
