"""Replays recorded OpenAlex responses: the offline client behind the demo snapshot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from trendline.tasks.ingest.source import SourceError

IGNORED = ("api_key", "mailto")


def request_key(path: str, params: dict[str, Any]) -> str:
    kept = sorted((k, str(v)) for k, v in params.items() if k not in IGNORED)
    return f"{path}?{urlencode(kept)}"


class ReplayClient:
    """Answers each request with the response recorded for the same path and parameters."""

    base_url = "https://api.openalex.org"

    def __init__(self, folder: Path):
        self.folder = folder
        index = folder / "index.json"
        try:
            self.index: dict[str, str] = json.loads(index.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SourceError(f"demo snapshot index unreadable: {index}: {exc}") from None
        self.requests = 0

    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        key = request_key(path, params)
        name = self.index.get(key)
        if name is None:
            raise SourceError(f"no recorded OpenAlex response for {key} in {self.folder}")
        self.requests += 1
        return json.loads((self.folder / name).read_text(encoding="utf-8"))
