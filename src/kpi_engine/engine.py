"""The compute: catalog entries over fact tables, one group_by per fact and scope, then derived KPIs.

Periods, scopes, the dense grid and null handling live here once; KPI definitions only say *what* to
aggregate (`kpi_engine.catalog`), facts only say *which rows* there are (`kpi_engine.facts`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta

import polars as pl

from kpi_engine import periods as periods_mod
from kpi_engine.catalog import CATALOG
from kpi_engine.catalog.model import AnyKpi, DerivedKpi, Kpi, Ratio, Terms
from kpi_engine.config import KpiConfig
from kpi_engine.context import BASE_SCOPES, ComputeContext, without_deleted
from kpi_engine.dataset import Dataset
from kpi_engine.facts import LAZY_FACTS
from kpi_engine.measures import safe_divide, value_of
from kpi_engine.scope_keys import KEY_COLUMNS, KEYED_SCOPES

OUTPUT_SCHEMA = pl.Schema(
    {
        "kpi": pl.String,
        "scope": pl.String,
        "scope_id": pl.String,
        "grain": pl.String,
        "period_start": pl.Date,
        "period_end": pl.Date,
        "value": pl.Float64,
        "unit": pl.String,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "skipped": pl.Int64,
    }
)
# Per (kpi, scope): scope_id, period_start, num, den, skip, value.
Results = dict[tuple[str, str], pl.DataFrame]


def compute(
    dataset: Dataset,
    config: KpiConfig | None = None,
    *,
    grain: str = "quarter",
    as_of: date | None = None,
    since: date | None = None,
    until: date | None = None,
    kpis: Iterable[str] | None = None,
    scopes: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Compute KPIs as one long frame (columns `OUTPUT_SCHEMA`).

    Periods run from the one holding `since` (default: the earliest creation/activity date in the data)
    to the one holding the day before `until` (exclusive; default: the as-of date, default today).
    `to_date` KPIs come once, as of `as_of`. `grain="to_date"` computes only those.
    """
    config = config or KpiConfig()
    as_of = as_of or date.today()
    if grain not in periods_mod.GRAINS:
        raise ValueError(f"unknown grain {grain!r}; use one of {', '.join(periods_mod.GRAINS)}")
    wanted = _resolve(kpis)
    required = _with_needs(wanted)
    scope_filter = set(scopes) if scopes is not None else None
    frames: list[pl.DataFrame] = []
    dataset = without_deleted(dataset)

    period_kpis = _restricted(required, to_date=False)
    if grain != "to_date" and any(k.scopes_for(False) for k in wanted):
        first = since or _earliest_date(dataset, config) or as_of
        last = (until - timedelta(days=1)) if until else as_of
        lookback = max((k.lookback_periods(config) for k in period_kpis if isinstance(k, DerivedKpi)), default=0)
        fsm = config.fiscal_year_start_month
        start_index = periods_mod.period_index_of(first, grain, fsm)
        context_first = periods_mod.period_start_of_index(start_index - lookback, grain, fsm)
        ctx = ComputeContext.create(dataset, config, grain, as_of, context_first, max(first, last), already_clean=True)
        results = _compute_all(ctx, period_kpis, scope_filter)
        keep_from = periods_mod.period_start_of_index(start_index, grain, fsm)
        frames.append(_output(ctx, results, wanted).filter(pl.col("period_start") >= keep_from))
        del ctx, results  # the facts the context caches are not needed past here: free them now

    to_date_kpis = _restricted(required, to_date=True)
    if any(k.scopes_for(True) for k in wanted):
        ctx = ComputeContext.create(dataset, config, "to_date", as_of, as_of, as_of, already_clean=True)
        frames.append(_output(ctx, _compute_all(ctx, to_date_kpis, scope_filter), wanted))
        del ctx

    del dataset  # the copies without deleted records: the output's sort needs the room
    if not frames:
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    return pl.concat(frames).sort("kpi", "scope", "scope_id", "period_start")


def _resolve(ids: Iterable[str] | None) -> list[AnyKpi]:
    if ids is None:
        return [k for k in CATALOG.values() if not k.hidden]
    ids = list(ids)
    unknown = [i for i in ids if i not in CATALOG]
    if unknown:
        raise ValueError(f"unknown KPI id(s): {', '.join(unknown)}; `crm-kpi kpis` lists them")
    return [CATALOG[i] for i in dict.fromkeys(ids)]


