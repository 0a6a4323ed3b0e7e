"""Services a user's machine may lack (PostgreSQL, Chromium): a test skips without one,
saying how to enable it; in CI (TRENDLINE_REQUIRE_SERVICES=1) it fails instead."""

from __future__ import annotations

import os

import pytest

REQUIRE = os.environ.get("TRENDLINE_REQUIRE_SERVICES") == "1"


def need(available: bool, what: str, how: str) -> None:
    """Skip when a service is missing on a user's machine; fail in CI, where
    TRENDLINE_REQUIRE_SERVICES=1 says it must be there."""
    if available:
        return
    if REQUIRE:
        pytest.fail(f"{what} is required here (TRENDLINE_REQUIRE_SERVICES=1) but missing: {how}")
    pytest.skip(f"{what} not available; to run this test: {how}")
