"""How KPI values read for people: by unit, so 12,000 currency never prints as 1.2e+04, a rate reads as a
percentage and a duration carries its unit. JSON output keeps the raw numbers; only tables use this."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import polars as pl

from kpi_engine.catalog import CATALOG
from sync.cli_output import Column, Section

_UNIT_FORMATS = {
    # A ratio that is not a percentage: win_loss_ratio and activities_per_won_deal are ratios above 1.
    "ratio": "{:,.3f}",
    "currency": "{:,.2f}",
    "currency_per_day": "{:,.2f}/day",
    "count": "{:,.0f}",
    "days": "{:,.1f} d",
    "hours": "{:,.1f} h",
    "months": "{:,.1f} mo",
}

UNIT_LABELS = {
    "ratio": "ratio",
    "currency": "currency",
    "currency_per_day": "currency/day",
    "count": "count",
    "days": "days",
    "hours": "hours",
    "months": "months",
}


def format_value(value: float | None, unit: str, *, percent: bool = False) -> str:
    """A KPI value for people: null (and a non-finite float, which JSON writes as null) stays visibly null."""
    if value is None or not math.isfinite(value):
        return "null"
    if unit == "ratio" and percent:
        return f"{value:,.1%}"
    return _UNIT_FORMATS.get(unit, "{:,.4g}").format(value)


def format_number(value: float | None) -> str:
    """A numerator or denominator: exact for whole numbers, two decimals otherwise."""
    if value is None or not math.isfinite(value):
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def shows_percent(kpi_id: str) -> bool:
    """True when the KPI is a ratio read as a percentage (win rate), not a multiple (win/loss ratio)."""
    entry = CATALOG.get(kpi_id)
    return entry is not None and entry.unit == "ratio" and entry.percent


def unit_label(kpi_id: str, unit: str) -> str:
    """The unit column of a table: '%' for a percentage, else the unit's name."""
    return "%" if unit == "ratio" and shows_percent(kpi_id) else UNIT_LABELS.get(unit, unit)


def kpi_value_text(row: Mapping[str, Any]) -> str:
    return format_value(row["value"], row["unit"], percent=shows_percent(row["kpi"]))


def kpi_name(kpi_id: str) -> str:
    entry = CATALOG.get(kpi_id)
    return entry.name if entry is not None else kpi_id


def value_section(values: pl.DataFrame, *, title: str | None = None) -> Section:
    """Computed KPI values as one output section: every column in JSON; in a table, name, value with its
    unit, and the numerator and denominator that let anyone check it."""
    columns = (
        Column("kpi"),
        Column("scope"),
        Column("scope_id"),
        Column("period_start", "period"),
        Column("value", numeric=True, text=kpi_value_text),
        Column("unit", text=lambda row: unit_label(row["kpi"], row["unit"])),
        Column("numerator", numeric=True, text=lambda row: format_number(row["numerator"])),
        Column("denominator", numeric=True, text=lambda row: format_number(row["denominator"])),
    )
    return Section("values", values.iter_rows(named=True), columns, title)
