"""Customers and revenue KPIs over contract coverage, each checked against values worked out by hand."""

from datetime import UTC, date, datetime

import polars as pl
import pytest
from kpi_values import row, values

from kpi_engine.config import KpiConfig
from kpi_engine.dataset import Dataset
from kpi_engine.engine import compute

Q1, Q2, Q3, Q4 = date(2024, 1, 1), date(2024, 4, 1), date(2024, 7, 1), date(2024, 10, 1)
CREATED = datetime(2023, 1, 1, tzinfo=UTC)
USERS = pl.DataFrame({"id": ["u1", "u2"], "name": ["Ann", "Bob"], "team": ["east", "west"]})


def opp(
    id_: str,
    account: str | None,
    close: date,
    amount: float | None,
    months: int | None,
    type_: str = "new_business",
    **extra: object,
) -> dict:
    return {
        "id": id_,
        "account_id": account,
        "close_date": close,
        "amount": amount,
        "contract_months": months,
        "type": type_,
        "is_won": True,
        "is_closed": True,
        "stage": "Won",
        "created_at": CREATED,
    } | extra


def run(
    opps: list[dict],
    accounts: pl.DataFrame,
    config: KpiConfig | None = None,
    grain: str = "quarter",
    since: date = Q1,
    until: date = date(2025, 1, 1),
    spend: pl.DataFrame | None = None,
) -> pl.DataFrame:
    frames = {"opportunities": pl.DataFrame(opps), "accounts": accounts, "users": USERS}
    if spend is not None:
        frames["spend"] = spend
    dataset = Dataset.from_frames("org1", **frames)
    return compute(dataset, config, grain=grain, as_of=date(2025, 1, 15), since=since, until=until)


# A: 100/mo Jan 10 – Apr 10 (new Q1, churn Q2), 200/mo Aug 1 – Nov 1 (reactivation Q3, churn Q4).
# B: 200/mo from Feb 1 for a year (new Q1), +100/mo from May 15 (expansion Q2), flat after.
# C: 100/mo Nov 1 2023 – Nov 1 2024, +200/mo Jan 1 – Apr 1: expansion Q1 (100 -> 300), contraction Q2
#    (300 -> 100), flat Q3, churn Q4.
# A and C are u1's (team east), B is u2's (west). Regions: A EMEA, B AMER, C none.
ACCOUNTS = pl.DataFrame(
    {
        "id": ["A", "B", "C"],
        "name": ["A", "B", "C"],
        "owner_id": ["u1", "u2", "u1"],
        "region": ["EMEA", "AMER", None],
    }
)
OPPS = [
    opp("a1", "A", date(2024, 1, 10), 300.0, 3),
    opp("a2", "A", date(2024, 8, 1), 600.0, 3, "renewal"),
    opp("b1", "B", date(2024, 2, 1), 2400.0, 12),
    opp("b2", "B", date(2024, 5, 15), 1200.0, 12, "expansion"),
    opp("c1", "C", date(2023, 11, 1), 1200.0, 12),
    opp("c2", "C", date(2024, 1, 1), 600.0, 3),
    # none of these cover: lost, not recurring, deleted
    opp("x1", "B", date(2024, 3, 1), 9999.0, 12, is_won=False),
    opp("x2", "B", date(2024, 3, 1), 9999.0, 12, "other"),
    opp("x3", "B", date(2024, 3, 1), 9999.0, 12, deleted=True),
]


@pytest.fixture(scope="module")
def out() -> pl.DataFrame:
    return run(OPPS, ACCOUNTS)


def test_customers_and_new_customers(out: pl.DataFrame) -> None:
    # end of Q1: A, B, C; Q2: B, C; Q3: A, B, C; Q4: B
    assert values(out, "customers") == {Q1: 3, Q2: 2, Q3: 3, Q4: 1}
    # first covering wins: A and B in Q1; C in 2023; A's return in Q3 is not new
    assert values(out, "new_customers") == {Q1: 2, Q2: 0, Q3: 0, Q4: 0}


def test_mrr_and_arr(out: pl.DataFrame) -> None:
    # Q1 100 + 200 + 300; Q2 0 + 300 + 100; Q3 200 + 300 + 100; Q4 0 + 300 + 0
    assert values(out, "mrr") == {Q1: 600.0, Q2: 400.0, Q3: 600.0, Q4: 300.0}
    assert values(out, "arr") == {Q1: 7200.0, Q2: 4800.0, Q3: 7200.0, Q4: 3600.0}


