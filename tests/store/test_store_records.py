"""Records and cursors: upserts by (instance, id), tombstones, and a batch stored all or nothing."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from records_factory import T0, account, activity, at, batch, opportunity, user

from connectors.base import Quarantined
from sync.store import Store
from sync.store import records as records_module


def test_a_batch_stores_its_records_and_its_cursor(store: Store) -> None:
    saved = store.save_batch(
        "acme",
        batch(
            "opportunities",
            [opportunity("006A"), opportunity("006B")],
            cursor={"modstamp": "2025-03-01T09:30:00Z", "id": "006B"},
        ),
    )
    assert (saved.records, saved.quarantined) == (2, 0)
    assert store.cursor("acme", "opportunities") == {"modstamp": "2025-03-01T09:30:00Z", "id": "006B"}
    assert sorted(store.table("acme", "opportunities")["id"].to_list()) == ["006A", "006B"]


def test_records_of_two_instances_with_one_id_are_kept_apart(store: Store) -> None:
    store.save_batch("acme-sf", batch("users", [user("005A", name="Ada")]))
    store.save_batch("acme-hs", batch("users", [user("005A", name="Grace", source="hubspot")]))
    assert store.table("acme-sf", "users")["name"].to_list() == ["Ada"]
    assert store.table("acme-hs", "users")["name"].to_list() == ["Grace"]


def test_a_record_changed_then_deleted_is_kept_as_a_tombstone_with_its_last_values(store: Store) -> None:
    store.save_batch("acme", batch("opportunities", [opportunity("006A", amount=100.0, modified_at=at(1))]))
    store.save_batch("acme", batch("opportunities", [opportunity("006A", amount=250.0, modified_at=at(2))]))
    changed = store.table("acme", "opportunities")
    assert changed.select("amount", "deleted").rows() == [(250.0, False)]

    store.save_batch(
        "acme", batch("opportunities", [opportunity("006A", amount=250.0, deleted=True, modified_at=at(3))])
    )
    gone = store.table("acme", "opportunities")
    assert gone.select("id", "amount", "deleted", "modified_at").rows() == [("006A", 250.0, True, at(3))]
    assert store.table("acme", "opportunities", include_deleted=False).height == 0


def test_an_older_version_read_again_does_not_replace_a_newer_one(store: Store) -> None:
    store.save_batch(
        "acme",
        batch(
            "opportunities",
            [opportunity("006A", stage="Negotiation", is_closed=False, is_won=False, modified_at=at(5))],
        ),
    )
    store.save_batch(
        "acme",
        batch(
            "opportunities",
            [opportunity("006A", stage="Prospecting", is_closed=False, is_won=False, modified_at=at(4))],
        ),
    )
    assert store.table("acme", "opportunities")["stage"].to_list() == ["Negotiation"]
    # The same version again (a resumed run re-reads its last page) is stored again, harmlessly.
    store.save_batch(
        "acme",
        batch(
            "opportunities",
            [opportunity("006A", stage="Negotiation", is_closed=False, is_won=False, modified_at=at(5))],
        ),
    )
    assert store.table("acme", "opportunities")["stage"].to_list() == ["Negotiation"]


def test_a_batch_without_a_cursor_keeps_the_stored_one(store: Store) -> None:
    store.save_batch("acme", batch("users", [user("005A")], cursor={"after": "10"}))
    store.save_batch("acme", batch("users", [user("005B")], cursor=None))
    assert store.cursor("acme", "users") == {"after": "10"}


def test_when_the_transaction_fails_mid_batch_neither_records_nor_cursor_are_saved(store: Store) -> None:
    store.save_batch("acme", batch("users", [user("005A", name="Ada")], cursor={"after": "1"}))
    # The run row is missing, so counting the batch into it fails after the records and the cursor were
    # written in the transaction: all of it must roll back.
    with pytest.raises(KeyError, match="run 'never-started'"):
        store.save_batch(
            "acme",
            batch("users", [user("005A", name="Ada L."), user("005B")], cursor={"after": "2"}),
            run="never-started",
        )
    assert store.cursor("acme", "users") == {"after": "1"}
    assert store.table("acme", "users").select("id", "name").rows() == [("005A", "Ada")]


def test_a_failure_after_the_records_and_before_the_cursor_rolls_the_records_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise ConnectionError("connection lost")

    monkeypatch.setattr(records_module, "save_cursor", broken)
    with pytest.raises(ConnectionError):
        store.save_batch("acme", batch("users", [user("005A")], cursor={"after": "1"}))
    monkeypatch.undo()
    assert store.cursor("acme", "users") is None
    assert store.table("acme", "users").height == 0


def test_quarantined_rows_are_stored_with_run_reason_and_raw_row(store: Store) -> None:
    run = store.start_run("acme")
    bad = Quarantined(
        "opportunities",
        "Opportunity",
        "006X",
        "amount: not an amount: 'lots'",
        {"Id": "006X", "Amount": "lots", "CloseDate": date(2025, 1, 1)},
    )
    store.save_batch("acme", batch("opportunities", [opportunity("006A")], quarantined=[bad]), run=run)
    (entry,) = store.quarantined("acme")
    assert (entry.run, entry.table, entry.crm_object, entry.crm_id) == (
        run,
        "opportunities",
        "Opportunity",
        "006X",
    )
    assert entry.reason == "amount: not an amount: 'lots'"
    assert entry.raw == {"Id": "006X", "Amount": "lots", "CloseDate": "2025-01-01"}
    assert store.runs("acme")[0].counts == {"opportunities": 1}
    assert store.runs("acme")[0].quarantined == 1


def test_quota_and_fx_rows_are_validated_mappings_and_a_bad_one_is_quarantined(store: Store) -> None:
    quotas = [
        {
            "id": "0J9A",
            "owner": "005A",
            "period_start": "2025-01-01",
            "period_end": "2025-03-31",
            "amount": "90,000",
        },
        {
            "id": "0J9B",
            "owner": "005A",
            "period_start": "2025-04-01",
            "period_end": "2025-03-01",
            "amount": 1,
        },
    ]
    saved = store.save_batch("acme", batch("quotas", quotas, stream="ForecastingQuota"))
    assert (saved.records, saved.quarantined) == (1, 1)
    # The inclusive quarter end becomes exclusive, the amount a number (as for quotas.csv).
    assert store.table("acme", "quotas").select("id", "period_end", "amount").rows() == [
        ("0J9A", date(2025, 4, 1), 90000.0)
    ]
    (entry,) = store.quarantined("acme")
    assert (entry.table, entry.crm_object, entry.crm_id) == ("quotas", "ForecastingQuota", "0J9B")
    assert "period_end" in entry.reason

    store.save_batch(
        "acme",
        batch("fx_rates", [{"id": "04wA", "currency": "EUR", "rate": 0.92, "start_date": "2025-01-01"}]),
    )
    assert store.table("acme", "fx_rates").select("currency", "rate", "start_date", "end_date").rows() == [
        ("EUR", 0.92, date(2025, 1, 1), None)
    ]


def test_a_full_read_marks_what_it_did_not_return_as_deleted(store: Store) -> None:
    first = store.start_run("acme")
    store.save_batch("acme", batch("stages", [], stream="OpportunityStage"), run=first)
    store.save_batch(
        "acme", batch("activities", [activity("00TA"), activity("00TB")], stream="Task"), run=first
    )
    store.save_batch(
        "acme", batch("activities", [activity("00UA", kind="meeting")], stream="Event"), run=first
    )
    second = store.start_run("acme")
    store.save_batch("acme", batch("activities", [activity("00TB")], stream="Task"), run=second)
    assert store.tombstone_unseen("acme", "activities", "Task", second) == 1
    frame = store.table("acme", "activities").sort("id")
    # Only Task rows are judged by the Task read: the Event stays.
    assert frame.select("id", "deleted").rows() == [("00TA", True), ("00TB", False), ("00UA", False)]


def test_a_full_read_resumed_by_a_second_run_counts_what_both_runs_stored(store: Store) -> None:
    started = store.start_run("acme")
    store.save_batch("acme", batch("activities", [activity("00TA")], stream="Task"), run=started)
    # killed here; the next run resumes the same full read from the saved cursor
    resumed = store.start_run("acme")
    store.save_batch("acme", batch("activities", [activity("00TB")], stream="Task"), run=resumed)
    assert store.tombstone_unseen("acme", "activities", "Task", [resumed, started]) == 0
    assert store.table("acme", "activities")["deleted"].to_list() == [False, False]
    assert store.tombstone_unseen("acme", "activities", "Task", resumed) == 1  # naming one run: 00TA unseen


def test_the_dataset_has_the_schema_types_and_the_instance_as_org(store: Store) -> None:
    store.save_batch("acme", batch("users", [user("005A")]))
    store.save_batch("acme", batch("activities", [activity("00TA", duration_seconds=61.5, completed=False)]))
    data = store.dataset("acme")
    assert data.org_id == "acme"
    assert data.users.schema["started_at"] == pl.Date
    assert data.activities.schema["occurred_at"] == pl.Datetime("us", "UTC")
    assert data.activities.select("occurred_at", "duration_seconds", "completed", "opened").rows() == [
        (activity("00TA").occurred_at, 61.5, False, None)
    ]
    assert data.users.select("modified_at").item() == T0
    assert data.opportunities.height == 0


def test_the_dataset_reads_only_the_columns_asked_for(store: Store) -> None:
    store.save_batch("acme", batch("opportunities", [opportunity("006A")]))
    data = store.dataset("acme", {"opportunities": ["id", "amount"]})
    assert data.opportunities.select("id", "amount", "stage").rows() == [("006A", 1200.5, None)]
    assert data.users.height == 0
    with pytest.raises(ValueError, match="opportunities has no column"):
        store.dataset("acme", {"opportunities": ["id", "amount_in_yen"]})


def test_a_store_url_that_is_no_file_or_no_known_database_is_refused() -> None:
    from sync.store import StoreUrlError

    with pytest.raises(StoreUrlError, match="must be a file"):
        Store.open("sqlite://")
    with pytest.raises(StoreUrlError, match="not mysql"):
        Store.open("mysql://root@localhost/db")
    with pytest.raises(StoreUrlError, match="not a database URL"):
        Store.open("crm-kpi.db")


def test_account_columns_roundtrip(store: Store) -> None:
    store.save_batch("acme", batch("accounts", [account("001A", industry=None)]))
    assert store.table("acme", "accounts").select("id", "region", "industry").rows() == [
        ("001A", "EMEA", None)
    ]


def test_a_sqlite_store_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'crm-kpi.db'}") as store, store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_two_writers_on_one_sqlite_file_wait_for_each_other_instead_of_failing(tmp_path: Path) -> None:
    """Two runs of different instances (a scheduler and a manual sync) write at once: nothing is lost."""
    url = f"sqlite:///{tmp_path / 'crm-kpi.db'}"
    Store.open(url).close()
    errors: list[BaseException] = []

    def write(instance: str) -> None:
        try:
            with Store.open(url) as store:
                for page in range(20):
                    users = [user(f"005{page:02d}{n:03d}") for n in range(50)]
                    store.save_batch(instance, batch("users", users, cursor={"page": page}))
        except BaseException as exc:  # reported below, not swallowed
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(name,)) for name in ("acme-sf", "acme-hs")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store.open(url) as store:
        for name in ("acme-sf", "acme-hs"):
            assert store.table(name, "users").height == 20 * 50
            assert store.cursor(name, "users") == {"page": 19}
