"""A non-editable install: build a wheel, install it into a fresh virtual environment (its
dependencies come from the test environment's site-packages, added by a .pth file, so no
index is needed), and run `trendline run` from another directory."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from procs_helpers import clean_env, no_leftovers

ROOT = Path(__file__).resolve().parents[2]


def test_a_wheel_installed_elsewhere_runs_the_demo(tmp_path):
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(dist.glob("trendline-*.whl"))
    names = subprocess.run([sys.executable, "-m", "zipfile", "-l", str(wheel)],
                           capture_output=True, text=True).stdout
    for inside in ("trendline/_bundled/trendline.toml", "trendline/_bundled/templates/",
                   "trendline/_bundled/data/demo/", "trendline/core/migrations/versions/0002_",
                   "trendline/tasks/pipeline.py", "trendline/flows/pipeline.py",
                   "trendline/indicators/base.py"):
        assert inside in names, inside
    with zipfile.ZipFile(wheel) as whl:  # one top-level package: no `tasks` of anyone else's
        tops = {name.split("/", 1)[0] for name in whl.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"trendline"}, tops

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], capture_output=True, text=True).stdout.strip()
    # the test environment's packages (not its editable Trendline: a plain path entry does
    # not run that folder's .pth files) after the venv's own
    Path(purelib, "deps-from-test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q",
         str(wheel)], capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = "import trendline.core.settings as s; print(s.DATA_DIR)"
    where = subprocess.run([str(py), "-c", probe],
                           capture_output=True, text=True, cwd=elsewhere).stdout
    assert where.startswith(purelib), where  # the wheel's data, not the checkout's
    home = elsewhere / "state"
    run = subprocess.run([str(venv / "bin" / "trendline"), "run"], env=clean_env(home),
                         cwd=elsewhere, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "Indicators evaluated: 25" in run.stdout
    report = Path(run.stdout.split("Report: ")[1].strip())
    report = report if report.is_absolute() else elsewhere / report
    assert report.is_file() and "<html" in report.read_text(encoding="utf-8").lower()
    assert not no_leftovers(home)
