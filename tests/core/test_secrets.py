"""A store's own secrets: made once, the same for every process that asks."""

from __future__ import annotations

from trendline.core.secrets import store_secret


def test_a_store_secret_is_made_once_and_kept(engine):
    first = store_secret(engine, "session")
    assert len(first) == 32
    assert store_secret(engine, "session") == first  # kept, not made again
    assert store_secret(engine, "targets") != first  # one secret per name
