"""How KPI values read on a terminal: by unit, so 12,000 currency never prints as 1.2e+04."""

from __future__ import annotations

_UNIT_FORMATS = {
    # Not a percentage: win_loss_ratio and activities_per_won_deal are ratios above 1.
    "ratio": "{:,.3f}",
    "currency": "{:,.2f}",
    "currency_per_day": "{:,.2f}/day",
    "count": "{:,.0f}",
    "days": "{:,.1f} d",
    "hours": "{:,.1f} h",
}


def format_value(value: float | None, unit: str) -> str:
    """A KPI value for people: null stays visibly null, never a 0."""
    if value is None:
        return "null"
    return _UNIT_FORMATS.get(unit, "{:,.4g}").format(value)


def format_number(value: float | None) -> str:
    """A numerator or denominator: exact for whole numbers, two decimals otherwise."""
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
