"""KPIS.md section: Customers and revenue, over contract coverage (fact `account_periods`).

Start MRR is read on the last day before the period, end MRR on its last day; movements follow
ChartMogul's rules (new, reactivation, expansion, contraction, churn), so they reconcile.
"""

from __future__ import annotations

import polars as pl

from kpi_engine.catalog.model import AnyKpi, DerivedKpi, Kpi, Quotient, Terms
from kpi_engine.measures import Count, Ratio, Total, safe_divide

ACCOUNTS = "account_periods"
INPUTS = ("opportunities", "accounts", "users")
start, end = pl.col("start_mrr"), pl.col("end_mrr")
customer_at_start = start > 0


def moved(movement: str) -> pl.Expr:
    return pl.col("movement") == movement


def _clv(t: Terms) -> Quotient:
    """ARPA / monthly churn: (mrr / customers) / (customer_churn_rate / months in the period)."""
    arpa = safe_divide(t.value("mrr"), t.value("customers"))
    return Quotient(arpa, t.value("customer_churn_rate") / t.months)


def _cac(t: Terms) -> Quotient:
    """A period that no spend row covers has unknown spend: CAC null, not 0."""
    spend = pl.when(t.value("spend_known") > 0).then(t.value("spend"))
    return Quotient(spend, t.value("new_customers"))


def _cac_payback(t: Terms) -> Quotient:
    return Quotient(t.value("cac"), safe_divide(t.value("new_mrr"), t.value("new_customers")))


def _mrr_kpi(id_: str, name: str, amount: pl.Expr, movement: str, which: str) -> Kpi:
    return Kpi(id_, name, "currency", f"the MRR movements over the period: {which}",
               "D new and expansion MRR; E upsell/downgrade",
               fact=ACCOUNTS, measure=Total(amount, moved(movement)), inputs=INPUTS)


KPIS: list[AnyKpi] = [
    Kpi("customers", "Customers", "count", "customers at period end", "D",
        fact=ACCOUNTS, measure=Count(end > 0), inputs=INPUTS),
    Kpi("new_customers", "New customers", "count",
        "accounts whose first covering won opportunity closed in the period",
        "A CAC", fact=ACCOUNTS, measure=Count(pl.col("new_customer")), inputs=INPUTS),
    Kpi("customer_retention_rate", "Customer retention rate", "ratio",
        "customers at period start still customers at period end / customers at period start", "B; C; D",
        fact=ACCOUNTS, inputs=INPUTS,
        measure=Ratio(Count(customer_at_start & (end > 0)), Count(customer_at_start))),
    Kpi("customer_churn_rate", "Customer churn rate", "ratio",
        "churned customers / customers at period start", "C; D",
        fact=ACCOUNTS, measure=Ratio(Count(moved("churn")), Count(customer_at_start)), inputs=INPUTS),
    Kpi("mrr", "MRR", "currency", "MRR at period end", "D", fact=ACCOUNTS, measure=Total(end), inputs=INPUTS),
    Kpi("arr", "ARR", "currency", "12 × mrr", "C", fact=ACCOUNTS, measure=Total(end * 12), inputs=INPUTS),
    _mrr_kpi("new_mrr", "New MRR", end, "new",
             "end MRR of accounts at 0 at start that were never customers before"),
    _mrr_kpi("expansion_mrr", "Expansion MRR", end - start, "expansion",
             "end − start MRR where end > start > 0"),
    _mrr_kpi("contraction_mrr", "Contraction MRR", start - end, "contraction",
             "start − end MRR where 0 < end < start"),
    _mrr_kpi("churned_mrr", "Churned MRR", start, "churn", "start MRR of accounts at 0 at end"),
    _mrr_kpi("reactivation_mrr", "Reactivation MRR", end, "reactivation",
             "end MRR of accounts at 0 at start that were customers before"),
    Kpi("net_revenue_retention", "Net revenue retention", "ratio",
        "end MRR of accounts that were customers at start / their start MRR", "C retention",
        fact=ACCOUNTS, inputs=INPUTS,
        measure=Ratio(Total(end, customer_at_start), Total(start, customer_at_start))),
    Kpi("upsell_rate", "Upsell rate", "ratio", "accounts with expansion / customers at start", "E",
        fact=ACCOUNTS, measure=Ratio(Count(moved("expansion")), Count(customer_at_start)), inputs=INPUTS),
    Kpi("downgrade_rate", "Downgrade rate", "ratio", "accounts with contraction / customers at start", "E",
        fact=ACCOUNTS, measure=Ratio(Count(moved("contraction")), Count(customer_at_start)), inputs=INPUTS),
    DerivedKpi("clv", "Customer lifetime value", "currency",
               "ARPA (mrr / customers at period end) / monthly churn "
               "(customer_churn_rate / months in the period); null when churn is 0", "A; B; D; E LTV",
               needs=("mrr", "customers", "customer_churn_rate"), formula=_clv, inputs=INPUTS),
    Kpi("account_lifetime_revenue", "Account lifetime revenue", "currency",
        "scope `account`, to_date: Σ won amount",
        "B CLV per customer", fact="account_revenue", measure=Total(pl.col("amount")),
        inputs=("opportunities", "accounts"), scopes=("account",), to_date=True),
    Kpi("spend", "Sales and marketing spend", "currency", "spend in the period, spread over periods by days",
        "A; C", fact="spend_periods", measure=Total(pl.col("spend")), inputs=("spend",), scopes=("org",),
        hidden=True),
    Kpi("spend_known", "Spend known", "count", "1 when a spend row overlaps the period, else 0", "A; C",
        fact="spend_periods",
        measure=Count(), inputs=("spend",), scopes=("org",), hidden=True),
    DerivedKpi("cac", "Customer acquisition cost", "currency",
               "sales and marketing spend in the period / new_customers", "A; C",
               needs=("spend", "spend_known", "new_customers"), formula=_cac,
               inputs=("spend", *INPUTS), scopes=("org",)),
    DerivedKpi("ltv_to_cac", "LTV to CAC", "ratio", "clv / cac", "A", needs=("clv", "cac"),
               formula=lambda t: Quotient(t.value("clv"), t.value("cac")),
               inputs=("spend", *INPUTS), scopes=("org",),
               percent=False),
    DerivedKpi("cac_payback_months", "CAC payback (months)", "months", "cac / (new_mrr / new_customers)", "A",
               needs=("cac", "new_mrr", "new_customers"), formula=_cac_payback, inputs=("spend", *INPUTS),
               scopes=("org",)),
]
