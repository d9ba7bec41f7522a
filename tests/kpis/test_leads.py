"""Leads KPIs: cohorts by creation period, conversion and response as of the run."""

from datetime import UTC, date, datetime

import polars as pl
import pytest
from kpi_values import row, values

from kpi_engine.config import KpiConfig
from kpi_engine.dataset import Dataset
from kpi_engine.engine import compute

JAN, FEB, MAR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def lead(
    id_: str, owner: str | None, created: datetime, source: str | None, status: str, **extra: object
) -> dict:
    return {
        "id": id_,
        "owner_id": owner,
        "created_at": created,
        "lead_source": source,
        "status": status,
    } | extra


LEADS = [
    lead(
        "L1",
        "u1",
        utc(2024, 1, 3, 10),
        "web",
        "converted",
        converted_at=utc(2024, 1, 5),
        converted_account_id="acc1",
        converted_opportunity_id="won1",
    ),
    lead("L2", "u1", utc(2024, 1, 10), "web", "working"),
    lead(
        "L3",
        "u2",
        utc(2024, 1, 20),
        "event",
        "converted",
        converted_at=utc(2024, 1, 22),
        converted_opportunity_id="open1",
    ),
    lead("L4", "u2", utc(2024, 2, 1), None, "new"),
    lead("L5", "u1", utc(2024, 1, 5), "web", "new", deleted=True),
    # Jan 31 23:30 UTC is Feb 1 00:30 in Berlin
    lead("L6", "u1", utc(2024, 1, 31, 23, 30), "web", "new"),
]
ACTIVITIES = [
    {"id": "a1", "kind": "call", "lead_id": "L1", "occurred_at": utc(2024, 1, 3, 12)},  # L1 + 2 h
    {"id": "a2", "kind": "email", "lead_id": "L1", "occurred_at": utc(2024, 1, 4)},
    {"id": "a3", "kind": "call", "lead_id": "L2", "occurred_at": utc(2024, 1, 10, 8)},  # L2 + 8 h
    {"id": "a4", "kind": "call", "lead_id": "L4", "occurred_at": utc(2024, 2, 2), "deleted": True},
    {"id": "a5", "kind": "email", "lead_id": "L6", "occurred_at": utc(2024, 2, 1, 5, 30)},  # L6 + 6 h
]
OPPS = [
    {"id": "won1", "stage": "Won", "is_won": True, "is_closed": True, "created_at": utc(2024, 1, 5)},
    {"id": "open1", "stage": "Open", "is_won": False, "is_closed": False, "created_at": utc(2024, 1, 22)},
]


def run(config: KpiConfig | None = None) -> pl.DataFrame:
    dataset = Dataset.from_frames(
        "org1",
        leads=pl.DataFrame(LEADS),
        activities=pl.DataFrame(ACTIVITIES),
        opportunities=pl.DataFrame(OPPS),
        accounts=pl.DataFrame({"id": ["acc1"], "name": ["Acme"], "region": ["EMEA"]}),
        users=pl.DataFrame({"id": ["u1", "u2"], "name": ["Ann", "Bob"], "team": ["east", "west"]}),
    )
    return compute(dataset, config, grain="month", as_of=date(2024, 4, 15), since=JAN, until=date(2024, 4, 1))


@pytest.fixture(scope="module")
def out() -> pl.DataFrame:
    return run()


def test_new_leads(out: pl.DataFrame) -> None:
    # January (UTC): L1, L2, L3, L6 (L5 is deleted); February: L4; March: none
    assert values(out, "new_leads") == {JAN: 4, FEB: 1, MAR: 0}
    assert values(out, "new_leads", "team", "east") == {JAN: 3, FEB: 0, MAR: 0}  # L1, L2, L6
    assert values(out, "new_leads", "region", "EMEA") == {JAN: 1, FEB: 0, MAR: 0}  # L1 converted to acc1
    assert values(out, "new_leads", "lead_source", "web") == {JAN: 3, FEB: 0, MAR: 0}


