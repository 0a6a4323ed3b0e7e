"""Watch-list indicators: pure functions from frames to results, one module per family."""