def test_mrr_movements(out: pl.DataFrame) -> None:
    assert values(out, "new_mrr") == {Q1: 300.0, Q2: 0.0, Q3: 0.0, Q4: 0.0}  # A 100 + B 200
    assert values(out, "expansion_mrr") == {Q1: 200.0, Q2: 100.0, Q3: 0.0, Q4: 0.0}  # C +200; B +100
    assert values(out, "contraction_mrr") == {Q1: 0.0, Q2: 200.0, Q3: 0.0, Q4: 0.0}  # C 300 -> 100
    assert values(out, "churned_mrr") == {Q1: 0.0, Q2: 100.0, Q3: 0.0, Q4: 300.0}  # A 100; A 200 + C 100
    assert values(out, "reactivation_mrr") == {Q1: 0.0, Q2: 0.0, Q3: 200.0, Q4: 0.0}  # A back at 200


def test_retention_churn_and_rates(out: pl.DataFrame) -> None:
    # customers at start: Q1 {C}, Q2 {A, B, C}, Q3 {B, C}, Q4 {A, B, C}
    # still customers at end: Q1 {C}, Q2 {B, C}, Q3 {B, C}, Q4 {B}
    assert values(out, "customer_retention_rate") == {
        Q1: 1.0,
        Q2: pytest.approx(2 / 3),
        Q3: 1.0,
        Q4: pytest.approx(1 / 3),
    }
    assert values(out, "customer_churn_rate") == {
        Q1: 0.0,
        Q2: pytest.approx(1 / 3),
        Q3: 0.0,
        Q4: pytest.approx(2 / 3),
    }
    # expansions: Q1 C, Q2 B; contractions: Q2 C
    assert values(out, "upsell_rate") == {Q1: 1.0, Q2: pytest.approx(1 / 3), Q3: 0.0, Q4: 0.0}
    assert values(out, "downgrade_rate") == {Q1: 0.0, Q2: pytest.approx(1 / 3), Q3: 0.0, Q4: 0.0}
    churn = row(out, "customer_churn_rate", Q4)
    assert (churn["numerator"], churn["denominator"]) == (2.0, 3.0)


def test_net_revenue_retention(out: pl.DataFrame) -> None:
    # Q1: C 100 -> 300 = 3.0; Q2: (0 + 300 + 100) / (100 + 200 + 300) = 2/3;
    # Q3: (300 + 100) / (300 + 100) = 1; Q4: (0 + 300 + 0) / (200 + 300 + 100) = 0.5
    assert values(out, "net_revenue_retention") == {Q1: 3.0, Q2: pytest.approx(2 / 3), Q3: 1.0, Q4: 0.5}


def test_clv(out: pl.DataFrame) -> None:
    # Q1, Q3: no churn -> null. Q2: ARPA 400 / 2 = 200, monthly churn (1/3) / 3 = 1/9 -> 1800.
    # Q4: ARPA 300 / 1 = 300, monthly churn (2/3) / 3 = 2/9 -> 1350.
    assert values(out, "clv") == {Q1: None, Q2: pytest.approx(1800.0), Q3: None, Q4: pytest.approx(1350.0)}
    q2 = row(out, "clv", Q2)
    assert q2["numerator"] == 200.0 and q2["denominator"] == pytest.approx(1 / 9)


def test_scopes_follow_the_account_owner_and_region(out: pl.DataFrame) -> None:
    # east = A + C: Q2 start A 100 + C 300, end C 100; west = B
    assert values(out, "mrr", "team", "east") == {Q1: 400.0, Q2: 100.0, Q3: 300.0, Q4: 0.0}
    assert values(out, "churned_mrr", "team", "east")[Q2] == 100.0
    assert values(out, "customer_churn_rate", "team", "east")[Q2] == 0.5
    assert values(out, "mrr", "rep", "u2") == {Q1: 200.0, Q2: 300.0, Q3: 300.0, Q4: 300.0}
    assert values(out, "mrr", "region", "EMEA") == {Q1: 100.0, Q2: 0.0, Q3: 200.0, Q4: 0.0}


def test_no_customers_at_start_gives_null_not_zero(out: pl.DataFrame) -> None:
    # west (B) had no customer on Dec 31 2023
    west_q1 = {
        k: values(out, k, "team", "west")[Q1]
        for k in (
            "customer_retention_rate",
            "customer_churn_rate",
            "net_revenue_retention",
            "upsell_rate",
            "downgrade_rate",
        )
    }
    assert west_q1 == dict.fromkeys(west_q1, None)
    assert row(out, "customer_retention_rate", Q1, "team", "west")["denominator"] == 0.0


