"""One pipeline at a time per store: a lock file on SQLite, an advisory lock on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest
from click.testing import CliRunner

from trendline.cli import main
from trendline.core.locks import StoreBusy, store_lock
from trendline.core.settings import load_settings


def hold(url: str) -> subprocess.Popen:
    """Another process holding the store's lock until its stdin closes."""
    code = textwrap.dedent(
        f"""
        import sys
        from trendline.core.locks import store_lock
        with store_lock({url!r}):
            print("held", flush=True)
            sys.stdin.read()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def release(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(10)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_second_holder_is_refused_and_a_waiter_gets_it_after(home, dialect, request):
    url = load_settings().database_url if dialect == "sqlite" else request.getfixturevalue("pg_url")
    other = hold(url)
    try:
        with pytest.raises(StoreBusy, match="another run holds the store"):
            with store_lock(url):
                pass
        got = []

        def wait_for_it():
            with store_lock(url, wait=True):
                got.append(True)

        waiter = threading.Thread(target=wait_for_it)
        waiter.start()
        time.sleep(1)
        assert got == []
    finally:
        release(other)
    waiter.join(10)
    assert got == [True]


def test_the_lock_goes_with_a_killed_holder(home):
    url = load_settings().database_url
    other = hold(url)
    other.kill()
    other.wait()
    with store_lock(url):
        pass


def test_a_second_trendline_run_says_so_in_one_line_and_exits_1(home):
    other = hold(load_settings().database_url)
    try:
        result = CliRunner().invoke(main, ["run"])
    finally:
        release(other)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "another run holds the store sqlite" in lines[0], result.output
    assert "pid" in lines[0]


def test_the_same_process_may_take_the_lock_twice(home):
    url = load_settings().database_url
    with store_lock(url), store_lock(url):
        pass
