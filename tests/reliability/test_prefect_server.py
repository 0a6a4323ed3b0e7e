"""Prefect's temporary server dies with its parent; a stale one is ended; a taken port is
retried."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from trendline.flows import embedded


def gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie is gone too
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split()[2] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.1)
    return False


def test_the_server_dies_when_its_parent_is_killed(tmp_path):
    code = textwrap.dedent(
        """
        import sys, time
        from trendline.flows.embedded import TemporaryServer
        server = TemporaryServer()
        print(server.process.pid, flush=True)
        time.sleep(60)
        """
    )
    env = {**os.environ, "PREFECT_HOME": str(tmp_path)}
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env)
    child = int(parent.stdout.readline())
    time.sleep(1.0)  # the child is importing uvicorn and Prefect
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert gone(child, 10), "the temporary server outlived its parent"


def test_a_stale_server_from_a_killed_run_is_ended(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    stale = subprocess.Popen(  # looks like a server (its command line names the module)
        [sys.executable, "-c", "import time; time.sleep(60)", embedded.SERVER_MODULE],
        start_new_session=True,
    )
    dead_parent = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_parent.wait()
    folder = tmp_path / "temporary-servers"
    folder.mkdir()
    (folder / f"{stale.pid}.pid").write_text(f"{dead_parent.pid} 1234\n")
    live = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", embedded.SERVER_MODULE])
    (folder / f"{live.pid}.pid").write_text(f"{os.getpid()} 1235\n")  # its parent lives
    for proc in (stale, live):  # until exec is done, /proc shows the parent's command line
        deadline = time.monotonic() + 10
        while embedded.SERVER_MODULE not in Path(f"/proc/{proc.pid}/cmdline").read_text(
                errors="replace") and time.monotonic() < deadline:
            time.sleep(0.05)
    try:
        assert embedded.end_stale_servers() == [stale.pid]
        assert stale.wait(5) is not None and live.poll() is None
        assert sorted(p.name for p in folder.iterdir()) == [f"{live.pid}.pid"]
    finally:
        live.kill()
        live.wait()


def test_a_port_taken_meanwhile_is_retried_on_another(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    monkeypatch.setattr(embedded, "SERVER_MODULE", "procs_helpers:health_app")
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    ports = iter([taken.getsockname()[1]])
    real = embedded._free_port
    monkeypatch.setattr(embedded, "_free_port", lambda: next(ports, None) or real())
    server = embedded.TemporaryServer()
    try:
        server.wait_ready()
        assert server.attempts == 2 and server.port != taken.getsockname()[1]
    finally:
        server.stop()
        taken.close()
    assert not list((tmp_path / "temporary-servers").iterdir())