def _restricted(kpis: Sequence[AnyKpi], *, to_date: bool) -> list[AnyKpi]:
    """The KPIs computed in a to-date (or per-period) context, each with only the scopes computed there."""
    out = []
    for kpi in kpis:
        scopes = kpi.scopes_for(to_date)
        if scopes:
            out.append(kpi if scopes == kpi.scopes else replace(kpi, scopes=scopes))
    return out


def _with_needs(wanted: Sequence[AnyKpi]) -> list[AnyKpi]:
    """The wanted KPIs and everything they need, dependencies first."""
    ordered: dict[str, AnyKpi] = {}

    def visit(kpi: AnyKpi) -> None:
        if kpi.id in ordered:
            return
        if isinstance(kpi, DerivedKpi):
            for need in kpi.needs:
                visit(CATALOG[need])
        ordered[kpi.id] = kpi

    for kpi in wanted:
        visit(kpi)
    return list(ordered.values())


def _earliest_date(dataset: Dataset, config: KpiConfig) -> date | None:
    """The earliest date a period KPI can see: first opportunity, lead or activity (local date)."""
    candidates = [
        dataset.opportunities["created_at"].min(),
        dataset.leads["created_at"].min(),
        dataset.activities.lazy().filter(~pl.col("deleted").fill_null(False)).select(pl.col("occurred_at").min())
        .collect().item(),
    ]
    found = [c for c in candidates if c is not None]
    if not found:
        return None
    earliest = min(found)
    return pl.select(periods_mod.local_date(pl.lit(earliest), config.time_zone)).item()


def _compute_all(ctx: ComputeContext, kpis: Sequence[AnyKpi], scopes: set[str] | None) -> Results:
    results: Results = {}
    by_fact: dict[str, list[Kpi]] = defaultdict(list)
    for kpi in kpis:
        if isinstance(kpi, Kpi):
            by_fact[kpi.fact].append(kpi)
    for fact_name, fact_kpis in by_fact.items():
        results.update(_compute_fact(ctx, fact_name, fact_kpis, scopes))
    for kpi in kpis:
        if isinstance(kpi, DerivedKpi):
            results.update(_compute_derived(ctx, kpi, results, scopes))
    return results


def _grid(ctx: ComputeContext, ids: pl.Series) -> pl.DataFrame:
    return (
        ids.cast(pl.String).rename("scope_id").drop_nulls().unique().to_frame()
        .join(ctx.periods.select("period_start", "period_end"), how="cross")
    )


def _compute_fact(ctx: ComputeContext, fact_name: str, kpis: list[Kpi], scopes: set[str] | None) -> Results:
    """One group_by per scope over the fact; org/team/rep/region roll up from one partial aggregate.

    The partial aggregate groups by every base scope column at once (reps × regions × periods rows, not
    millions), and counts, totals, means and ratios are sums of their parts, so each base scope is a
    re-sum of that small frame. Medians and the extra scopes read the fact rows directly.

    A lazy fact (`@fact(..., lazy=True)`) is never collected: its partial aggregate (made even for one
    base scope) runs on the streaming engine, so its rows are read in batches, once.
    """
    lazy = fact_name in LAZY_FACTS
    frame: pl.DataFrame | pl.LazyFrame = ctx.fact_lazy(fact_name) if lazy else ctx.fact(fact_name)
    columns = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    keyed = [c for c in KEY_COLUMNS if c in columns]
    if keyed:
        columns = [*columns, *KEYED_SCOPES]
    wanted = [s for s in dict.fromkeys(s for k in kpis for s in k.scopes) if s in columns]
    wanted = [s for s in wanted if scopes is None or s in scopes]
    rollup = [s for s in wanted if s in BASE_SCOPES]
    summable = [k for k in kpis if k.measure.kind != "median" and any(s in rollup for s in k.scopes)]
    partial = None
    if keyed:
        partial = _keyed_partial(ctx, fact_name, frame, keyed, kpis, wanted)
    elif lazy and rollup and summable:
        partial = _summed(frame.lazy(), rollup, summable)
    elif len(rollup) > 1 and summable:
        partial = (
            frame.lazy()
            .group_by([*rollup, "period_start"])
            .agg([e for k in summable for e in k.measure.aggregations(k.id)])
            .collect()
        )
    results: Results = {}
    for scope in wanted:
        scoped = [k for k in kpis if scope in k.scopes]
        from_partial = [k for k in scoped if partial is not None and k in summable and scope in rollup]
        direct = [k for k in scoped if k not in from_partial]
        parts = []
        if from_partial:
            columns = [c for c in partial.columns if c.split("__")[0] in {k.id for k in from_partial}]
            parts.append(_group(partial, scope, [pl.col(c).sum() for c in columns]))
        if direct:
            parts.append(_group(frame, scope, [e for k in direct for e in k.measure.aggregations(k.id)]))
        ids = _scope_ids(partial if partial is not None and scope in rollup else frame, scope)
        known = ctx.known_ids(scope)
        if known is not None:
            ids = pl.concat([ids.cast(pl.String), known.cast(pl.String)])
        dense = _grid(ctx, ids)
        for part in parts:
            dense = dense.join(part, on=["scope_id", "period_start"], how="left")
        for kpi in scoped:
            results[(kpi.id, scope)] = _finish(dense, kpi)
    return results


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
    unsupported = [k.id for k in kpis if k.measure.kind == "median" or set(k.scopes) - set(BASE_SCOPES)]
    if unsupported or set(wanted) - set(BASE_SCOPES):
        raise ValueError(f"fact {fact_name!r} is keyed: medians and extra scopes need scope columns ({unsupported})")
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
        value_of(kpi.measure.kind, num, den, direct).alias("value"),
    )


