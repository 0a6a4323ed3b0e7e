"""/indicators/{id}/evidence: every record behind a value, paged on the server, filtered
by period, subject, kind and text, sorted; `?format=csv|json` gives exactly what
`trendline evidence` gives (period and subject; the whole list)."""

from __future__ import annotations

import io
import math

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from trendline.core.csvfile import write_frame
from trendline.indicators import words
from trendline.tasks.publish.render import safe_url
from trendline.web.render import page


def _options(request: Request) -> dict:
    from trendline.tasks.evaluate.evidence import SORTS

    q = request.query_params
    sort = q.get("sort", "id")
    descending = sort.startswith("-")
    sort = sort.lstrip("-")
    if sort not in SORTS:
        raise HTTPException(400, f"sort must be one of {', '.join(SORTS)} (- for "
                                 f"descending), not {sort!r}")
    raw = q.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise HTTPException(400, f"page must be a whole number from 1, not {raw!r}")
    return {"period": q.get("period") or None, "subject": q.get("subject") or None,
            "kind": q.get("kind") or None, "text": q.get("q") or None, "sort": sort,
            "descending": descending, "number": int(raw)}


def exported(res, ind_id: str, fmt: str, period, subject) -> Response:
    """The whole list, as the CLI writes it."""
    from trendline.tasks.evaluate.evidence import list_evidence

    rows = list_evidence(res, ind_id, period, subject)
    name = f"evidence-{ind_id}-{period or 'all'}"
    if fmt == "csv":
        buf = io.StringIO()
        write_frame(buf, rows)
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8", headers={
            "content-disposition": f'attachment; filename="{name}.csv"'})
    body = rows.to_json(orient="records", force_ascii=False, indent=2) + "\n"
    return Response(body, media_type="application/json")


def one_page(res, ind_id: str, o: dict):
    """(the page of records as dicts, the EvidencePage) under the request's filters."""
    from trendline.tasks.evaluate.evidence import UnknownIndicator, evidence_page

    size = res.settings.web.page_size
    try:
        found = evidence_page(res, ind_id, period=o["period"], subject=o["subject"],
                              kind=o["kind"], text=o["text"], sort=o["sort"],
                              descending=o["descending"], limit=size,
                              offset=(o["number"] - 1) * size)
    except UnknownIndicator as exc:
        raise HTTPException(404, str(exc)) from None
    except ValueError as exc:  # a filter the index refuses, said in one line
        raise HTTPException(400, str(exc)) from None
    rows = found.rows.astype(object).where(found.rows.notna(), None).to_dict("records")
    return rows, found


async def evidence(request: Request):
    from trendline.tasks.evaluate.evidence import SORTS, UnknownIndicator

    res = request.app.state.res
    ind_id = request.path_params["id"]
    o = _options(request)
    fmt = request.query_params.get("format", "html")
    if fmt in ("csv", "json"):
        try:
            return exported(res, ind_id, fmt, o["period"], o["subject"])
        except UnknownIndicator as exc:
            raise HTTPException(404, str(exc)) from None
    if fmt != "html":
        raise HTTPException(400, f"format must be html, csv or json, not {fmt!r}")
    size = res.settings.web.page_size
    rows, found = one_page(res, ind_id, o)
    for r in rows:
        r["link"] = "" if r.get("demo") else safe_url(r.get("url"))
        r["shown_value"] = _value(r)
    pages = max(1, math.ceil(found.total / size))
    params = {k: v for k, v in request.query_params.items() if k != "page"}
    return page(request, "evidence.html.j2", ind_id=ind_id, rows=rows, sorts=SORTS,
                total=found.total, kinds=found.kinds, o=o, number=o["number"], pages=pages,
                params=params, demo=any(r.get("demo") for r in rows))


def _value(r: dict) -> str:
    """What a count, pair or figure row counts, with its unit ("" for a plain record)."""
    if r.get("value") is None:
        return ""
    unit = r.get("unit") or ""
    try:
        return words.amount(r["value"], unit)
    except KeyError:  # a unit the words module does not know: the figure and its name
        return f"{words.figure(float(r['value']))} {unit}".strip()


async def evidence_json(request: Request):
    """One page as JSON: {total, page, pages, kinds, rows} (rows in the CLI's columns)."""
    from trendline.web.pages.api import as_json

    res = request.app.state.res
    o = _options(request)
    rows, found = one_page(res, request.path_params["id"], o)
    size = res.settings.web.page_size
    return as_json({"total": found.total, "page": o["number"],
                    "pages": max(1, math.ceil(found.total / size)), "kinds": found.kinds,
                    "rows": rows})


ROUTES = [Route("/indicators/{id}/evidence", evidence, name="evidence"),
          Route("/api/indicators/{id}/evidence", evidence_json)]
