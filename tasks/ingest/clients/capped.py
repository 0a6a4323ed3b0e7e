"""HTTP bodies with a size cap: a response larger than the cap (as sent, or as it inflates)
stops the request with one SourceError line instead of filling memory."""

from __future__ import annotations

import httpx

from trendline.tasks.ingest.source import SourceError

MB = 1024 * 1024
_DROPPED = ("content-encoding", "content-length", "transfer-encoding")


def get_capped(client: httpx.Client, url: str, limit_mb: float, what: str, setting: str,
               **kw) -> httpx.Response:
    """GET `url` and read at most `limit_mb` of its (decoded) body; the response returned
    holds the whole body. `what` and `setting` name the request and the key of the cap."""
    limit = int(limit_mb * MB)

    def too_big() -> SourceError:
        return SourceError(f"{what} is larger than {limit_mb:g} MB (the limit {setting}); "
                           "nothing written")

    with client.stream("GET", url, **kw) as resp:
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_big()
        chunks, size = [], 0
        for chunk in resp.iter_bytes():  # inflated: a small gzip body cannot grow past it
            size += len(chunk)
            if size > limit:
                raise too_big()
            chunks.append(chunk)
        headers = [(k, v) for k, v in resp.headers.multi_items() if k.lower() not in _DROPPED]
        return httpx.Response(resp.status_code, headers=headers, content=b"".join(chunks),
                              request=resp.request)
