"""KPIS.md section: Pipeline and funnel."""

from __future__ import annotations

import polars as pl

from kpi_engine.catalog.model import AnyKpi, DerivedKpi, Kpi, Quotient, Terms
from kpi_engine.config import KpiConfig
from kpi_engine.measures import Count, Mean, Ratio, Total, safe_divide

amount = pl.col("amount")
PIPELINE = "pipeline_at_period_end"
HELD = "weighted_pipeline_at_period_end"  # the same rows with the probability and category held then


def _velocity(t: Terms) -> Quotient:
    """Pooled over the trailing window: Σwon/Σclosed, Σwon amount/Σwon with amount, Σcycle/Σwon with a cycle.

    Pooling (a ratio of sums, not an average of per-period ratios) weighs each deal once.
    """
    def pooled(num: pl.Expr, den: pl.Expr) -> pl.Expr:
        return safe_divide(t.trailing(num.fill_null(0)), t.trailing(den.fill_null(0)))

    open_at_start = t.previous(t.value("pipeline_count"))
    won, lost = t.value("deals_won"), t.value("deals_lost")
    win_rate = pooled(won, won + lost)
    deal_size = pooled(t.numerator("average_deal_size"), t.denominator("average_deal_size"))
    cycle = pooled(t.numerator("sales_cycle_days"), t.denominator("sales_cycle_days"))
    return Quotient(open_at_start * win_rate * deal_size, cycle)


def _velocity_lookback(config: KpiConfig) -> int:
    return max(1, config.velocity_window - 1)


KPIS: list[AnyKpi] = [
    Kpi("new_opportunities", "New opportunities", "count", "opportunities created in the period",
        "D sales opportunities", fact="opportunities_created", measure=Count()),
    Kpi("new_pipeline_value", "New pipeline value", "currency",
        "amount of opportunities created in the period", "D",
        fact="opportunities_created", measure=Total(amount)),
    Kpi("pipeline_count", "Pipeline (count)", "count", "open at period end", "A; C", fact=PIPELINE,
        measure=Count()),
    Kpi("pipeline_value", "Pipeline value", "currency", "amount open at period end", "A",
        fact=PIPELINE, measure=Total(amount)),
    Kpi("weighted_pipeline", "Weighted pipeline", "currency",
        "Σ amount × probability open at period end, the probability as held at period end (see Conventions)",
        "D committed sales", fact=HELD, inputs=("opportunities", "stage_changes", "stages"),
        measure=Total(pl.col("weighted_amount"))),
    Kpi("commit_pipeline", "Commit pipeline", "currency",
        "amount open at period end with forecast category commit",
        "D bookings incl. committed", fact=HELD, inputs=("opportunities", "stage_changes", "stages"),
        measure=Total(amount, pl.col("forecast_category") == "commit")),
    DerivedKpi("sales_velocity", "Sales velocity", "currency_per_day",
               "(open at period start × win_rate × average_deal_size) / sales_cycle_days, "
               "the last three over the trailing window (default 4 periods) ending with P", "A; C; E",
               needs=("pipeline_count", "deals_won", "deals_lost", "average_deal_size", "sales_cycle_days"),
               formula=_velocity, lookback=_velocity_lookback),
    Kpi("stage_conversion", "Stage conversion", "ratio",
        "scope `stage`: of opportunities that entered the stage in the period, "
        "the share that later entered a stage of higher order or were won", "E funnel; C stage conversion",
        fact="stage_entries",
        inputs=("opportunities", "stage_changes", "stages"), scopes=("stage",),
        measure=Ratio(Count(pl.col("progressed")), Count())),
    Kpi("stage_duration_days", "Stage duration (days)", "days",
        "scope `stage`: mean days between entering the stage and entering the next, over stage visits that "
        "ended in the period", "B waiting time in the process; E pacing", fact="stage_exits",
        inputs=("opportunities", "stage_changes", "stages"), scopes=("stage",),
        measure=Mean(pl.col("duration_days"))),
    Kpi("days_open", "Days open", "days",
        "scope `opportunity`, to_date: today − created (open) or close − created (closed)", "D",
        fact="opportunity_ages", scopes=("opportunity",), to_date=True, measure=Mean(pl.col("days_open"))),
    Kpi("days_in_stage", "Days in stage", "days",
        "scope `opportunity`, to_date, open only: today − the latest stage entry", "B; E",
        fact="open_opportunity_stage_ages", inputs=("opportunities", "stage_changes"),
        scopes=("opportunity",),
        to_date=True, measure=Mean(pl.col("days_in_stage"))),
]
