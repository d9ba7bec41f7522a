"""Outcome KPIs on a hand-made org; every expected value is worked out in the comments."""

from __future__ import annotations

from datetime import date

import pytest
from kpi_records import dataset, opp, record, row_of, user, value_of, values

from kpi_engine import KpiConfig

Q4_23, Q1, Q2 = "2023-10-01", "2024-01-01", "2024-04-01"


@pytest.fixture(scope="module")
def out():
    users = [
        user("u1", "A"),
        user("u2", "A"),
        # left mid-Q1: active in Q1, not in Q2
        user("u3", "B", started_at=date(2023, 1, 1), ended_at=date(2024, 2, 15)),
    ]
    accounts = [
        record("a1", name="a1", created_at=dict(opp("x"))["created_at"], region="emea"),
        record("a2", name="a2", created_at=dict(opp("x"))["created_at"], region="amer"),
    ]
    opportunities = [
        # EUR deal: amount is already in the reporting currency; amount_original is not used.
        opp(
            "o1",
            "u1",
            close="2024-02-01",
            won=True,
            amount=1000.0,
            type="new_business",
            contract_months=24,
            lead_source="Referral",
            account_id="a1",
            currency="EUR",
            amount_original=900.0,
        ),
        opp("o2", "u1", close="2024-03-01", won=True, amount=None, type="renewal", account_id="a1"),
        opp("o3", "u2", close="2024-03-10", won=False, amount=500.0, account_id="a2"),
        opp(
            "o4",
            "u3",
            created="2023-12-01",
            close="2024-02-10",
            won=True,
            amount=3000.0,
            type="expansion",
            account_id="a2",
        ),
        opp("o5", "u1", close="2024-02-05", won=True, amount=99999.0, deleted=True),  # deleted: never counts
        opp(
            "o6", "u2", created="2024-04-01", close="2024-05-01", won=True, amount=2000.0, type="new_business"
        ),
        opp("o7", "u2", created="2024-04-01", close="2024-05-15", won=False, amount=1000.0),
        # lost, then reopened: open now, so not lost in any period
        opp("o8", "u1", close="2024-02-20", closed=False, won=False, amount=700.0),
    ]
    line_items = [
        record("l1", opportunity_id="o1", product_id="p1", quantity=2.0, total_price=600.0),
        record("l2", opportunity_id="o1", product_id="p2", quantity=1.0, unit_price=400.0),  # total = 1 × 400
        record("l3", opportunity_id="o4", product_id="p1", quantity=3.0, total_price=900.0),
        record("l4", opportunity_id="o3", product_id="p1", quantity=10.0, total_price=5000.0),  # lost: no
    ]
    quotas = [
        # by email, any case: 2000 over Jan 1..Jul 1 (182 days) -> 91/182 = 1000 in Q1 and 1000 in Q2
        {
            "owner": "U1@Example.com",
            "period_start": date(2024, 1, 1),
            "period_end": date(2024, 7, 1),
            "amount": 2000.0,
        },
        {"owner": "u2", "period_start": date(2024, 1, 1), "period_end": date(2024, 4, 1), "amount": 1000.0},
    ]
    ds = dataset(
        users=users, accounts=accounts, opportunities=opportunities, line_items=line_items, quotas=quotas
    )
    return values(ds)


def test_counts_and_bookings(out) -> None:
    # Q1: won o1, o2, o4 (o5 deleted, o8 reopened); lost o3. Bookings 1000 + null(0) + 3000.
    assert value_of(out, "deals_won", Q1) == 3
    assert value_of(out, "deals_lost", Q1) == 1
    assert value_of(out, "bookings", Q1) == 4000
    # Q2: won o6 2000, lost o7
    assert value_of(out, "bookings", Q2) == 2000


def test_by_rep_team_region(out) -> None:
    # u1: o1 1000 (+ o2 null); u3: o4 3000 (team B, his current team); u2 nothing won in Q1
    assert value_of(out, "bookings", Q1, "rep", "u1") == 1000
    assert value_of(out, "bookings", Q1, "rep", "u2") == 0
    assert value_of(out, "bookings", Q1, "team", "A") == 1000
    assert value_of(out, "bookings", Q1, "team", "B") == 3000
    # regions of the accounts: emea o1+o2 = 1000, amer o4 = 3000
    assert value_of(out, "bookings", Q1, "region", "emea") == 1000
    assert value_of(out, "bookings", Q1, "region", "amer") == 3000


def test_ratios(out) -> None:
    assert value_of(out, "win_rate", Q1) == pytest.approx(3 / 4)
    # won amount 4000 / closed amount 1000 + 0 + 500 + 3000
    assert value_of(out, "win_rate_amount", Q1) == pytest.approx(4000 / 4500)
    assert value_of(out, "win_loss_ratio", Q1) == pytest.approx(3.0)
    assert value_of(out, "new_business_share", Q1) == pytest.approx(1000 / 4000)
    row = row_of(out, "win_rate", Q1)
    assert (row["numerator"], row["denominator"]) == (3, 4)


def test_no_closed_deals_is_null_not_zero(out) -> None:
    # Q4 2023 (o4 created then) has no closed deal: counts 0, ratios and averages null.
    assert value_of(out, "deals_won", Q4_23) == 0
    assert value_of(out, "win_rate", Q4_23) is None
    assert value_of(out, "average_deal_size", Q4_23) is None
    # team B closes nothing in Q2
    assert value_of(out, "win_rate", Q2, "team", "B") is None


