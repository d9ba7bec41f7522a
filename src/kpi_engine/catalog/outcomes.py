"""KPIS.md section: Outcomes. Outcome KPIs belong to the period holding `close_date`."""

from __future__ import annotations

import polars as pl

from kpi_engine.catalog.model import AnyKpi, DerivedKpi, Kpi, Quotient, Terms
from kpi_engine.measures import Count, Mean, Median, Ratio, Total

won, lost = pl.col("won"), pl.col("lost")
amount = pl.col("amount")
CLOSED = "opportunities_closed"
LINES = "line_items_won"
REP_TEAM_ORG = ("org", "team", "rep")


def _growth(t: Terms) -> Quotient:
    before = t.previous(t.value("bookings"))
    return Quotient(t.value("bookings") - before, before)


KPIS: list[AnyKpi] = [
    Kpi("deals_won", "Deals won", "count", "count of won, by close date", "C deals closed; D sales per rep",
        fact=CLOSED, measure=Count(won)),
    Kpi("deals_lost", "Deals lost", "count", "count of lost, by close date", "C win-loss",
        fact=CLOSED, measure=Count(lost)),
    Kpi("bookings", "Bookings", "currency", "sum of won amount", "C total revenue; D bookings; E revenue",
        fact=CLOSED, measure=Total(amount, won)),
    Kpi("win_rate", "Win rate", "ratio", "won / closed (by count) — Salesforce's and MetricFlow's definition",
        "A win rate; C close ratio; E", fact=CLOSED, measure=Ratio(Count(won), Count())),
    Kpi("win_rate_amount", "Win rate by amount", "ratio", "won amount / closed amount", "E",
        fact=CLOSED, measure=Ratio(Total(amount, won), Total(amount))),
    Kpi("win_loss_ratio", "Win/loss ratio", "ratio", "won / lost", "C",
        fact=CLOSED, measure=Ratio(Count(won), Count(lost)), percent=False),
    Kpi("average_deal_size", "Average deal size", "currency", "won amount / won with an amount", "A; C; E",
        fact=CLOSED, measure=Mean(amount, won)),
    Kpi("average_selling_price", "Average selling price", "currency",
        "sum of line-item total / sum of quantity, over line items of won opportunities",
        "D ASP; E revenue per sale", fact=LINES, inputs=("opportunities", "line_items"),
        measure=Ratio(Total(pl.col("total_price")), Total(pl.col("quantity")))),
    Kpi("units_sold", "Units sold", "count", "sum of line-item quantity on won; also per `product`",
        "E order volume", fact=LINES, inputs=("opportunities", "line_items"),
        scopes=("org", "team", "rep", "region", "product"), measure=Total(pl.col("quantity"))),
    Kpi("revenue_by_product", "Revenue by product", "currency",
        "sum of line-item total on won, scope `product`",
        "C; E product performance", fact=LINES, inputs=("opportunities", "line_items"),
        scopes=("product",), measure=Total(pl.col("total_price"))),
    Kpi("acv", "Annual contract value", "currency", "mean over won of amount × 12 / contract_months", "B; E",
        fact=CLOSED, measure=Mean(pl.col("annualized_amount"), won)),
    Kpi("sales_cycle_days", "Sales cycle (days)", "days", "mean of (close_date − created_at date) over won",
        "A; C time to close; D", fact=CLOSED, measure=Mean(pl.col("cycle_days"), won)),
    Kpi("sales_cycle_days_median", "Sales cycle, median (days)", "days", "median of the same", "A",
        fact=CLOSED, measure=Median(pl.col("cycle_days"), won)),
    DerivedKpi("sales_growth", "Sales growth", "ratio", "(bookings(P) − bookings(P−1)) / bookings(P−1)",
               "C; E", needs=("bookings",), formula=_growth, lookback=1),
    Kpi("new_business_share", "New business share", "ratio", "won amount of type new_business / bookings",
        "E revenue contribution of new leads", fact=CLOSED,
        measure=Ratio(Total(amount, won & (pl.col("type") == "new_business")), Total(amount, won))),
    Kpi("quota", "Quota", "currency", "quota amounts, spread over periods by days of overlap", "E targets",
        fact="quotas", inputs=("quotas", "users"), scopes=REP_TEAM_ORG, measure=Total(pl.col("quota")),
        hidden=True),
    DerivedKpi("quota_attainment", "Quota attainment", "ratio",
               "bookings / quota (quotas summed over the scope)",
               "E targets", needs=("bookings", "quota"), inputs=("opportunities", "quotas", "users"),
               scopes=REP_TEAM_ORG,
               formula=lambda t: Quotient(t.value("bookings"), t.value("quota"))),
    Kpi("reps_at_quota_share", "Reps at quota", "ratio",
        "reps with attainment ≥ 1 / reps with a quota (team, org)",
        "E \"if less than 60% hit\"", fact="rep_quota_attainment",
        inputs=("opportunities", "quotas", "users"),
        scopes=("org", "team"), measure=Ratio(Count(pl.col("at_quota")), Count())),
    Kpi("reps_active", "Reps active", "count", "reps active in the period", "D",
        fact="rep_periods", inputs=("users",), scopes=REP_TEAM_ORG, measure=Count(pl.col("active_in_period")),
        hidden=True),
    DerivedKpi("sales_per_rep", "Sales per rep", "currency",
               "bookings / reps active in the period (started before its end, not ended before its start)",
               "D; C productivity", needs=("bookings", "reps_active"), inputs=("opportunities", "users"),
               scopes=REP_TEAM_ORG,
               formula=lambda t: Quotient(t.value("bookings"), t.value("reps_active"))),
    Kpi("referral_customers", "Referral customers", "count",
        "won new_business whose lead source is in the configured referral sources", "B", fact=CLOSED,
        measure=Count(won & (pl.col("type") == "new_business") & pl.col("is_referral"))),
]
