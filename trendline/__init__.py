"""Trendline: watch whether China-Russia cooperation in AI is a headline or a trend line."""

__version__ = "0.1.0"
