"""One module per page family; each exports ROUTES (Starlette routes) and reads only
bounded data from the store."""

from trendline.web.pages import actions, overview, silences

ROUTES = [*overview.ROUTES, *actions.ROUTES, *silences.ROUTES]