def test_averages_skip_null_amounts(out) -> None:
    # won amounts 1000, null, 3000: mean over the two with an amount, one skipped
    row = row_of(out, "average_deal_size", Q1)
    assert (row["value"], row["numerator"], row["denominator"], row["skipped"]) == (2000, 4000, 2, 1)
    # acv: o1 1000 × 12 / 24 = 500; o4 3000 × 12 / 12 (default) = 3000; o2 skipped -> 1750
    row = row_of(out, "acv", Q1)
    assert (row["value"], row["skipped"]) == (1750, 1)


def test_sales_cycle(out) -> None:
    # o1 Jan 5 -> Feb 1 = 27; o2 Jan 5 -> Mar 1 = 26 + 29 + 1 = 56; o4 Dec 1 -> Feb 10 = 30 + 31 + 10 = 71
    assert value_of(out, "sales_cycle_days", Q1) == pytest.approx((27 + 56 + 71) / 3)
    assert value_of(out, "sales_cycle_days_median", Q1) == 56


def test_sales_growth(out) -> None:
    # Q1 over Q4 2023 (0): null; Q2 (2000 - 4000) / 4000
    assert value_of(out, "sales_growth", Q1) is None
    assert value_of(out, "sales_growth", Q2) == pytest.approx(-0.5)


def test_line_items(out) -> None:
    # won lines: l1 (p1, 2, 600), l2 (p2, 1, 400 from unit price), l3 (p1, 3, 900); l4 is on a lost deal
    assert value_of(out, "units_sold", Q1) == 6
    assert value_of(out, "units_sold", Q1, "product", "p1") == 5
    assert value_of(out, "revenue_by_product", Q1, "product", "p1") == 1500
    assert value_of(out, "revenue_by_product", Q1, "product", "p2") == 400
    assert value_of(out, "average_selling_price", Q1) == pytest.approx(1900 / 6)


def test_referral_customers(out) -> None:
    # o1: new_business, lead source "Referral" (any case)
    assert value_of(out, "referral_customers", Q1) == 1
    assert value_of(out, "referral_customers", Q2) == 0


def test_quota_attainment(out) -> None:
    # Q1 quotas: u1 1000 (email resolved, spread by days), u2 1000. Bookings u1 1000, u2 0.
    assert value_of(out, "quota_attainment", Q1, "rep", "u1") == pytest.approx(1.0)
    assert value_of(out, "quota_attainment", Q1, "rep", "u2") == 0
    assert value_of(out, "quota_attainment", Q1, "rep", "u3") is None  # no quota
    assert value_of(out, "quota_attainment", Q1, "team", "A") == pytest.approx(1000 / 2000)
    assert value_of(out, "quota_attainment", Q1) == pytest.approx(4000 / 2000)  # org bookings include u3
    # Q2: only u1's second half (1000) remains; org bookings 2000
    assert value_of(out, "quota_attainment", Q2) == pytest.approx(2.0)


def test_reps_at_quota_share(out) -> None:
    # Q1: u1 at 1.0 (counts), u2 at 0 -> 1 / 2; team B has nobody with a quota -> null
    assert value_of(out, "reps_at_quota_share", Q1) == pytest.approx(0.5)
    assert value_of(out, "reps_at_quota_share", Q1, "team", "B") is None
    # Q2: u1 has quota 1000 and books 0 -> 0 / 1
    assert value_of(out, "reps_at_quota_share", Q2) == 0


def test_sales_per_rep_with_a_rep_who_left(out) -> None:
    # Q1: u1, u2, u3 active (u3 left Feb 15) -> 4000 / 3. Q2: u1, u2 -> 2000 / 2.
    assert value_of(out, "sales_per_rep", Q1) == pytest.approx(4000 / 3)
    assert value_of(out, "sales_per_rep", Q2) == pytest.approx(1000)
    assert value_of(out, "sales_per_rep", Q2, "team", "B") is None  # nobody active, nothing booked


def test_fiscal_year_starting_in_february() -> None:
    ds = dataset(
        users=[user("u1")],
        opportunities=[
            opp("a", close="2024-01-31", won=True, amount=10.0, created="2023-06-01"),  # FY from 2023-02-01
            opp("b", close="2024-02-01", won=True, amount=20.0, created="2023-06-01"),  # FY from 2024-02-01
        ],
    )
    out = values(ds, KpiConfig(fiscal_year_start_month=2), grain="year", as_of=date(2024, 6, 30))
    assert value_of(out, "bookings", "2023-02-01") == 10
    assert value_of(out, "bookings", "2024-02-01") == 20
    assert row_of(out, "bookings", "2024-02-01")["period_end"] == date(2025, 2, 1)


def test_a_one_day_quota_counts_as_one_day() -> None:
    # The schema accepts period_end = period_start (a quota written for one day); spend counts such a row
    # as one day, and so must quotas: u1's 500 for Feb 10 falls wholly in February. No bookings:
    # attainment = 0 / 500 = 0, not null (a quota is there).
    quotas = [
        {"owner": "u1", "period_start": date(2024, 2, 10), "period_end": date(2024, 2, 10), "amount": 500.0}
    ]
    ds = dataset(users=[user("u1")], opportunities=[opp("o1", created="2024-02-01")], quotas=quotas)
    out = values(ds, grain="month", since=date(2024, 2, 1), until=date(2024, 3, 1))
    assert value_of(out, "quota_attainment", "2024-02-01", "rep", "u1") == 0
