"""Packaging hook: the top-level `data/` and `templates/` folders and the default
`trendline.toml` (where the design keeps them) are copied into the wheel as
`trendline/_bundled/...`, where trendline.settings finds them with importlib.resources.
An editable install reads them from the checkout instead."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("data", "templates", "trendline.toml")


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


setup(cmdclass={"build_py": BuildWithData})
