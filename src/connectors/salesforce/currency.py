"""Converting amounts into the reporting currency with the org's own rates.

Salesforce keeps `CurrencyType.ConversionRate` = units of that currency per one unit of the corporate
currency, and with advanced currency management `DatedConversionRate` rows valid on
[StartDate, NextStartDate). Opportunities convert at the rate of their close date (as Salesforce's own
reports do), falling back to the static rate; an org without CurrencyType is single-currency.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


class MissingRate(ValueError):
    """No rate for a currency: the record is quarantined with this reason, never converted at 1."""


@dataclass
class Rates:
    """The org's rates; empty = single-currency (amounts are already in the reporting currency)."""

    static: dict[str, float] = field(default_factory=dict)
    dated: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    corporate: str | None = None

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> Rates:
        """From normalised `fx_rates` rows (`iso_code`, `rate`, `is_corporate`, `start_date` — None for a
        CurrencyType row, the start for a DatedConversionRate row)."""
        rates = cls()
        for row in rows:
            if not row.get("rate") or row.get("deleted"):
                continue
            if row.get("start_date") is None:
                rates.static[row["iso_code"]] = float(row["rate"])
                if row.get("is_corporate"):
                    rates.corporate = row["iso_code"]
            else:
                rates.dated.setdefault(row["iso_code"], []).append((row["start_date"], float(row["rate"])))
        for periods in rates.dated.values():
            periods.sort()
        return rates

    @property
    def multi_currency(self) -> bool:
        return bool(self.static)

    def rate(self, currency: str, on: date | None) -> float:
        """Units of `currency` per corporate unit, on `on` when dated rates exist."""
        periods = self.dated.get(currency)
        if periods and on is not None:
            index = bisect.bisect_right(periods, (on, float("inf"))) - 1
            if index >= 0:
                return periods[index][1]
        if currency in self.static:
            return self.static[currency]
        raise MissingRate(f"no conversion rate for currency {currency!r} in CurrencyType")

    def convert(self, amount: float | None, currency: str | None, to: str, on: date | None) -> float | None:
        """`amount` in `currency` expressed in `to`."""
        if amount is None or not self.multi_currency or currency is None or currency == to:
            return amount
        return amount / self.rate(currency, on) * self.rate(to, on)