def test_leads_by_source_and_status(out: pl.DataFrame) -> None:
    assert values(out, "leads_by_source", "lead_source", "event") == {JAN: 1, FEB: 0, MAR: 0}
    assert set(out.filter(pl.col("kpi") == "leads_by_source")["scope"]) == {"lead_source"}
    by_status = {s: values(out, "leads_by_status", "status", s)[JAN] for s in ("converted", "working", "new")}
    assert by_status == {"converted": 2, "working": 1, "new": 1}
    assert values(out, "leads_by_status", "status", "new")[FEB] == 1  # L4


def test_lead_conversion_rate(out: pl.DataFrame) -> None:
    # January: L1 and L3 converted of 4 = 0.5; February: 0 of 1; March: no leads -> null
    assert values(out, "lead_conversion_rate") == {JAN: 0.5, FEB: 0.0, MAR: None}
    jan = row(out, "lead_conversion_rate", JAN)
    assert (jan["numerator"], jan["denominator"]) == (2.0, 4.0)
    assert values(out, "lead_conversion_rate", "team", "east")[JAN] == pytest.approx(
        1 / 3
    )  # L1 of L1, L2, L6


def test_lead_to_customer_rate(out: pl.DataFrame) -> None:
    # only L1's opportunity is won: 1 / 4; L3's is still open
    assert values(out, "lead_to_customer_rate") == {JAN: 0.25, FEB: 0.0, MAR: None}
    assert values(out, "lead_to_customer_rate", "lead_source", "event")[JAN] == 0.0


def test_lead_response_hours(out: pl.DataFrame) -> None:
    # January: L1 2 h, L2 8 h, L6 6 h -> 16 / 3; L3 has no activity (skipped).
    # February: L4's only activity is deleted -> null
    jan = row(out, "lead_response_hours", JAN)
    assert jan["value"] == pytest.approx(16 / 3)
    assert (jan["numerator"], jan["denominator"], jan["skipped"]) == (16.0, 3.0, 1)
    assert values(out, "lead_response_hours")[FEB] is None


def test_leads_without_response(out: pl.DataFrame) -> None:
    assert values(out, "leads_without_response") == {JAN: 1, FEB: 1, MAR: 0}  # L3; L4


def test_creation_period_follows_the_time_zone() -> None:
    berlin = run(KpiConfig(time_zone="Europe/Berlin"))
    # L6 moves to February in Berlin: January L1, L2, L3; February L4, L6
    assert values(berlin, "new_leads") == {JAN: 3, FEB: 2, MAR: 0}
    assert values(berlin, "lead_response_hours")[FEB] == 6.0


def test_nothing_dated_after_the_run_counts_yet() -> None:
    # A run as of Jan 15 (architecture.md: records dated after the as-of date are not counted yet):
    # E1 created Jan 10, its only activity is a call scheduled for Jan 20 and it converts on Jan 25, both
    # after the run; E2 is created on Jan 20, after the run.
    # January: new leads = 1 (E1); E1 has no response yet and has not converted:
    # leads_without_response = 1, lead_response_hours null (0 leads with one, 1 skipped),
    # lead_conversion_rate = 0 / 1 = 0.
    early = Dataset.from_frames(
        "org1",
        leads=pl.DataFrame(
            [
                lead("E1", "u1", utc(2024, 1, 10), "web", "converted", converted_at=utc(2024, 1, 25)),
                lead("E2", "u1", utc(2024, 1, 20), "web", "new"),
            ]
        ),
        activities=pl.DataFrame(
            [{"id": "s1", "kind": "call", "lead_id": "E1", "occurred_at": utc(2024, 1, 20)}]
        ),
        users=pl.DataFrame({"id": ["u1"], "name": ["Ann"], "team": ["east"]}),
    )
    out = compute(early, grain="month", as_of=date(2024, 1, 15), since=JAN)
    assert values(out, "new_leads") == {JAN: 1}
    assert values(out, "leads_without_response") == {JAN: 1}
    assert values(out, "lead_response_hours") == {JAN: None}
    assert values(out, "lead_conversion_rate") == {JAN: 0.0}
