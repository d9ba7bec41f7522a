"""Scales and tick labels for the report's charts: round tick values, numbers people read at a glance.

The charts are drawn in Python as inline SVG (see `sync.report.charts`); this module holds the arithmetic
they share, kept apart so it can be tested without drawing anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

_NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class Scale:
    """A linear map from data values [low, high] onto pixels [start, end] (end may be above start)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high], 0 included: about `count` of them, at 1/2/2.5/5 × 10^n steps.

    A range of one value (all zeros, say) still gets a visible axis of one step above it.
    """
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1.0
    raw_step = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(s * magnitude for s in _NICE_STEPS if s * magnitude >= raw_step - 1e-12)
    first = math.floor(low / step + 1e-9) * step
    ticks = []
    tick = first
    while tick < high + step * 0.999:
        ticks.append(round(tick, 10))
        tick += step
    return ticks


def axis_label(value: float, unit: str) -> str:
    """A tick label: ratios as percentages, money and counts compact (12k, 3.4M)."""
    if unit == "ratio":
        return f"{value * 100:.0f}%"
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / threshold:.3g}{suffix}"
    return f"{value:.3g}"


def value_label(value: float | None, unit: str) -> str:
    """A value as a tooltip or table shows it: ratios as percentages with one decimal, null as 'no value'."""
    if value is None:
        return "no value"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit in ("currency", "currency_per_day"):
        return f"{value:,.2f}"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def present(values: Sequence[float | None]) -> list[float]:
    """The non-null, finite values of a series."""
    return [v for v in values if v is not None and math.isfinite(v)]
