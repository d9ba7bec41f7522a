"""Measures: how a KPI aggregates its fact rows, as types that own their aggregation and their value.

Every measure gives the aggregation expressions of the group_by the engine runs per fact and scope
(`aggregations`), the same terms as per-row contributions whose plain sums are those aggregations
(`row_contributions`, for the streaming partial aggregate; a median has none: `summable` is False), and
its value from the aggregated columns (`value`), so a zero denominator becomes null in exactly one place
(`safe_divide`) and every ratio carries the numerator and denominator anyone can check.

- `Count(where)`: rows where `where` holds. Value = numerator. 0 in a period with no rows.
- `Total(expr, where)`: sum of `expr` (null counts as 0). 0 in a period with no rows.
- `Mean(expr, where)`: numerator = sum, denominator = rows with a value; rows where the value is null are
  left out and counted in `skipped`. Null with no values.
- `Median(expr, where)`: the median, denominator = rows with a value, `skipped` as for a mean.
- `Ratio(numerator, denominator)`: two counts or totals; value = num / den, null when den = 0.

Aggregated columns are named `<prefix>__num`, `__den`, `__skip`, `__direct` (the ones a measure has). A
new kind of measure is one class here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import polars as pl

ALWAYS = pl.lit(True)
NO_VALUE = pl.lit(None, dtype=pl.Float64)
COLUMN_TYPES: dict[str, pl.DataType] = {
    "num": pl.Float64(),
    "den": pl.Float64(),
    "skip": pl.Int64(),
    "direct": pl.Float64(),
}


def _where(where: pl.Expr | None) -> pl.Expr:
    return ALWAYS if where is None else where.fill_null(False)


def _flag(condition: pl.Expr) -> pl.Expr:
    """1 where a (null-free) condition holds, else 0: a row's part of a count."""
    return condition.cast(pl.Int64)


def _named(terms: dict[str, pl.Expr], prefix: str) -> list[pl.Expr]:
    return [expr.cast(COLUMN_TYPES[suffix]).alias(f"{prefix}__{suffix}") for suffix, expr in terms.items()]


def safe_divide(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """THE zero-denominator rule: null, never 0 or infinity."""
    return pl.when(denominator == 0).then(None).otherwise(numerator / denominator)


class Measure(ABC):
    """What a KPI aggregates. Subclasses say which terms they have and how the value follows from them."""

    additive: bool = False  # 0 (not null) where the fact has no rows: counts and totals
    summable: bool = True  # its terms are sums of per-row contributions (not a median)
    reports_numerator: bool = True  # the output's numerator column carries the aggregated numerator
    reports_denominator: bool = True

    @abstractmethod
    def terms(self) -> dict[str, pl.Expr]:
        """Aggregations by suffix (`num`, `den`, `skip`, `direct`)."""

    def row_terms(self) -> dict[str, pl.Expr]:
        """Per-row contributions by suffix, whose sums per group equal `terms()`."""
        raise ValueError(f"a {type(self).__name__.lower()} is not a sum of per-row contributions")

    @abstractmethod
    def value(self, num: pl.Expr, den: pl.Expr, direct: pl.Expr) -> pl.Expr:
        """The value from the aggregated columns (empty groups already 0)."""

    def aggregations(self, prefix: str) -> list[pl.Expr]:
        return _named(self.terms(), prefix)

    def row_contributions(self, prefix: str) -> list[pl.Expr]:
        return _named(self.row_terms(), prefix)


@dataclass(frozen=True)
class Count(Measure):
    where: pl.Expr | None = None
    additive = True
    reports_numerator = reports_denominator = False

    def terms(self) -> dict[str, pl.Expr]:
        # pl.len() for "every row": a literal True would aggregate to a single value, not one per row.
        return {"num": pl.len() if self.where is None else _where(self.where).sum()}

    def row_terms(self) -> dict[str, pl.Expr]:
        return {"num": pl.lit(1, dtype=pl.Int64) if self.where is None else _flag(_where(self.where))}

    def value(self, num: pl.Expr, den: pl.Expr, direct: pl.Expr) -> pl.Expr:
        return num


@dataclass(frozen=True)
class Total(Measure):
    expr: pl.Expr
    where: pl.Expr | None = None
    additive = True
    reports_numerator = reports_denominator = False

    def terms(self) -> dict[str, pl.Expr]:
        return {"num": self.expr.fill_null(0).filter(_where(self.where)).sum()}

    def row_terms(self) -> dict[str, pl.Expr]:
        return {"num": pl.when(_where(self.where)).then(self.expr.fill_null(0)).otherwise(0)}

    def value(self, num: pl.Expr, den: pl.Expr, direct: pl.Expr) -> pl.Expr:
        return num


@dataclass(frozen=True)
class Mean(Measure):
    expr: pl.Expr
    where: pl.Expr | None = None

    def terms(self) -> dict[str, pl.Expr]:
        w = _where(self.where)
        return {
            "num": self.expr.filter(w).sum(),
            "den": (w & self.expr.is_not_null()).sum(),
            "skip": (w & self.expr.is_null()).sum(),
        }

    def row_terms(self) -> dict[str, pl.Expr]:
        w = _where(self.where)
        # a null numerator part is skipped by the sum, as the filtered sum skips it
        return {
            "num": pl.when(w).then(self.expr),
            "den": _flag(w & self.expr.is_not_null()),
            "skip": _flag(w & self.expr.is_null()),
        }

    def value(self, num: pl.Expr, den: pl.Expr, direct: pl.Expr) -> pl.Expr:
        return safe_divide(num, den)


@dataclass(frozen=True)
class Median(Measure):
    expr: pl.Expr
    where: pl.Expr | None = None
    summable = False
    reports_numerator = False

    def terms(self) -> dict[str, pl.Expr]:
        w = _where(self.where)
        return {
            "den": (w & self.expr.is_not_null()).sum(),
            "skip": (w & self.expr.is_null()).sum(),
            "direct": self.expr.filter(w).median(),
        }

    def value(self, num: pl.Expr, den: pl.Expr, direct: pl.Expr) -> pl.Expr:
        return direct


@dataclass(frozen=True)
class Ratio(Measure):
    numerator: Count | Total
    denominator: Count | Total

    def __post_init__(self) -> None:
        if not (self.numerator.additive and self.denominator.additive):
            raise ValueError("Ratio takes two counts or totals")

    def terms(self) -> dict[str, pl.Expr]:
        return {"num": self.numerator.terms()["num"], "den": self.denominator.terms()["num"]}

    def row_terms(self) -> dict[str, pl.Expr]:
        return {"num": self.numerator.row_terms()["num"], "den": self.denominator.row_terms()["num"]}

    def value(self, num: pl.Expr, den: pl.Expr, direct: pl.Expr) -> pl.Expr:
        return safe_divide(num, den)
