"""The compute: catalog entries over fact tables, one group_by per fact and scope, then derived KPIs.

Periods, scopes, the dense grid and null handling live here and in `kpi_engine.fact_aggregation` (one
fact's KPIs at every scope) once; KPI definitions only say *what* to aggregate (`kpi_engine.catalog`),
facts only say *which rows* there are (`kpi_engine.facts`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta

import polars as pl

from kpi_engine import periods as periods_mod
from kpi_engine.catalog import CATALOG
from kpi_engine.catalog.model import AnyKpi, DerivedKpi, Kpi, Quotient, Terms
from kpi_engine.config import KpiConfig
from kpi_engine.context import ComputeContext
from kpi_engine.dataset import Dataset
from kpi_engine.declarations import EARLIEST_DATE_COLUMNS, catalog_errors, required_columns
from kpi_engine.fact_aggregation import Results, aggregate_fact, dense_grid
from kpi_engine.fact_tables import FactTables
from kpi_engine.measures import safe_divide
from kpi_engine.prepared_input import PreparedInput, prepare
from kpi_engine.source import Source

# The output rows of one KPI at one scope, by (kpi, scope).
Parts = dict[tuple[str, str], pl.DataFrame]

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


def compute(
    source: Dataset | Source,
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

    The input is read from `source` (in-memory frames, `ParquetSource`, a `ColumnReader` over the store)
    once, and only the columns the requested KPIs' facts declare (`required_columns`).

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
    errors = catalog_errors(required)
    if errors:
        raise ValueError("the KPI declarations do not fit the facts: " + "; ".join(errors))
    scope_filter = set(scopes) if scopes is not None else None
    parts: Parts = {}
    dataset = prepare(source, required_columns(required))

    if grain != "to_date" and any(k.scopes_for(False) for k in wanted):
        first = since or _earliest_date(source, config) or as_of
        last = (until - timedelta(days=1)) if until else as_of
        parts.update(_per_period(dataset, config, grain, as_of, first, last, required, wanted, scope_filter))

    to_date_kpis = _restricted(required, to_date=True)
    if any(k.scopes_for(True) for k in wanted):
        ctx = ComputeContext.create(dataset, config, "to_date", as_of, as_of, as_of, _frozen(scope_filter))
        parts.update(_output(ctx, _compute_all(ctx, to_date_kpis, scope_filter), wanted))
        del ctx

    del dataset  # the prepared input: the output needs the room
    if not parts:
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    # Sorted by kpi, scope, scope_id, period_start: each part is sorted, and the parts go in key order.
    return pl.concat([parts[key] for key in sorted(parts)])


def _per_period(
    dataset: PreparedInput,
    config: KpiConfig,
    grain: str,
    as_of: date,
    first: date,
    last: date,
    required: Sequence[AnyKpi],
    wanted: Sequence[AnyKpi],
    scopes: set[str] | None,
) -> Parts:
    """The per-period pass over the periods holding `first` .. `last`. Derived KPIs that read P−1 or a
    trailing window need earlier periods: they are computed too and trimmed from the output. The
    context (and the facts it caches) is freed on return, before the to-date pass builds its own."""
    period_kpis = _restricted(required, to_date=False)
    lookback = max((k.lookback_periods(config) for k in period_kpis if isinstance(k, DerivedKpi)), default=0)
    fsm = config.fiscal_year_start_month
    start_index = periods_mod.period_index_of(first, grain, fsm)
    context_first = periods_mod.period_start_of_index(start_index - lookback, grain, fsm)
    ctx = ComputeContext.create(
        dataset, config, grain, as_of, context_first, max(first, last), _frozen(scopes)
    )
    keep_from = periods_mod.period_start_of_index(start_index, grain, fsm)
    parts = _output(ctx, _compute_all(ctx, period_kpis, scopes), wanted)
    return {key: part.filter(pl.col("period_start") >= keep_from) for key, part in parts.items()}


def _frozen(scopes: set[str] | None) -> frozenset[str] | None:
    return None if scopes is None else frozenset(scopes)


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


def _earliest_date(source: Dataset | Source, config: KpiConfig) -> date | None:
    """The earliest date a period KPI can see: first live opportunity, lead or activity (local date).
    Read apart from the input (a lazy minimum per table), so the input holds only what facts read."""
    scans = source.scan(EARLIEST_DATE_COLUMNS)
    candidates = [
        frame.filter(~pl.col("deleted").fill_null(False)).select(pl.col(columns[0]).min()).collect().item()
        for table, frame in scans.items()
        for columns in [EARLIEST_DATE_COLUMNS[table]]
    ]
    found = [c for c in candidates if c is not None]
    if not found:
        return None
    earliest = min(found)
    day: date = pl.select(periods_mod.local_date(pl.lit(earliest), config.time_zone)).item()
    return day


def _compute_all(ctx: ComputeContext, kpis: Sequence[AnyKpi], scopes: set[str] | None) -> Results:
    """Every fact the KPIs name, built in the order the fact declarations give (`FactTables`) and
    aggregated as soon as it is built; then the derived KPIs."""
    results: Results = {}
    by_fact: dict[str, list[Kpi]] = defaultdict(list)
    for kpi in kpis:
        if isinstance(kpi, Kpi):
            by_fact[kpi.fact].append(kpi)
    for spec, frame in FactTables(ctx, by_fact):
        results.update(aggregate_fact(ctx, spec, frame, by_fact[spec.name], scopes))
        del frame
    for kpi in kpis:
        if isinstance(kpi, DerivedKpi):
            results.update(_compute_derived(ctx, kpi, results, scopes))
    return results


def _compute_derived(
    ctx: ComputeContext, kpi: DerivedKpi, results: Results, scopes: set[str] | None
) -> Results:
    out: Results = {}
    terms = Terms(ctx.config, ctx.grain)
    for scope in kpi.scopes:
        if scopes is not None and scope not in scopes:
            continue
        if not all((need, scope) in results for need in kpi.needs):
            continue
        ids = pl.concat([results[(need, scope)]["scope_id"] for need in kpi.needs])
        wide = dense_grid(ctx, ids)
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
        if isinstance(result, Quotient):
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


def _finite(expr: pl.Expr) -> pl.Expr:
    """A number, or null where it is not finite: an overflow (inf) or 0/0 (NaN) is no value, in every
    output format and in what is written back (JSON has no inf; a CRM field would reject it)."""
    number = expr.cast(pl.Float64)
    return pl.when(number.is_finite()).then(number).otherwise(None)


def _output(ctx: ComputeContext, results: Results, wanted: Sequence[AnyKpi]) -> Parts:
    """The output rows of the wanted KPIs (hidden intermediates and needs-only KPIs left out), one frame
    per (kpi, scope), each sorted by scope id and period: sorting 3M output rows by their text keys at
    once took seconds, these small sorts a fraction of that."""
    wanted_ids = {k.id: k for k in wanted if k.scopes_for(ctx.grain == "to_date")}
    parts: Parts = {}
    for (kpi_id, scope), frame in results.items():
        kpi = wanted_ids.get(kpi_id)
        if kpi is None:
            continue
        parts[(kpi_id, scope)] = frame.select(
            pl.lit(kpi_id, dtype=pl.String).alias("kpi"),
            pl.lit(scope, dtype=pl.String).alias("scope"),
            pl.col("scope_id").cast(pl.String),
            pl.lit(ctx.grain, dtype=pl.String).alias("grain"),
            "period_start",
            "period_end",
            _finite(pl.col("value")).alias("value"),
            pl.lit(kpi.unit, dtype=pl.String).alias("unit"),
            _finite(pl.col("num") if kpi.reports_numerator else pl.lit(None)).alias("numerator"),
            _finite(pl.col("den") if kpi.reports_denominator else pl.lit(None)).alias("denominator"),
            pl.col("skip").cast(pl.Int64).alias("skipped"),
        ).sort("scope_id", "period_start")
    return parts
