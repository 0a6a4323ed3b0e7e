"""One module per page family; each exports ROUTES (Starlette routes) and reads only
bounded data from the store."""

from trendline.web.pages import overview

ROUTES = [*overview.ROUTES]
