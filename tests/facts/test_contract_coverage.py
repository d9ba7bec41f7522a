"""Contract coverage: which days a won recurring opportunity covers, and at what MRR."""

from datetime import date

import polars as pl

from kpi_engine.config import KpiConfig
from kpi_engine.dataset import conform
from kpi_engine.facts.contract_coverage import contracts, first_customer_dates, mrr_on_days


def opportunities(*rows: dict) -> pl.DataFrame:
    defaults = {
        "is_won": True,
        "is_closed": True,
        "type": "new_business",
        "deleted": False,
        "contract_months": None,
    }
    return conform("opportunities", pl.DataFrame([defaults | r for r in rows]))


ACCOUNTS = conform(
    "accounts",
    pl.DataFrame({"id": ["a", "b", "gone"], "deleted": [False, False, True]}),
)


def test_jan_31_plus_one_month_ends_on_the_last_day_of_february() -> None:
    opps = opportunities(
        {
            "id": "o1",
            "account_id": "a",
            "close_date": date(2024, 1, 31),
            "amount": 500.0,
            "contract_months": 1,
        }
    )
    row = contracts(opps, ACCOUNTS, KpiConfig()).row(0, named=True)
    # 2024 is a leap year: Jan 31 + 1 month clamps to Feb 29; MRR = 500 / 1.
    assert row["cover_end"] == date(2024, 2, 29)
    assert row["mrr"] == 500.0
    covered = mrr_on_days(contracts(opps, ACCOUNTS, KpiConfig()), [date(2024, 2, 28), date(2024, 2, 29)])
    # the end is exclusive: covered on Feb 28, not on Feb 29
    assert covered["day"].to_list() == [date(2024, 2, 28)]


def test_null_contract_months_uses_the_default_and_null_amount_is_zero_mrr() -> None:
    opps = opportunities(
        {"id": "o1", "account_id": "a", "close_date": date(2024, 3, 15), "amount": 1200.0},
        {"id": "o2", "account_id": "b", "close_date": date(2024, 3, 15), "amount": None},
    )
    rows = contracts(opps, ACCOUNTS, KpiConfig()).sort("opportunity_id")
    # default 12 months: Mar 15 2024 + 12 months = Mar 15 2025; 1200 / 12 = 100 a month
    assert rows["cover_end"].to_list() == [date(2025, 3, 15)] * 2
    assert rows["mrr"].to_list() == [100.0, 0.0]
    # a configured default of 6: 1200 / 6 = 200
    six = contracts(opps, ACCOUNTS, KpiConfig(default_contract_months=6)).sort("opportunity_id")
    assert six["mrr"].to_list() == [200.0, 0.0]
    assert six["cover_end"][0] == date(2024, 9, 15)


def test_only_live_won_recurring_opportunities_on_live_accounts_cover() -> None:
    base = {"close_date": date(2024, 1, 1), "amount": 120.0, "contract_months": 12}
    opps = opportunities(
        base | {"id": "kept", "account_id": "a"},
        base | {"id": "renewal", "account_id": "a", "type": "renewal"},
        base | {"id": "other", "account_id": "a", "type": "other"},
        base | {"id": "lost", "account_id": "a", "is_won": False},
        base | {"id": "deleted", "account_id": "a", "deleted": True},
        base | {"id": "on_deleted_account", "account_id": "gone"},
        base | {"id": "no_account", "account_id": None},
        base | {"id": "unknown_account", "account_id": "never_extracted"},
    )
    kept = contracts(opps, ACCOUNTS, KpiConfig())["opportunity_id"].sort().to_list()
    assert kept == ["kept", "renewal"]
    # recurring types are configurable: with only new_business, the renewal no longer covers
    only_new = contracts(opps, ACCOUNTS, KpiConfig(recurring_types=("new_business",)))
    assert only_new["opportunity_id"].to_list() == ["kept"]


def test_mrr_on_a_day_sums_the_covering_contracts() -> None:
    opps = opportunities(
        {
            "id": "o1",
            "account_id": "a",
            "close_date": date(2024, 1, 1),
            "amount": 1200.0,
            "contract_months": 12,
        },
        {
            "id": "o2",
            "account_id": "a",
            "close_date": date(2024, 6, 1),
            "amount": 600.0,
            "contract_months": 3,
        },
        {"id": "o3", "account_id": "b", "close_date": date(2024, 6, 1), "amount": 0.3, "contract_months": 3},
    )
    rows = contracts(opps, ACCOUNTS, KpiConfig())
    by_day = mrr_on_days(rows, [date(2024, 5, 31), date(2024, 6, 1), date(2024, 9, 1)]).sort(
        "day", "account_id"
    )
    # May 31: a = 100 (o1). Jun 1: a = 100 + 200 (o2 starts), b = 0.3 / 3. Sep 1: o2 and o3 ended (Jun 1 +
    # 3mo), a = 100. MRR is not rounded: b's is the float 0.3 / 3 = 0.09999999999999999, not 0.1.
    assert by_day.select("day", "account_id", "mrr").rows() == [
        (date(2024, 5, 31), "a", 100.0),
        (date(2024, 6, 1), "a", 300.0),
        (date(2024, 6, 1), "b", 0.3 / 3),
        (date(2024, 9, 1), "a", 100.0),
    ]


def test_first_customer_date_ignores_zero_mrr_contracts() -> None:
    opps = opportunities(
        {"id": "o1", "account_id": "a", "close_date": date(2023, 5, 1), "amount": None},
        {"id": "o2", "account_id": "a", "close_date": date(2024, 2, 1), "amount": 120.0},
    )
    firsts = first_customer_dates(contracts(opps, ACCOUNTS, KpiConfig()))
    # o1 has no amount, so MRR 0: a became a customer with o2
    assert firsts.rows() == [("a", date(2024, 2, 1))]
