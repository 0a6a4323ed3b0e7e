# Shortcuts for developers; the README's two commands need nothing but Python.
.PHONY: demo test lint check bench

demo:
	.venv/bin/trendline run

test:
	.venv/bin/python -m pytest

lint:
	.venv/bin/ruff check .

check: lint test

bench:
	for b in embedded_run openalex_refresh snapshot_scan match_orgs; do .venv/bin/python -m benchmarks.$$b || exit 1; done
