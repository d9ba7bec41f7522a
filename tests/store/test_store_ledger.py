"""The write ledger: what the CRM accepted, what it refused and how often, in the order of the writes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.base import FieldWrite, SnapshotWrite, WriteResult
from sync.store import Store


def snapshot(value: float | None, key: str = "win_rate|rep|005A|quarter|2025-04-01") -> SnapshotWrite:
    return SnapshotWrite(
        key=key,
        kpi="win_rate",
        scope="rep",
        scope_id="005A",
        grain="quarter",
        unit="ratio",
        instance="acme",
        period_start=date(2025, 4, 1),
        period_end=date(2025, 7, 1),
        value=value,
        numerator=3.0,
        denominator=4.0,
        computed_at=datetime(2025, 5, 1, tzinfo=UTC),
        owner_id="005A",
    )


def test_an_accepted_write_records_its_values_and_crm_id(store: Store) -> None:
    write = snapshot(0.75)
    store.record_writes(
        "acme", "run-1", [write], [WriteResult(write.key, ok=True, crm_id="a01X", created=True)]
    )
    entry = store.ledger("acme")[write.key]
    assert (entry.kind, entry.status, entry.crm_id, entry.attempts, entry.run) == (
        "snapshot",
        "ok",
        "a01X",
        0,
        "run-1",
    )
    assert entry.written == {"value": 0.75, "numerator": 3.0, "denominator": 4.0}
    assert entry.attempted is None and entry.error_code is None


def test_a_rejected_write_keeps_the_last_accepted_values_and_counts_attempts(store: Store) -> None:
    write = snapshot(0.75)
    store.record_writes("acme", "run-1", [write], [WriteResult(write.key, ok=True, crm_id="a01X")])
    for run in ("run-2", "run-3"):
        store.record_writes(
            "acme",
            run,
            [snapshot(0.8)],
            [
                WriteResult(
                    write.key,
                    ok=False,
                    error_code="UNABLE_TO_LOCK_ROW",
                    message="unable to obtain lock",
                    retryable=True,
                )
            ],
        )
    entry = store.ledger("acme")[write.key]
    assert (entry.status, entry.attempts, entry.error_code, entry.run) == (
        "failed",
        2,
        "UNABLE_TO_LOCK_ROW",
        "run-3",
    )
    assert entry.written == {"value": 0.75, "numerator": 3.0, "denominator": 4.0}
    assert entry.attempted == {"value": 0.8, "numerator": 3.0, "denominator": 4.0}
    assert entry.crm_id == "a01X"

    store.record_writes("acme", "run-4", [snapshot(0.8)], [WriteResult(write.key, ok=True)])
    entry = store.ledger("acme")[write.key]
    assert (entry.status, entry.attempts, entry.crm_id, entry.attempted) == ("ok", 0, "a01X", None)
    assert entry.written == {"value": 0.8, "numerator": 3.0, "denominator": 4.0}


def test_field_writes_merge_into_the_record_s_written_values(store: Store) -> None:
    first = FieldWrite("opportunity", "006A", {"days_open": 10.0, "days_in_stage": 4.0})
    store.record_writes("acme", "run-1", [first], [WriteResult(first.key, ok=True)])
    second = FieldWrite("opportunity", "006A", {"days_in_stage": 0.0})
    store.record_writes("acme", "run-2", [second], [WriteResult(second.key, ok=True)])
    assert store.ledger("acme")["opportunity:006A"].written == {"days_open": 10.0, "days_in_stage": 0.0}


def test_failed_writes_lists_what_is_still_rejected(store: Store) -> None:
    a, b = snapshot(0.5, key="k|a"), snapshot(0.5, key="k|b")
    store.record_writes(
        "acme",
        "run-1",
        [a, b],
        [WriteResult("k|a", ok=False, error_code="VALIDATION_ERROR"), WriteResult("k|b", ok=True)],
    )
    store.record_writes(
        "other", "run-2", [a], [WriteResult("k|a", ok=False, error_code="UNABLE_TO_LOCK_ROW")]
    )
    assert [(e.key, e.error_code) for e in store.failed_writes("acme")] == [("k|a", "VALIDATION_ERROR")]
    assert len(store.failed_writes()) == 2
    store.settle("acme", ["k|a"])
    assert store.failed_writes("acme") == []


def test_a_failed_entry_that_no_longer_needs_writing_is_settled(store: Store) -> None:
    write = snapshot(0.75)
    store.record_writes(
        "acme", "run-1", [write], [WriteResult(write.key, ok=False, error_code="VALIDATION_ERROR")]
    )
    store.settle("acme", [write.key])
    entry = store.ledger("acme")[write.key]
    assert (entry.status, entry.error_code) == ("superseded", "VALIDATION_ERROR")


def test_results_must_match_the_writes_one_to_one_in_order(store: Store) -> None:
    a, b = snapshot(0.5, key="k|a"), snapshot(0.5, key="k|b")
    with pytest.raises(ValueError, match="2 writes but 1 results"):
        store.record_writes("acme", None, [a, b], [WriteResult("k|a", ok=True)])
    with pytest.raises(ValueError, match="result for 'k\\|b' where 'k\\|a' was written"):
        store.record_writes("acme", None, [a, b], [WriteResult("k|b", ok=True), WriteResult("k|a", ok=True)])
    assert store.ledger("acme") == {}


def test_ledgers_of_two_instances_are_apart(store: Store) -> None:
    write = snapshot(0.5)
    store.record_writes("acme", None, [write], [WriteResult(write.key, ok=True)])
    assert store.ledger("other") == {}
