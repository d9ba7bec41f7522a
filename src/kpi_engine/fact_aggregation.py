"""Aggregating one fact table: every KPI over it, at every scope, on a dense scope × period grid.

The engine (`kpi_engine.engine`) hands each fact and its KPIs here and gets one small frame per (kpi,
scope): `scope_id`, `period_start`, `period_end`, `num`, `den`, `skip`, `value`. The speed of the compute
lives here: the base scopes roll up from one partial aggregate, and a lazy fact is read in batches, once.
"""

from __future__ import annotations

import polars as pl

from kpi_engine.catalog.model import Kpi
from kpi_engine.context import BASE_SCOPES, ComputeContext
from kpi_engine.facts import FactSpec
from kpi_engine.scope_keys import KEY_COLUMNS

# Per (kpi, scope): scope_id, period_start, period_end, num, den, skip, value.
Results = dict[tuple[str, str], pl.DataFrame]


def dense_grid(ctx: ComputeContext, ids: pl.Series) -> pl.DataFrame:
    """Every scope id × every period computed: a period without rows still gets its 0 or null."""
    return (
        ids.cast(pl.String)
        .rename("scope_id")
        .drop_nulls()
        .unique()
        .to_frame()
        .join(ctx.periods.select("period_start", "period_end"), how="cross")
    )


def aggregate_fact(
    ctx: ComputeContext,
    spec: FactSpec,
    frame: pl.DataFrame | pl.LazyFrame,
    kpis: list[Kpi],
    scopes: set[str] | None,
) -> Results:
    """One group_by per scope over the fact; org/team/rep/region roll up from one partial aggregate.

    The partial aggregate groups by every base scope column at once (reps × regions × periods rows, not
    millions), and counts, totals, means and ratios are sums of their parts, so each base scope is a
    re-sum of that small frame. Medians and the extra scopes read the fact rows directly.

    A lazy fact (`@fact(..., lazy=True)`) is never collected: its partial aggregate (made even for one
    base scope) runs on the streaming engine, so its rows are read in batches, once.
    """
    fact_name = spec.name
    columns = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    keyed = [c for c in KEY_COLUMNS if c in columns]
    wanted = list(dict.fromkeys(s for k in kpis for s in k.scopes))
    undeclared = [s for s in wanted if s not in spec.scopes]
    if undeclared:
        raise ValueError(f"fact {fact_name!r} carries no scope {', '.join(undeclared)}")
    wanted = [s for s in wanted if scopes is None or s in scopes]
    rollup = [s for s in wanted if s in BASE_SCOPES]
    summable = [k for k in kpis if k.measure.summable and any(s in rollup for s in k.scopes)]
    partial = _partial_aggregate(ctx, spec, frame, keyed, kpis, wanted, rollup, summable)
    results: Results = {}
    for scope in wanted:
        scoped = [k for k in kpis if scope in k.scopes]
        from_partial = [k for k in scoped if partial is not None and k in summable and scope in rollup]
        direct = [k for k in scoped if k not in from_partial]
        parts = []
        if from_partial and partial is not None:
            from_ids = {k.id for k in from_partial}
            partial_columns = [c for c in partial.columns if c.split("__")[0] in from_ids]
            parts.append(_group(partial, scope, [pl.col(c).sum() for c in partial_columns]))
        if direct:
            parts.append(_group(frame, scope, [e for k in direct for e in k.measure.aggregations(k.id)]))
        ids = _scope_ids(partial if partial is not None and scope in rollup else frame, scope)
        known = ctx.known_ids(scope)
        if known is not None:
            ids = pl.concat([ids.cast(pl.String), known.cast(pl.String)])
        dense = dense_grid(ctx, ids)
        for part in parts:
            dense = dense.join(part, on=["scope_id", "period_start"], how="left")
        for kpi in scoped:
            results[(kpi.id, scope)] = _finish(dense, kpi)
    return results


