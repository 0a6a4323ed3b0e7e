"""The browser workspace (`trendline web`): the store served to people."""
