"""One module per page family; each exports ROUTES (Starlette routes) and reads only
bounded data from the store."""

from trendline.web.pages import (
    actions,
    alerts,
    api,
    evidence,
    feeds,
    indicators,
    organisations,
    overview,
    silences,
)

ROUTES = [*overview.ROUTES, *evidence.ROUTES, *indicators.ROUTES, *alerts.ROUTES,
          *actions.ROUTES, *silences.ROUTES, *organisations.ROUTES, *feeds.ROUTES, *api.ROUTES]