def test_jan_31_plus_one_month_churns_in_february() -> None:
    accounts = pl.DataFrame({"id": ["J"], "name": ["J"], "owner_id": ["u1"]})
    out = run([opp("j1", "J", date(2024, 1, 31), 100.0, 1)], accounts, grain="month", until=date(2024, 4, 1))
    jan, feb, mar = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)
    # covers Jan 31 – Feb 29 (exclusive): a customer on Jan 31, not on Feb 29
    assert values(out, "customers") == {jan: 1, feb: 0, mar: 0}
    assert values(out, "new_mrr") == {jan: 100.0, feb: 0.0, mar: 0.0}
    assert values(out, "churned_mrr") == {jan: 0.0, feb: 100.0, mar: 0.0}


def test_default_contract_months_null_amounts_and_deleted_accounts() -> None:
    accounts = pl.DataFrame(
        {
            "id": ["D", "N", "G"],
            "name": ["D", "N", "G"],
            "owner_id": ["u1"] * 3,
            "deleted": [False, False, True],
        }
    )
    opps = [
        opp("d1", "D", date(2024, 1, 15), 1200.0, None),  # default 12 months: 100/mo until Jan 15 2025
        opp("n1", "N", date(2024, 1, 15), None, 12),  # no amount: MRR 0, never a customer
        opp("g1", "G", date(2024, 1, 15), 1200.0, 12),  # deleted account
    ]
    out = run(opps, accounts, since=Q1, until=date(2025, 4, 1))
    q1_2025 = date(2025, 1, 1)
    assert values(out, "mrr") == {Q1: 100.0, Q2: 100.0, Q3: 100.0, Q4: 100.0, q1_2025: 0.0}
    assert values(out, "customers")[Q1] == 1
    assert values(out, "new_customers")[Q1] == 1
    assert values(out, "churned_mrr")[q1_2025] == 100.0


def test_fiscal_year_starting_in_february_moves_the_quarters() -> None:
    accounts = pl.DataFrame({"id": ["F"], "name": ["F"], "owner_id": ["u1"]})
    out = run(
        [opp("f1", "F", date(2024, 1, 20), 1200.0, 12)],
        accounts,
        KpiConfig(fiscal_year_start_month=2),
        since=date(2023, 11, 1),
        until=date(2024, 8, 1),
    )
    # fiscal quarters: Nov–Jan, Feb–Apr, May–Jul; Jan 20 falls in the one starting Nov 1 2023
    nov, feb, may = date(2023, 11, 1), date(2024, 2, 1), date(2024, 5, 1)
    assert values(out, "new_mrr") == {nov: 100.0, feb: 0.0, may: 0.0}
    assert values(out, "new_customers") == {nov: 1, feb: 0, may: 0}


def test_cac_ltv_to_cac_and_payback() -> None:
    accounts = pl.DataFrame({"id": ["X", "Y", "Z"], "name": ["X", "Y", "Z"], "owner_id": ["u1", "u1", "u2"]})
    opps = [
        opp("x", "X", date(2023, 12, 1), 1200.0, 12),  # 100/mo through Q1
        opp("z", "Z", date(2023, 12, 1), 300.0, 3),  # 100/mo Dec 1 – Mar 1: churns in Q1
        opp("y", "Y", date(2024, 2, 1), 2400.0, 12),  # new in Q1 at 200/mo
    ]
    spend = pl.DataFrame(
        {
            "period_start": [date(2024, 1, 1), date(2024, 4, 1)],
            "period_end": [date(2024, 4, 1), date(2024, 5, 1)],
            "amount": [600.0, 50.0],
        }
    )
    out = run(opps, accounts, spend=spend, until=date(2024, 7, 1))
    # Q1: spend 600, new customers 1 (Y) -> cac 600. Q2: spend 50, no new customer -> null
    assert values(out, "cac") == {Q1: 600.0, Q2: None}
    # Q1 clv: ARPA (X 100 + Y 200) / 2 = 150; monthly churn (1/2) / 3 = 1/6 -> 900; ltv/cac = 1.5
    assert values(out, "clv")[Q1] == pytest.approx(900.0)
    assert values(out, "ltv_to_cac")[Q1] == pytest.approx(1.5)
    # payback: cac 600 / (new_mrr 200 / new_customers 1) = 3 months
    assert values(out, "cac_payback_months")[Q1] == pytest.approx(3.0)
    assert values(out, "cac_payback_months")[Q2] is None
    # cac is an org KPI only
    assert set(out.filter(pl.col("kpi") == "cac")["scope"]) == {"org"}


