"""Prefect-free building blocks: sources, store, matching, rendering, delivery."""
