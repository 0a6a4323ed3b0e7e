"""Links into the workspace (`trendline web`) for emails and reports, when `web.base_url`
says where people reach it: an alert's page, the evidence list behind a value, an
indicator's page. Every function gives "" when no (http or https) base is set, and the
caller then names the CSV file in the state folder instead."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from trendline.tasks.publish.render import safe_url

WHOLE = ("all", "*", "")  # a subject that stands for every subject: not a filter


def base(web_url: str) -> str:
    return safe_url(web_url).rstrip("/")


def alert_url(web_url: str, alert_id: str) -> str:
    root = base(web_url)
    return f"{root}/alerts/{quote(alert_id, safe='')}" if root else ""


def indicator_url(web_url: str, indicator_id: str) -> str:
    root = base(web_url)
    return f"{root}/indicators/{quote(indicator_id, safe='')}" if root else ""


def evidence_url(web_url: str, indicator_id: str, period: str, subject: str = "") -> str:
    """The records behind one value: `/indicators/{id}/evidence?period=..&subject=..`."""
    page = indicator_url(web_url, indicator_id)
    if not page:
        return ""
    params = {"period": period}
    if subject not in WHOLE:
        params["subject"] = subject
    return f"{page}/evidence?{urlencode(params)}"