def _compute_derived(ctx: ComputeContext, kpi: DerivedKpi, results: Results, scopes: set[str] | None) -> Results:
    out: Results = {}
    terms = Terms(ctx.config, ctx.grain)
    for scope in kpi.scopes:
        if scopes is not None and scope not in scopes:
            continue
        if not all((need, scope) in results for need in kpi.needs):
            continue
        ids = pl.concat([results[(need, scope)]["scope_id"] for need in kpi.needs])
        wide = _grid(ctx, ids)
        for need in kpi.needs:
            part = results[(need, scope)].select(
                "scope_id",
                "period_start",
                pl.col("num").alias(f"{need}__num"),
                pl.col("den").alias(f"{need}__den"),
                pl.col("value").alias(f"{need}__value"),
            )
            wide = wide.join(part, on=["scope_id", "period_start"], how="left")
            if CATALOG[need].additive:  # a count or sum is 0 where its fact has no row for the id
                wide = wide.with_columns(pl.col(f"{need}__num", f"{need}__value").fill_null(0.0))
        wide = wide.sort("scope_id", "period_start")
        result = kpi.formula(terms)
        if isinstance(result, Ratio):
            num, den = result.numerator, result.denominator
            value = safe_divide(num, den)
        else:
            num = den = pl.lit(None, dtype=pl.Float64)
            value = result.value
        out[(kpi.id, scope)] = wide.select(
            "scope_id",
            "period_start",
            "period_end",
            num.cast(pl.Float64).alias("num"),
            den.cast(pl.Float64).alias("den"),
            pl.lit(None, dtype=pl.Int64).alias("skip"),
            value.cast(pl.Float64).alias("value"),
        )
    return out


def _output(ctx: ComputeContext, results: Results, wanted: Sequence[AnyKpi]) -> pl.DataFrame:
    """The long frame of the wanted KPIs (hidden intermediates and needs-only KPIs left out)."""
    wanted_ids = {k.id: k for k in wanted if k.scopes_for(ctx.grain == "to_date")}
    frames = []
    for (kpi_id, scope), frame in results.items():
        kpi = wanted_ids.get(kpi_id)
        if kpi is None:
            continue
        kind = "derived" if isinstance(kpi, DerivedKpi) else kpi.measure.kind
        has_ratio_terms = kind in ("derived", "ratio", "mean", "median")
        frames.append(
            frame.select(
                pl.lit(kpi_id, dtype=pl.String).alias("kpi"),
                pl.lit(scope, dtype=pl.String).alias("scope"),
                pl.col("scope_id").cast(pl.String),
                pl.lit(ctx.grain, dtype=pl.String).alias("grain"),
                "period_start",
                "period_end",
                pl.col("value").cast(pl.Float64).fill_nan(None),
                pl.lit(kpi.unit, dtype=pl.String).alias("unit"),
                (pl.col("num") if has_ratio_terms and kind != "median" else pl.lit(None)).cast(pl.Float64).alias("numerator"),
                (pl.col("den") if has_ratio_terms else pl.lit(None)).cast(pl.Float64).alias("denominator"),
                pl.col("skip").cast(pl.Int64).alias("skipped"),
            )
        )
    if not frames:
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    return pl.concat(frames)
