"""Team KPIs: ramp, tenure and retention, with a rep who left mid-quarter."""

from datetime import UTC, date, datetime

import polars as pl
import pytest
from kpi_values import row, values

from kpi_engine.dataset import Dataset
from kpi_engine.engine import compute

Q1, Q2 = date(2024, 1, 1), date(2024, 4, 1)
AS_OF = date(2024, 5, 10)
USERS = pl.DataFrame(
    [
        {"id": "veteran", "name": "V", "team": "east", "started_at": date(2023, 1, 1)},
        {
            "id": "leaver",
            "name": "L",
            "team": "east",
            "started_at": date(2023, 6, 1),
            "ended_at": date(2024, 2, 15),
            "active": False,
        },
        {"id": "joiner", "name": "J", "team": "west", "started_at": date(2024, 2, 1)},
        {"id": "undated", "name": "U", "team": "west"},
        {"id": "ghost", "name": "G", "team": "west", "started_at": date(2020, 1, 1), "deleted": True},
    ]
)


def won(id_: str, owner: str, close: date, **extra: object) -> dict:
    return {
        "id": id_,
        "owner_id": owner,
        "close_date": close,
        "stage": "Won",
        "is_won": True,
        "is_closed": True,
        "amount": 100.0,
        "created_at": datetime(2023, 1, 1, tzinfo=UTC),
    } | extra


OPPS = [
    won("v1", "veteran", date(2024, 1, 20)),
    won("v2", "veteran", date(2024, 3, 1)),
    won("j0", "joiner", date(2024, 3, 1), deleted=True),
    won("j1", "joiner", date(2024, 4, 11)),
    won("u1", "undated", date(2024, 2, 1)),
    won("g1", "ghost", date(2024, 2, 1)),
    won("l1", "leaver", date(2024, 1, 5), is_won=False),
]


@pytest.fixture(scope="module")
def out() -> pl.DataFrame:
    dataset = Dataset.from_frames("org1", users=USERS, opportunities=pl.DataFrame(OPPS))
    return compute(dataset, grain="quarter", as_of=AS_OF, since=Q1, until=date(2024, 7, 1))


def test_ramp_time_days(out: pl.DataFrame) -> None:
    # veteran: Jan 1 2023 -> Jan 20 2024 = 365 + 19 = 384 (Q1); joiner: Feb 1 -> Apr 11 2024 = 29 + 31 + 10
    # = 70
    # (Q2; the Mar 1 win is deleted); undated's ramp is unknown (skipped); the leaver never won.
    assert values(out, "ramp_time_days", "rep", "veteran") == {Q1: 384.0, Q2: None}
    assert values(out, "ramp_time_days", "rep", "joiner") == {Q1: None, Q2: 70.0}
    assert values(out, "ramp_time_days") == {Q1: 384.0, Q2: 70.0}
    assert row(out, "ramp_time_days", Q1)["skipped"] == 1
    assert values(out, "ramp_time_days", "team", "west") == {Q1: None, Q2: 70.0}


def test_rep_retention_rate_with_a_rep_who_left_mid_quarter(out: pl.DataFrame) -> None:
    # Q1: active Dec 31: veteran, leaver, undated; on Mar 31 the leaver is gone (Feb 15) -> 2/3
    # Q2: active Mar 31: veteran, joiner, undated; all still on Jun 30 -> 1
    assert values(out, "rep_retention_rate") == {Q1: pytest.approx(2 / 3), Q2: 1.0}
    assert values(out, "rep_retention_rate", "team", "east") == {Q1: 0.5, Q2: 1.0}
    # the joiner was not active at Q1's start: null, not 0
    assert values(out, "rep_retention_rate", "rep", "joiner") == {Q1: None, Q2: 1.0}


def test_rep_tenure_days_rep_to_date(out: pl.DataFrame) -> None:
    tenure = out.filter((pl.col("kpi") == "rep_tenure_days") & (pl.col("scope") == "rep"))
    assert set(tenure["grain"]) == {"to_date"} and set(tenure["period_start"]) == {AS_OF}
    # veteran Jan 1 2023 -> May 10 2024 = 365 + 130 = 495; joiner Feb 1 -> May 10 = 29 + 31 + 30 + 9 = 99;
    # leaver Jun 1 2023 -> Feb 15 2024 = 214 (Jun..Dec) + 31 + 14 = 259; undated unknown
    reps = {
        r: values(out, "rep_tenure_days", "rep", r)[AS_OF] for r in ("veteran", "joiner", "leaver", "undated")
    }
    assert reps == {"veteran": 495.0, "joiner": 99.0, "leaver": 259.0, "undated": None}


def test_rep_tenure_days_team_and_org_per_period(out: pl.DataFrame) -> None:
    tenure = out.filter((pl.col("kpi") == "rep_tenure_days") & (pl.col("scope") != "rep"))
    assert set(tenure["grain"]) == {"quarter"}
    # Q1 is read on its last day, Mar 31 2024: the leaver left Feb 15 (not active); veteran Jan 1 2023 ->
    # Mar 31 2024 = 365 + 31 + 29 + 30 = 455; joiner Feb 1 -> Mar 31 = 29 + 30 = 59; undated has no start.
    # Q2 is still running on the as-of day, May 10: veteran 495, joiner 99 (as above).
    assert values(out, "rep_tenure_days", "team", "east") == {Q1: 455.0, Q2: 495.0}
    assert values(out, "rep_tenure_days", "team", "west") == {Q1: 59.0, Q2: 99.0}
    # org: Q1 (455 + 59) / 2 = 257, Q2 (495 + 99) / 2 = 297; the undated rep is skipped, not 0
    assert values(out, "rep_tenure_days") == {Q1: 257.0, Q2: 297.0}
    assert row(out, "rep_tenure_days", Q1)["skipped"] == 1
    assert row(out, "rep_tenure_days", Q1)["denominator"] == 2
