"""Property: MRR movements reconcile at every scope and period, for random small orgs.

Σ start + new + expansion + reactivation − contraction − churned = Σ end, and start(P) = end(P−1).
"""

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_engine.config import KpiConfig
from kpi_engine.dataset import conform
from kpi_engine.facts.account_periods import account_periods
from kpi_engine.facts.contract_coverage import contracts

ACCOUNT_IDS = ["a1", "a2", "a3", "a4"]
FIRST_DAY = date(2023, 10, 1)

opportunity = st.fixed_dictionaries(
    {
        "account_id": st.sampled_from(ACCOUNT_IDS),
        "close_date": st.integers(0, 800).map(lambda d: FIRST_DAY + timedelta(days=d)),
        "amount": st.one_of(st.none(), st.integers(0, 5000).map(float)),
        "contract_months": st.one_of(st.none(), st.integers(1, 14)),
        "type": st.sampled_from(["new_business", "renewal", "expansion", "other"]),
        "is_won": st.booleans(),
        "deleted": st.sampled_from([False, False, False, True]),
    }
)
account = st.fixed_dictionaries(
    {"owner_id": st.sampled_from(["u1", "u2", None]), "region": st.sampled_from(["EMEA", "AMER", None])}
)


def month_periods(months: int, start: date) -> pl.DataFrame:
    month_numbers = [start.month - 1 + i for i in range(months + 1)]
    starts = [date(start.year + m // 12, m % 12 + 1, 1) for m in month_numbers]
    return pl.DataFrame({"period_start": starts[:-1], "period_end": starts[1:]})


def movement_total(name: str, amount: pl.Expr) -> pl.Expr:
    return amount.filter(pl.col("movement") == name).sum().alias(name)


@settings(max_examples=60, deadline=None)
@given(
    opps=st.lists(opportunity, max_size=14),
    accounts=st.lists(account, min_size=len(ACCOUNT_IDS), max_size=len(ACCOUNT_IDS)),
    months_per_period=st.sampled_from([1, 3, 12]),
)
def test_movements_reconcile_at_every_scope(
    opps: list[dict], accounts: list[dict], months_per_period: int
) -> None:
    opp_frame = conform(
        "opportunities",
        pl.DataFrame([o | {"id": f"o{i}", "is_closed": True} for i, o in enumerate(opps)] or None),
    )
    account_frame = conform(
        "accounts", pl.DataFrame([a | {"id": i} for i, a in zip(ACCOUNT_IDS, accounts, strict=True)])
    )
    users = conform("users", pl.DataFrame({"id": ["u1", "u2"], "team": ["east", None]}))
    monthly = month_periods(24, date(2024, 1, 1))
    periods = monthly.gather_every(months_per_period).with_columns(
        pl.col("period_start").dt.offset_by(f"{months_per_period}mo").alias("period_end")
    )
    fact = account_periods(
        contracts(opp_frame, account_frame, KpiConfig()), account_frame, users, periods, "org"
    )
    s, e = pl.col("start_mrr"), pl.col("end_mrr")
    for scope in ("org", "team", "rep", "region"):
        sums = fact.group_by(scope, "period_start").agg(
            s.sum().alias("start"),
            e.sum().alias("end"),
            movement_total("new", e),
            movement_total("reactivation", e),
            movement_total("expansion", e - s),
            movement_total("contraction", s - e),
            movement_total("churn", s),
        )
        gap = sums.select(
            (
                pl.col("start")
                + pl.col("new")
                + pl.col("reactivation")
                + pl.col("expansion")
                - pl.col("contraction")
                - pl.col("churn")
                - pl.col("end")
            )
            .abs()
            .max()
        ).item()
        assert gap is None or gap < 1e-6, scope
    # start(P) = end(P−1) for every account
    previous = fact.select(
        "account",
        pl.col("period_start").dt.offset_by(f"{months_per_period}mo"),
        pl.col("end_mrr").alias("prev"),
    )
    joined = fact.join(previous, on=["account", "period_start"], how="left").filter(
        pl.col("period_start") > periods["period_start"].min()
    )
    assert (joined["start_mrr"] - joined["prev"].fill_null(0.0)).abs().max() in (None, 0.0)
    # every movement is one of ChartMogul's and signs agree with it
    assert fact.filter((pl.col("movement") == "expansion") & ~(e > s)).height == 0
    assert fact.filter((pl.col("movement") == "churn") & ~(e == 0)).height == 0


MOVEMENT_KPIS = ["mrr", "new_mrr", "expansion_mrr", "reactivation_mrr", "contraction_mrr", "churned_mrr"]


@settings(max_examples=25, deadline=None)
@given(
    opps=st.lists(opportunity, max_size=12),
    accounts=st.lists(account, min_size=len(ACCOUNT_IDS), max_size=len(ACCOUNT_IDS)),
    grain=st.sampled_from(["month", "quarter"]),
    fiscal_start=st.integers(1, 12),
)
def test_computed_mrr_kpis_reconcile_at_every_scope(
    opps: list[dict], accounts: list[dict], grain: str, fiscal_start: int
) -> None:
    """Through compute(): mrr(P−1) + new + expansion + reactivation − contraction − churned = mrr(P)."""
    from kpi_engine.dataset import Dataset
    from kpi_engine.engine import compute

    created = {"created_at": pl.datetime(2023, 1, 1, time_zone="UTC"), "stage": pl.lit("s")}
    opp_frame = pl.DataFrame([o | {"id": f"o{i}", "is_closed": True} for i, o in enumerate(opps)] or None)
    if opp_frame.height:
        opp_frame = opp_frame.with_columns(**created)
    dataset = Dataset.from_frames(
        "org",
        opportunities=opp_frame,
        accounts=pl.DataFrame([a | {"id": i, "name": i} for i, a in zip(ACCOUNT_IDS, accounts, strict=True)]),
        users=pl.DataFrame({"id": ["u1", "u2"], "name": ["a", "b"], "team": ["east", None]}),
    )
    out = compute(
        dataset,
        KpiConfig(fiscal_year_start_month=fiscal_start),
        grain=grain,
        as_of=date(2026, 1, 1),
        since=date(2024, 1, 1),
        until=date(2025, 7, 1),
        kpis=MOVEMENT_KPIS,
    )
    wide = out.pivot("kpi", index=["scope", "scope_id", "period_start"], values="value").sort(
        "scope", "scope_id", "period_start"
    )
    assert "org" in set(wide["scope"])
    start = pl.col("mrr").shift(1).over("scope", "scope_id")
    gap = wide.select(
        (
            start
            + pl.col("new_mrr")
            + pl.col("expansion_mrr")
            + pl.col("reactivation_mrr")
            - pl.col("contraction_mrr")
            - pl.col("churned_mrr")
            - pl.col("mrr")
        )
        .abs()
        .max()
    ).item()
    assert gap is None or gap < 1e-6
