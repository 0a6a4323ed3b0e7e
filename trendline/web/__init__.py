"""The browser workspace (`trendline web`): the store served to people. app.py builds the
application; pages/ holds one module per page family (each exports ROUTES); auth.py the
signed-in user, the CSRF token and the login pages; render.py the templates/web/ pages."""
