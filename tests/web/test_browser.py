"""A real headless Chromium (Selenium with Debian's chromium and chromedriver) against
`trendline web` started as a subprocess on the demo store: what an analyst clicks, from
the overview to an evidence CSV, then signed in, an acknowledgement and a silence that the
CLI shows with the user's name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from mail_helpers import free_port
from services import need

from trendline.core import users
from trendline.core.db import make_engine, utcnow

BIN = Path(sys.executable).parent
CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
PASSWORD = "a long enough secret"


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRENDLINE_", "OPENALEX_"))}
    return {**env, "TRENDLINE_HOME": str(home), "PYTHONUNBUFFERED": "1"}


def cli(args: list[str], home: Path) -> bytes:
    done = subprocess.run([str(BIN / "trendline"), *args], env=env_for(home),
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


@pytest.fixture
def served(demo_store, home):
    """`trendline web` on a free loopback port over the demo store, with user alice."""
    engine = make_engine(f"sqlite:///{demo_store}")
    with engine.begin() as conn:
        users.add_user(conn, "alice", PASSWORD, utcnow())
    engine.dispose()
    port = free_port()
    proc = subprocess.Popen([str(BIN / "trendline"), "web", "--port", str(port)],
                            env=env_for(home), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.stdout.read().decode()
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            assert time.monotonic() < deadline, "trendline web never answered"
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def browser(tmp_path):
    need(CHROMIUM.is_file() and DRIVER.is_file(), "chromium and chromedriver",
         "apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                f"--user-data-dir={tmp_path / 'profile'}"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=opts)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    driver.implicitly_wait(5)
    driver.downloads = downloads
    yield driver
    driver.quit()


def downloaded(folder: Path, within: float = 30) -> Path:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == ".csv"]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no CSV downloaded into {folder}: {list(folder.iterdir())}")


def until(b, holds, seconds: float = 10) -> bool:
    """Whether `holds(driver)` comes true: a click on a form's button returns before the
    browser has loaded the page its POST redirects to."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        WebDriverWait(b, seconds).until(holds)
    except TimeoutException:
        return False
    return True


def test_an_analyst_reads_downloads_signs_in_acknowledges_and_silences(served, browser,
                                                                     demo_store, home):
    from selenium.webdriver.common.by import By

    b = browser
    b.get(served + "/")
    assert "Headline or trend line" in b.page_source
    b.find_element(By.CSS_SELECTOR, "td a[href*='/indicators/']").click()
    ind_id = b.current_url.removeprefix(served + "/indicators/")
    assert ind_id and "/" not in ind_id
    link = b.find_element(By.CSS_SELECTOR, "a[href*='/evidence?period=']")
    period = link.get_attribute("href").rsplit("period=", 1)[1]
    link.click()
    assert f"/indicators/{ind_id}/evidence?period={period}" in b.current_url
    assert "record(s)" in b.page_source
    b.find_element(By.LINK_TEXT, "CSV").click()
    csv = downloaded(b.downloads)
    assert csv.read_bytes() == cli(["evidence", ind_id, "--period", period, "--format",
                                    "csv"], home)

    engine = make_engine(f"sqlite:///{demo_store}")
    with engine.connect() as conn:
        first, second = conn.execute(sa.text(
            "select id from alerts where state = 'firing' order by id limit 2")).scalars()
    engine.dispose()
    b.get(served + "/alerts")
    b.find_element(By.LINK_TEXT, first).click()
    b.find_element(By.CSS_SELECTOR, "#actions a[href^='/login']").click()
    b.find_element(By.NAME, "name").send_keys("alice")
    b.find_element(By.NAME, "password").send_keys(PASSWORD)
    b.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
    assert until(b, lambda d: d.current_url == f"{served}/alerts/{first}"), "back on the alert"
    assert "alice" in b.find_element(By.CSS_SELECTOR, "header .who").text
    b.find_element(By.NAME, "note").send_keys("read the papers; a real rise")
    b.find_element(By.CSS_SELECTOR, "button[name='ack']").click()
    assert until(b, lambda d: "Acknowledged by alice" in d.page_source)

    b.get(served + "/alerts")
    b.find_element(By.LINK_TEXT, second).click()
    b.find_element(By.CSS_SELECTOR, "#silence-form input[name='reason']").send_keys(
        "known, reviewed in the weekly")
    b.find_element(By.CSS_SELECTOR, "button[name='silence']").click()
    assert until(b, lambda d: "(alice)" in d.page_source) and f"/alerts/{second}" in b.current_url

    shown = {a["id"]: a for a in json.loads(cli(["alerts", "--all", "--format", "json"], home))}
    assert shown[first]["acked_by"] == "alice"
    assert shown[first]["ack_note"] == "read the papers; a real rise"
    assert shown[second]["silence_author"] == "alice" and shown[second]["status"] == "silenced"
    assert shown[second]["why"] == "known, reviewed in the weekly"