def test_cac_is_null_without_spend_data() -> None:
    accounts = pl.DataFrame({"id": ["Y"], "name": ["Y"], "owner_id": ["u1"]})
    out = run([opp("y", "Y", date(2024, 2, 1), 2400.0, 12)], accounts, until=date(2024, 4, 1))
    # one new customer in Q1 but no spend file: spend is unknown, so CAC and what uses it are null, not 0
    assert values(out, "new_customers") == {Q1: 1}
    assert values(out, "cac") == {Q1: None}
    assert values(out, "cac_payback_months") == {Q1: None}


def test_account_lifetime_revenue_to_date() -> None:
    accounts = pl.DataFrame({"id": ["A", "B"], "name": ["A", "B"], "owner_id": ["u1", "u1"]})
    opps = [
        opp("a1", "A", date(2024, 1, 10), 300.0, 3),
        opp("a2", "A", date(2024, 8, 1), 600.0, 3, "renewal"),
        opp("a3", "A", date(2024, 9, 1), 50.0, None, "other"),  # not recurring, still won revenue
        opp("a4", "A", date(2024, 9, 1), None, None),  # no amount: 0
        opp("a5", "A", date(2024, 9, 1), 1000.0, None, is_won=False),  # lost
        opp("a6", "A", date(2024, 9, 1), 1000.0, None, deleted=True),
        opp("a7", "A", date(2025, 6, 1), 1000.0, None),  # closes after the run
    ]
    dataset = Dataset.from_frames("org1", opportunities=pl.DataFrame(opps), accounts=accounts, users=USERS)
    out = compute(dataset, grain="to_date", as_of=date(2025, 1, 15), kpis=["account_lifetime_revenue"])
    # A: 300 + 600 + 50 + 0 = 950; B has no won deal: 0
    got = dict(out.select("scope_id", "value").iter_rows())
    assert got == {"A": 950.0, "B": 0.0}
    assert set(out["scope"]) == {"account"} and set(out["period_start"]) == {date(2025, 1, 15)}


def test_mrr_is_reported_unrounded_at_every_scope() -> None:
    # One account of u1 with 100 over 3 months from Jan 1: MRR 100 / 3 = 33.333333333333336 on Mar 31. The
    # value is reported as computed (rounding each account's daily MRR to 6 decimals gave 33.333333, 3.3e-7
    # off), and 12 × for ARR. Movements are still classified: a new customer in Q1, churned in Q2 (Apr 1).
    accounts = pl.DataFrame({"id": ["A"], "name": ["A"], "owner_id": ["u1"], "region": ["EMEA"]})
    out = run([opp("a1", "A", date(2024, 1, 1), 100.0, 3)], accounts, until=Q3)
    for scope, scope_id in [("org", "org1"), ("rep", "u1"), ("team", "east"), ("region", "EMEA")]:
        assert values(out, "mrr", scope, scope_id)[Q1] == pytest.approx(100 / 3, rel=1e-15, abs=0)
        assert values(out, "mrr", scope, scope_id)[Q1] != round(100 / 3, 6)
    assert values(out, "arr")[Q1] == pytest.approx(12 * 100 / 3, rel=1e-15, abs=0)
    assert values(out, "new_mrr")[Q1] == pytest.approx(100 / 3, rel=1e-15, abs=0)
    assert values(out, "churned_mrr")[Q2] == pytest.approx(100 / 3, rel=1e-15, abs=0)
    assert values(out, "expansion_mrr") == {Q1: 0.0, Q2: 0.0}


def test_float_noise_is_no_movement() -> None:
    # B holds three contracts of 0.1, 0.2 and 0.3 a month (amounts 1.2, 2.4, 3.6 over 12 months) from Jan 1
    # and nothing changes in Q2: start and end MRR of Q2 are the same three contracts, which summed in
    # another order may differ in the last bit (0.1 + 0.2 + 0.3 = 0.6000000000000001, 0.3 + 0.2 + 0.1 = 0.6).
    # Classified rounded, that is no movement: expansion and contraction 0, and retention exactly 1.
    accounts = pl.DataFrame({"id": ["B"], "name": ["B"], "owner_id": ["u2"], "region": ["AMER"]})
    opps = [opp(f"b{i}", "B", date(2024, 1, 1), amount, 12) for i, amount in enumerate([1.2, 2.4, 3.6])]
    out = run(opps, accounts, until=Q3)
    assert values(out, "expansion_mrr")[Q2] == 0.0
    assert values(out, "contraction_mrr")[Q2] == 0.0
    assert values(out, "net_revenue_retention")[Q2] == pytest.approx(1.0, rel=1e-12)
    assert values(out, "mrr")[Q2] == pytest.approx(0.6, rel=1e-12)
