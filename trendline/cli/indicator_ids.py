"""Indicator ids named in config must exist: a typo would otherwise configure nothing."""

from __future__ import annotations

from trendline.core.settings import ConfigError, Settings


def check_indicator_ids(s: Settings) -> None:
    """`indicators."<id>"` in config must name an indicator that exists (a typo would
    otherwise silently configure nothing)."""
    if not s.indicators:
        return
    from trendline.indicators.registry import all_indicators

    known = all_indicators()
    unknown = sorted(set(s.indicators) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown indicator id(s) in config: {', '.join(unknown)} "
            f"(see `trendline indicators`; e.g. {next(iter(known))})"
        )
