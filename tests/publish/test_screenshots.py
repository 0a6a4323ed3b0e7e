"""The weekly summary and an alert email as a reader sees them: rendered by headless
Chromium (Debian's `chromium`) at 1280 px and at 400 px (a phone). The screenshots must
not be blank and nothing may overflow the viewport's width.

`UPDATE_DOCS_SCREENSHOTS=1` also copies the 1280 px screenshots to docs/ (shown in the
README)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from services import need

from trendline.core import schema
from trendline.core.db import make_engine, utcnow
from trendline.tasks.publish.weekly import build_weekly

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM = shutil.which("chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
PROBE = ('<script>addEventListener("load",function(){var d=document.documentElement;'
         'parent.postMessage("W="+d.scrollWidth+" V="+d.clientWidth,"*");});</script>')


def chromium(profile: Path, *args: str) -> str:
    out = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                         capture_output=True, text=True, timeout=120)
    return out.stdout


def widths(page: Path, width: int, profile: Path) -> tuple[int, int]:
    """(document scroll width, viewport width) of `page` shown `width` px wide. Headless
    windows are at least 500 px wide, so the page sits in an iframe of that width and
    posts its measurement to the frame, which writes it into its title."""
    probe = page.with_name(f"probe-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    frame = page.with_name(f"frame-{width}-{page.name}")
    frame.write_text(
        f'<html><body style="margin:0"><iframe src="{probe.name}" '
        f'style="width:{width}px;height:900px;border:0"></iframe><script>'
        'addEventListener("message",function(e){document.title=e.data;});</script>'
        "</body></html>", encoding="utf-8")
    dom = chromium(profile, "--window-size=1300,1000", "--virtual-time-budget=8000",
                   "--dump-dom", frame.as_uri())
    found = re.search(r"<title>W=(\d+) V=(\d+)</title>", dom)
    assert found, f"no measurement from {frame}: {dom[:300]}"
    return int(found[1]), int(found[2])


def screenshot(page: Path, width: int, out: Path, profile: Path) -> Path:
    chromium(profile, f"--window-size={width},1800", f"--screenshot={out}", page.as_uri())
    assert out.is_file(), f"chromium wrote no screenshot of {page}"
    return out


def assert_not_blank(png: Path, width: int) -> None:
    from PIL import Image

    img = Image.open(png).convert("RGB")
    assert img.width == width
    small = img.resize((img.width // 4, img.height // 4))
    pixels = list(small.getdata())
    ink = sum(1 for p in pixels if sum(p) < 600) / len(pixels)
    assert ink > 0.02, f"{png} is blank ({ink:.1%} ink)"
    assert len(set(pixels)) > 20, f"{png} has almost no colours"


@pytest.fixture
def pages(demo_store, settings, tmp_path) -> dict[str, Path]:
    """The weekly summary file (charts beside it: its cid: references rewritten to the
    attachment files) and the alert email's HTML as queued in the outbox."""
    engine = make_engine(settings.database_url)
    summary, _ = build_weekly(engine, settings, utcnow())
    with engine.connect() as conn:
        alert_html = conn.execute(
            sa.select(schema.outbox.c.body_html).where(schema.outbox.c.tag == "alerts")
        ).scalar_one()
    alert = tmp_path / "alert-email.html"
    alert.write_text(alert_html, encoding="utf-8")
    assert "cid:" not in summary.read_text(encoding="utf-8")
    return {"weekly": summary, "alert": alert}


@pytest.mark.parametrize("width", [1280, 400])
def test_emails_render_without_overflow(pages, tmp_path, width):
    need(CHROMIUM is not None, "chromium (headless)", "apt-get install -y chromium")
    profile = tmp_path / "profile"
    for name, page in pages.items():
        scroll, viewport = widths(page, width, profile)
        assert viewport <= width and scroll <= viewport, \
            f"{name} overflows at {width} px: {scroll} > {viewport}"
        shot = screenshot(page, width, tmp_path / f"{name}-{width}.png", profile)
        assert_not_blank(shot, width)
        if width == 1280 and os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
            shutil.copy(shot, ROOT / "docs" / f"{name}-{width}.png")
