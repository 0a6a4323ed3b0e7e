"""Packaging: one top-level package, `trendline`. The stage folders the design keeps at the
top of the checkout (`tasks/`, `flows/`, `indicators/`) install inside it as
`trendline.tasks`, `trendline.flows` and `trendline.indicators` (setuptools `package_dir`),
so the wheel owns no other top-level name. The `data/` and `templates/` folders and the
default `trendline.toml` are copied into the wheel as `trendline/_bundled/...`, where
trendline.core.settings finds them with importlib.resources; an editable install reads
them from the checkout instead."""

import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("data", "templates", "trendline.toml")
STAGES = {"trendline.tasks": "tasks", "trendline.flows": "flows",
          "trendline.indicators": "indicators"}


def packages() -> list[str]:
    found = ["trendline", *(f"trendline.{p}" for p in find_packages("trendline"))]
    for name, folder in STAGES.items():
        found += [name, *(f"{name}.{p}" for p in find_packages(folder))]
    return found


class BuildWithData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # editable: settings reads the checkout
        target = Path(self.build_lib) / "trendline" / "_bundled"
        for name in BUNDLED:
            src, dst = HERE / name, target / name
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            elif src.is_file():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)


setup(packages=packages(), package_dir={"trendline": "trendline", **STAGES},
      cmdclass={"build_py": BuildWithData})
