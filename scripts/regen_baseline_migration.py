"""Regenerate the baseline migration from trendline/schema/ (before the first release only;
after it, add migrations with `alembic revision --autogenerate`).

    python scripts/regen_baseline_migration.py
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402

from trendline.core.db import MIGRATIONS, alembic_config  # noqa: E402

BASELINE = "0002"  # 0001 was the first turn's schema: stores made with it are refused by name
for old in (MIGRATIONS / "versions").glob("000*_*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as tmp:
    command.revision(
        alembic_config(f"sqlite:///{tmp}/empty.db"),
        message="baseline schema",
        autogenerate=True,
        rev_id=BASELINE,
    )
