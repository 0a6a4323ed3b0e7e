"""Prefect flows: orchestration only. The work is in tasks/ and indicators/."""
