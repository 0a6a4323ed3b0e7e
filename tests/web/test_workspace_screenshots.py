"""The workspace as a reader sees it: `trendline web` served on a loopback port over the
demo store, opened by headless Chromium (Debian's chromium and chromedriver, through
Selenium) at 1280 px and at 400 px (a phone, by device emulation: headless windows are
at least 500 px wide). Nothing may overflow 400 px, and no screenshot may be blank.

`UPDATE_DOCS_SCREENSHOTS=1` writes the screenshots to docs/ (shown in the README)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from services import need

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
SHOTS = {"overview": "/", "indicator": "/indicators/research.joint_output",
         "alert": "/alerts/85de238bf0c4"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(demo_store, home):
    """`trendline web` in its own process over the demo store; its base URL."""
    port = free_port()
    cli = Path(sys.executable).with_name("trendline")
    proc = subprocess.Popen([str(cli), "web", "--host", "127.0.0.1", "--port", str(port)],
                            env={**os.environ, "TRENDLINE_HOME": str(home)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"trendline web exited: {proc.stdout.read().decode()[:500]}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def browser():
    need(Path(CHROMIUM).exists() and Path(DRIVER).exists(), "chromium and chromedriver",
         "apt-get install -y chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--window-size=1280,1000"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    try:
        yield driver
    finally:
        driver.quit()


def show(driver, url: str, width: int) -> tuple[int, int]:
    """Open `url` as if the screen were `width` px wide; (scroll width, page height)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.get(url)
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    return int(scroll), int(height)


def assert_not_blank(png: Path, width: int) -> None:
    from PIL import Image

    img = Image.open(png).convert("RGB")
    assert img.width == width
    small = img.resize((max(1, img.width // 4), max(1, img.height // 4)))
    pixels = list(small.getdata())
    ink = sum(1 for p in pixels if sum(p) < 600) / len(pixels)
    assert ink > 0.01, f"{png} is blank ({ink:.1%} ink)"


@pytest.mark.parametrize("width", [1280, 400])
def test_pages_fit_and_screenshots(served, browser, tmp_path, width):
    for name, path in SHOTS.items():
        scroll, height = show(browser, served + path, width)
        assert scroll <= width, f"{path} overflows {width} px: scrollWidth {scroll}"
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": min(height, 2400), "deviceScaleFactor": 1,
            "mobile": width < 600})
        shot = tmp_path / f"web-{name}-{width}.png"
        browser.save_screenshot(str(shot))
        assert_not_blank(shot, width)
        if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
            shutil.copy(shot, ROOT / "docs" / shot.name)


FITTED = ["/alerts?status=all", "/indicators/research.joint_output/evidence?period=2019",
          "/indicators/investment.disclosed_flow", "/organisations",
          "/organisations/ror:040b32p69", "/changes", "/sources"]


def test_every_other_page_fits_400_px(served, browser):
    for path in FITTED:
        scroll, _ = show(browser, served + path, 400)
        assert scroll <= 400, f"{path} overflows 400 px: scrollWidth {scroll}"