def _partial_aggregate(
    ctx: ComputeContext,
    spec: FactSpec,
    frame: pl.DataFrame | pl.LazyFrame,
    keyed: list[str],
    kpis: list[Kpi],
    wanted: list[str],
    rollup: list[str],
    summable: list[Kpi],
) -> pl.DataFrame | None:
    """The fact grouped by every base scope column at once, which each base scope re-sums; None when
    grouping the fact directly per scope is as cheap (one base scope of a collected fact)."""
    if keyed:
        return _keyed_partial(ctx, spec.name, frame, keyed, kpis, wanted)
    if spec.lazy and rollup and summable:
        return _summed(frame.lazy(), rollup, summable)
    if len(rollup) > 1 and summable:
        return (
            frame.lazy()
            .group_by([*rollup, "period_start"])
            .agg([e for k in summable for e in k.measure.aggregations(k.id)])
            .collect()
        )
    return None


def _keyed_partial(
    ctx: ComputeContext,
    fact_name: str,
    frame: pl.DataFrame | pl.LazyFrame,
    keys: list[str],
    kpis: list[Kpi],
    wanted: list[str],
) -> pl.DataFrame:
    """The partial aggregate of a fact keyed by `kpi_engine.scope_keys`: grouped by the integer keys, then
    the scope names joined back. Every KPI of such a fact must be summable over the base scopes only."""
    unsupported = [k.id for k in kpis if not k.measure.summable or set(k.scopes) - set(BASE_SCOPES)]
    if unsupported or set(wanted) - set(BASE_SCOPES):
        raise ValueError(
            f"fact {fact_name!r} is keyed: medians and extra scopes need scope columns ({unsupported})"
        )
    return ctx.scope_keys.expand(_summed(frame.lazy(), keys, kpis))


def _summed(frame: pl.LazyFrame, keys: list[str], kpis: list[Kpi]) -> pl.DataFrame:
    """The measures' terms per keys and period as plain sums of per-row contributions, on the streaming
    engine: the rows are read in batches and never held (see `Measure.row_terms`)."""
    group = [*keys, "period_start"]
    return (
        frame.select(*group, *[e for k in kpis for e in k.measure.row_contributions(k.id)])
        .group_by(group)
        .agg(pl.exclude(group).sum())
        .collect(engine="streaming")
    )


def _scope_ids(frame: pl.DataFrame | pl.LazyFrame, scope: str) -> pl.Series:
    if isinstance(frame, pl.LazyFrame):
        return frame.select(pl.col(scope).unique()).collect(engine="streaming")[scope]
    return frame[scope]


def _group(frame: pl.DataFrame | pl.LazyFrame, scope: str, aggregations: list[pl.Expr]) -> pl.DataFrame:
    return (
        frame.lazy()
        .filter(pl.col(scope).is_not_null())
        .group_by(pl.col(scope).cast(pl.String).alias("scope_id"), "period_start")
        .agg(aggregations)
        .collect(engine="streaming" if isinstance(frame, pl.LazyFrame) else "auto")
    )


def _finish(dense: pl.DataFrame, kpi: Kpi) -> pl.DataFrame:
    """One KPI's columns from the aggregated frame: empty groups as 0, then the value."""
    cols = set(dense.columns)

    def column(suffix: str, dtype: pl.DataType, fill: object) -> pl.Expr:
        name = f"{kpi.id}__{suffix}"
        if name not in cols:
            return pl.lit(None, dtype=dtype)
        return pl.col(name) if fill is None else pl.col(name).fill_null(fill)

    num = column("num", pl.Float64(), 0.0)
    den = column("den", pl.Float64(), 0.0)
    direct = column("direct", pl.Float64(), None)
    return dense.select(
        "scope_id",
        "period_start",
        "period_end",
        num.alias("num"),
        den.alias("den"),
        column("skip", pl.Int64(), 0).alias("skip"),
        kpi.measure.value(num, den, direct).alias("value"),
    )
