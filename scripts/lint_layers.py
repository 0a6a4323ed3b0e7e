"""Run `lint-imports` (the contracts in pyproject.toml) on the `trendline` namespace as it
installs: the stage folders at the top of the checkout (`tasks/`, `flows/`,
`indicators/`) sit inside `trendline/` in the wheel, so the linter reads a view of the
checkout in that shape (symbolic links in a temporary folder). Exit status: lint-imports'.

    python -m scripts.lint_layers [CHECKOUT]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

STAGES = ("tasks", "flows", "indicators")


def namespace_view(checkout: Path, into: Path) -> Path:
    """`into/trendline/` holding the package's own entries and the stage folders."""
    pkg = into / "trendline"
    pkg.mkdir()
    for entry in (checkout / "trendline").iterdir():
        if entry.name != "__pycache__":
            (pkg / entry.name).symlink_to(entry.resolve())
    for stage in STAGES:
        (pkg / stage).symlink_to((checkout / stage).resolve())
    return into


def lint(checkout: Path) -> subprocess.CompletedProcess:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    with tempfile.TemporaryDirectory() as tmp:
        view = namespace_view(checkout, Path(tmp))
        env = {**os.environ, "PYTHONPATH": str(view)}
        return subprocess.run(
            [str(lint_imports), str(checkout / "pyproject.toml"), "--no-cache"],
            cwd=view, env=env, capture_output=True, text=True)


def main() -> int:
    checkout = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
    done = lint(checkout)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
