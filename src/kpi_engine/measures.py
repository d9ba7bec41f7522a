"""Measures: how a KPI aggregates its fact rows, as a numerator and a denominator.

Every measure yields aggregation expressions for the group_by the engine runs per fact and scope, and the
value is derived *after* aggregation (`value_of`), so a zero denominator becomes null in exactly one place
and every ratio carries the numerator and denominator anyone can check.

- `count(where)`: rows where `where` holds. Value = numerator. 0 in a period with no rows.
- `total(expr, where)`: sum of `expr` (null counts as 0). 0 in a period with no rows.
- `mean(expr, where)`: numerator = sum, denominator = rows with a value; rows where the value is null are
  left out and counted in `skipped`. Null with no values.
- `median(expr, where)`: the median, denominator = rows with a value, `skipped` as for mean.
- `ratio(num, den)`: two counts/totals; value = num / den, null when den = 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

Kind = Literal["count", "total", "mean", "median", "ratio"]
ALWAYS = pl.lit(True)


@dataclass(frozen=True)
class Measure:
    kind: Kind
    numerator: pl.Expr  # an aggregation
    denominator: pl.Expr | None = None
    skipped: pl.Expr | None = None
    direct: pl.Expr | None = None  # an aggregation giving the value itself (median)
    # The same terms as per-row contributions whose plain sums are the aggregations above (suffix, expr):
    # a streaming group_by sums plain columns in batches, where `expr.filter(w).sum()` per group costs
    # time and memory over 10M rows. Empty for a median (not a sum of parts).
    row_terms: tuple[tuple[str, pl.Expr], ...] = ()

    @property
    def additive(self) -> bool:
        """Counts and totals are 0 where there are no rows; everything else is null there."""
        return self.kind in ("count", "total")

    def aggregations(self, prefix: str) -> list[pl.Expr]:
        """Columns `<prefix>__num`, `__den`, `__skip`, `__direct` (the ones this measure has)."""
        out = [self.numerator.cast(pl.Float64).alias(f"{prefix}__num")]
        if self.denominator is not None:
            out.append(self.denominator.cast(pl.Float64).alias(f"{prefix}__den"))
        if self.skipped is not None:
            out.append(self.skipped.cast(pl.Int64).alias(f"{prefix}__skip"))
        if self.direct is not None:
            out.append(self.direct.cast(pl.Float64).alias(f"{prefix}__direct"))
        return out

    def row_contributions(self, prefix: str) -> list[pl.Expr]:
        """Per-row columns `<prefix>__num` etc. whose sums per group equal `aggregations(prefix)`."""
        if not self.row_terms:
            raise ValueError(f"a {self.kind} is not a sum of per-row contributions")
        types = {"num": pl.Float64, "den": pl.Float64, "skip": pl.Int64}
        return [expr.cast(types[suffix]).alias(f"{prefix}__{suffix}") for suffix, expr in self.row_terms]


def _where(where: pl.Expr | None) -> pl.Expr:
    return ALWAYS if where is None else where.fill_null(False)


def _flag(condition: pl.Expr) -> pl.Expr:
    """1 where a (null-free) condition holds, else 0: a row's part of a count."""
    return condition.cast(pl.Int64)


def count(where: pl.Expr | None = None) -> Measure:
    # pl.len() for "every row": a literal True would aggregate to a single value, not one per row.
    row = pl.lit(1, dtype=pl.Int64) if where is None else _flag(_where(where))
    return Measure("count", pl.len() if where is None else _where(where).sum(), row_terms=(("num", row),))


def total(expr: pl.Expr, where: pl.Expr | None = None) -> Measure:
    row = pl.when(_where(where)).then(expr.fill_null(0)).otherwise(0)
    return Measure("total", expr.fill_null(0).filter(_where(where)).sum(), row_terms=(("num", row),))


def mean(expr: pl.Expr, where: pl.Expr | None = None) -> Measure:
    w = _where(where)
    return Measure(
        "mean",
        numerator=expr.filter(w).sum(),
        denominator=(w & expr.is_not_null()).sum(),
        skipped=(w & expr.is_null()).sum(),
        # a null numerator part is skipped by the sum, as the filtered sum skips it
        row_terms=(
            ("num", pl.when(w).then(expr)),
            ("den", _flag(w & expr.is_not_null())),
            ("skip", _flag(w & expr.is_null())),
        ),
    )


def median(expr: pl.Expr, where: pl.Expr | None = None) -> Measure:
    w = _where(where)
    return Measure(
        "median",
        numerator=pl.lit(None, dtype=pl.Float64),
        denominator=(w & expr.is_not_null()).sum(),
        skipped=(w & expr.is_null()).sum(),
        direct=expr.filter(w).median(),
    )


def ratio(numerator: Measure, denominator: Measure) -> Measure:
    if not (numerator.additive and denominator.additive):
        raise ValueError("ratio() takes two counts or totals")
    return Measure(
        "ratio",
        numerator=numerator.numerator,
        denominator=denominator.numerator,
        row_terms=(("num", numerator.row_terms[0][1]), ("den", denominator.row_terms[0][1])),
    )


def safe_divide(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """THE zero-denominator rule: null, never 0 or infinity."""
    return pl.when(denominator == 0).then(None).otherwise(numerator / denominator)


def value_of(kind: Kind, num: pl.Expr, den: pl.Expr, direct: pl.Expr) -> pl.Expr:
    """A KPI's value from its aggregated columns."""
    if kind in ("count", "total"):
        return num
    if kind == "median":
        return direct
    return safe_divide(num, den)
