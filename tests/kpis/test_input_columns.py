"""The compute reads only the columns the requested KPIs' facts declare, from any source, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from kpi_records import activity, at, dataset, opp, record, user, value_of

from kpi_engine import ColumnReader, Dataset, ParquetSource, compute, required_columns
from kpi_engine.prepared_input import prepare

AS_OF, SINCE = date(2024, 6, 30), date(2024, 1, 1)


def org() -> Dataset:
    return dataset(
        users=[user("u1")],
        accounts=[record("a1", name="A", region="emea")],
        opportunities=[
            opp("w1", close="2024-02-01", won=True, amount=300.0, account_id="a1"),
            opp("w2", close="2024-03-01", won=True, amount=200.0, account_id="gone"),
            opp("l1", close="2024-03-05", amount=999.0),
            opp("d1", close="2024-03-05", won=True, amount=5000.0, deleted=True),
        ],
        activities=[activity("c1", "call"), activity("c2", "call", opportunity_id="w1")],
        leads=[record("ld1", owner_id="u1", created_at=at("2024-01-02"), last_name="L")],
    )


class Recorder:
    """A column-reading callback (the store's way) that records what it was asked for."""

    def __init__(self, ds: Dataset) -> None:
        self.dataset = ds
        self.asked: list[dict[str, list[str]]] = []

    def __call__(self, columns: dict[str, list[str]]) -> dict[str, pl.DataFrame]:
        self.asked.append(columns)
        return {table: self.dataset.tables()[table].select(wanted) for table, wanted in columns.items()}


def test_one_kpi_reads_one_kpi_s_columns() -> None:
    recorder = Recorder(org())
    out = compute(ColumnReader(recorder), as_of=AS_OF, since=SINCE, kpis=["bookings"])
    # w1 300 + w2 200 (its account unknown: still a booking); l1 lost; d1 deleted -> 500
    assert value_of(out, "bookings", "2024-01-01") == 500
    assert recorder.asked == [required_columns(["bookings"])]  # one read, the declared columns only
    (asked,) = recorder.asked
    assert set(asked) == {"opportunities", "users", "accounts"}  # no activities, leads, stage history
    assert "name" not in asked["opportunities"] and "stage" not in asked["opportunities"]


def test_calls_read_activities_but_not_leads_or_line_items() -> None:
    recorder = Recorder(org())
    out = compute(ColumnReader(recorder), as_of=AS_OF, since=SINCE, kpis=["calls"])
    assert value_of(out, "calls", "2024-01-01") == 2
    (asked,) = recorder.asked
    assert "leads" not in asked and "line_items" not in asked
    assert "subject" not in asked["activities"] and "id" not in asked["activities"]


def test_without_since_the_first_period_comes_from_a_separate_minimum() -> None:
    # The earliest creation or activity date is read apart (a lazy minimum), not held with the input.
    recorder = Recorder(org())
    compute(ColumnReader(recorder), as_of=AS_OF, kpis=["bookings"])
    assert recorder.asked == [
        required_columns(["bookings"]),
        {
            "opportunities": ["created_at", "deleted"],
            "leads": ["created_at", "deleted"],
            "activities": ["occurred_at", "deleted"],
        },
    ]


def test_parquet_files_are_read_for_the_declared_columns(tmp_path: Path) -> None:
    for table, frame in org().tables().items():
        frame.write_parquet(tmp_path / f"{table}.parquet")
    (tmp_path / "spend.parquet").unlink()  # a table without a file is empty
    out = compute(ParquetSource(tmp_path), as_of=AS_OF, since=SINCE, kpis=["bookings", "deals_lost", "cac"])
    assert value_of(out, "bookings", "2024-01-01") == 500
    assert value_of(out, "deals_lost", "2024-01-01") == 1
    assert value_of(out, "cac", "2024-01-01") is None  # no spend known


def test_ids_are_encoded_once_and_an_unknown_id_stays_an_id() -> None:
    prepared = prepare(org(), required_columns(["bookings", "calls", "weighted_pipeline"]))
    opportunities, activities = prepared.opportunities, prepared.activities
    assert opportunities.schema["id"] == pl.Categorical()
    assert opportunities["id"].cast(pl.String).to_list() == ["w1", "w2", "l1"]  # d1 deleted
    # w2's account "gone" is no live account: still an id of its own, not a missing one (null)
    assert opportunities["account_id"].cast(pl.String).to_list() == ["a1", "gone", None]
    assert prepared.stage_changes.schema["opportunity_id"] == pl.Categorical()
    assert opportunities.schema["stage"] == pl.Categorical()
    # activities are not held: a lazy scan of the live rows, streamed by the facts that read them
    assert isinstance(activities, pl.LazyFrame)
    assert activities.select(pl.len()).collect().item() == 2


def test_the_output_comes_sorted_by_kpi_scope_id_and_period() -> None:
    # Put together from per-(kpi, scope) parts in key order, not sorted whole: the order must be the same.
    out = compute(org(), as_of=AS_OF, since=SINCE, grain="month")
    assert out.height > 1000
    assert out.equals(out.sort("kpi", "scope", "scope_id", "period_start"))


def test_a_reader_may_answer_with_a_dataset() -> None:
    # The local store answers `Store.dataset(instance, columns)` with a Dataset of those columns.
    asked: list[dict[str, list[str]]] = []

    def store_dataset(columns: dict[str, list[str]]) -> Dataset:
        asked.append(columns)
        tables = org().tables()
        return Dataset.from_frames(**{name: tables[name].select(wanted) for name, wanted in columns.items()})

    out = compute(ColumnReader(store_dataset), as_of=AS_OF, since=SINCE, kpis=["deals_won"])
    assert value_of(out, "deals_won", "2024-01-01") == 2  # w1, w2; d1 deleted
    assert asked == [required_columns(["deals_won"])]
