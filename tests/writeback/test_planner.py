"""The planner: what is created, updated, left alone, retried and refused; expected plans worked by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from values_factory import COMPUTED_AT, entry, frame, row

from connectors.base import CurrentValue, FieldWrite
from sync.writeback.plan import FirstSyncTooLarge
from sync.writeback.planner import PlanContext, plan_writes, same
from sync.writeback.targets import FieldTarget, SnapshotTarget, WritebackSettings

SF = PlanContext(instance="acme-sf", crm="salesforce", computed_at=COMPUTED_AT)
WIN_RATE = SnapshotTarget(kpis=("win_rate",), scopes=("rep",), grains=("quarter",), periods=1)
ONLY_WIN_RATE = WritebackSettings(snapshots=(WIN_RATE,), fields=())
KEY = "win_rate|rep|0055g00000AbCdEAAA|quarter|2025-04-01"


def win_rate(
    value: float | None, numerator: float | None = 3.0, denominator: float | None = 4.0
) -> dict[str, Any]:
    return row(
        "win_rate",
        "rep",
        "0055g00000AbCdEAAA",
        value,
        unit="ratio",
        numerator=numerator,
        denominator=denominator,
    )


def test_a_first_sync_creates_a_snapshot_keyed_as_design_says() -> None:
    plan = plan_writes(frame(win_rate(0.75)), {}, [], ONLY_WIN_RATE, SF)
    (write,) = plan.creates
    assert write.key == "win_rate|rep|0055g00000AbCdEAAA|quarter|2025-04-01"
    assert (write.kpi, write.scope, write.scope_id, write.grain, write.unit, write.instance) == (
        "win_rate",
        "rep",
        "0055g00000AbCdEAAA",
        "quarter",
        "ratio",
        "acme-sf",
    )
    assert (write.period_start, write.period_end) == (date(2025, 4, 1), date(2025, 7, 1))
    assert (write.value, write.numerator, write.denominator) == (0.75, 3.0, 4.0)
    assert (write.owner_id, write.account_id, write.computed_at) == ("0055g00000AbCdEAAA", None, COMPUTED_AT)
    assert plan.updates == () and plan.first_sync and plan.blocked is None


def test_only_the_latest_periods_of_each_grain_the_targets_kpis_and_scopes() -> None:
    months = [
        row("bookings", "org", "acme-sf", 100.0 * m, grain="month", start=date(2025, m, 1))
        for m in range(1, 6)
    ]
    others = [
        row("bookings", "region", "EMEA", 1.0, grain="month", start=date(2025, 5, 1)),
        row("deals_lost", "org", "acme-sf", 1.0, grain="month", start=date(2025, 5, 1)),
        row("bookings", "org", "acme-sf", 900.0, grain="quarter", start=date(2025, 4, 1)),
    ]
    settings = WritebackSettings(
        snapshots=(SnapshotTarget(kpis=("bookings",), scopes=("org",), grains=("month",), periods=3),),
        fields=(),
    )
    plan = plan_writes(frame(*months, *others), {}, [], settings, SF)
    assert [w.key for w in plan.creates] == [
        "bookings|org|acme-sf|month|2025-03-01",
        "bookings|org|acme-sf|month|2025-04-01",
        "bookings|org|acme-sf|month|2025-05-01",
    ]


def test_two_targets_asking_for_one_snapshot_write_it_once() -> None:
    settings = WritebackSettings(snapshots=(WIN_RATE, WIN_RATE), fields=())
    assert len(plan_writes(frame(win_rate(0.75)), {}, [], settings, SF).creates) == 1


@pytest.mark.parametrize(
    ("new", "old", "equal"),
    [
        (1e9 - 1, 1e9, True),  # |diff| = 1 = 1e-9 × 1e9: exactly at the tolerance
        (1e9 - 1.000001, 1e9, False),  # just past it
        (0.0, 0.0, True),
        (None, None, True),
        (None, 0.0, False),
        (0.0, None, False),
    ],
)
def test_values_are_the_same_within_a_relative_tolerance_of_1e_9(
    new: float | None, old: float | None, equal: bool
) -> None:
    assert same(new, old, 1e-9) is equal


def test_a_value_equal_to_the_ledger_and_the_crm_within_tolerance_is_left_alone() -> None:
    settings = WritebackSettings(
        snapshots=(SnapshotTarget(kpis=("bookings",), scopes=("org",), grains=("quarter",), periods=1),),
        fields=(),
    )
    key = "bookings|org|acme-sf|quarter|2025-04-01"
    ledger = {key: entry(key, {"value": 1e9, "numerator": None, "denominator": None})}
    at_tolerance = plan_writes(frame(row("bookings", "org", "acme-sf", 1e9 - 1)), ledger, [], settings, SF)
    assert at_tolerance.is_empty and at_tolerance.unchanged == {"snapshot": 1}
    past = plan_writes(frame(row("bookings", "org", "acme-sf", 1e9 - 1.000001)), ledger, [], settings, SF)
    assert [w.key for w in past.updates] == [key] and past.creates == ()


def test_a_value_the_crm_holds_differently_is_written_again() -> None:
    ledger = {KEY: entry(KEY, {"value": 0.75, "numerator": 3.0, "denominator": 4.0})}
    someone_edited = [CurrentValue(KEY, {"value": 0.9, "numerator": 3.0, "denominator": 4.0})]
    plan = plan_writes(frame(win_rate(0.75)), ledger, someone_edited, ONLY_WIN_RATE, SF)
    assert [w.key for w in plan.updates] == [KEY]
    assert plan.before[KEY] == {"value": 0.9, "numerator": 3.0, "denominator": 4.0}
    # Unchanged in the CRM (not among its changed records) and equal to the ledger: nothing to do.
    assert plan_writes(frame(win_rate(0.75)), ledger, [], ONLY_WIN_RATE, SF).is_empty


def test_a_new_value_is_written_even_when_the_crm_already_shows_it() -> None:
    ledger = {KEY: entry(KEY, {"value": 0.5, "numerator": 2.0, "denominator": 4.0})}
    crm = [CurrentValue(KEY, {"value": 0.75, "numerator": 3.0, "denominator": 4.0})]
    plan = plan_writes(frame(win_rate(0.75)), ledger, crm, ONLY_WIN_RATE, SF)
    assert [w.key for w in plan.updates] == [KEY]


def test_a_value_that_became_null_is_written_as_null() -> None:
    ledger = {KEY: entry(KEY, {"value": 0.75, "numerator": 3.0, "denominator": 4.0})}
    (write,) = plan_writes(frame(win_rate(None, 0.0, 0.0)), ledger, [], ONLY_WIN_RATE, SF).updates
    assert (write.value, write.numerator, write.denominator) == (None, 0.0, 0.0)


def test_values_are_rounded_to_the_crm_s_decimals_before_comparing() -> None:
    ledger = {KEY: entry(KEY, {"value": 0.333333, "numerator": 1.0, "denominator": 3.0})}
    # Salesforce stored 1/3 as 0.333333; the next run's 1/3 must not look changed.
    assert plan_writes(frame(win_rate(1 / 3, 1.0, 3.0)), ledger, [], ONLY_WIN_RATE, SF).is_empty
    (write,) = plan_writes(frame(win_rate(1 / 3, 1.0, 3.0)), {}, [], ONLY_WIN_RATE, SF).creates
    assert write.value == 0.333333


def test_a_rejected_write_is_retried_until_it_succeeds() -> None:
    ledger = {
        KEY: entry(
            KEY,
            {"value": 0.75, "numerator": 3.0, "denominator": 4.0},
            status="failed",
            attempted={"value": 0.8, "numerator": 4.0, "denominator": 5.0},
        )
    }
    plan = plan_writes(frame(win_rate(0.8, 4.0, 5.0)), ledger, [], ONLY_WIN_RATE, SF)
    assert [w.key for w in plan.updates] == [KEY] and plan.retries == {KEY}
    assert plan.settled == ()


def test_a_rejected_write_whose_value_no_longer_needs_writing_is_settled() -> None:
    ledger = {
        KEY: entry(
            KEY,
            {"value": 0.75, "numerator": 3.0, "denominator": 4.0},
            status="failed",
            attempted={"value": 0.8, "numerator": 4.0, "denominator": 5.0},
        )
    }
    plan = plan_writes(frame(win_rate(0.75)), ledger, [], ONLY_WIN_RATE, SF)
    assert plan.is_empty and plan.settled == (KEY,) and plan.retries == frozenset()


def test_a_rejected_first_create_is_created_again() -> None:
    ledger = {KEY: entry(KEY, None, status="failed", crm_id=None, attempted={"value": 0.75})}
    plan = plan_writes(frame(win_rate(0.75)), ledger, [], ONLY_WIN_RATE, SF)
    assert [w.key for w in plan.creates] == [KEY] and plan.retries == {KEY}
    assert not plan.first_sync  # the ledger is not empty


OPPORTUNITY_FIELDS = WritebackSettings(
    snapshots=(), fields=(FieldTarget(object="opportunity", kpis=("days_open", "days_in_stage")),)
)


def days(opportunity: str, open_: float, in_stage: float) -> list[dict[str, Any]]:
    return [
        row(
            "days_open",
            "opportunity",
            opportunity,
            open_,
            grain="to_date",
            start=date(2025, 5, 20),
            unit="days",
        ),
        row(
            "days_in_stage",
            "opportunity",
            opportunity,
            in_stage,
            grain="to_date",
            start=date(2025, 5, 20),
            unit="days",
        ),
    ]


def test_field_writes_carry_only_the_kpis_that_changed() -> None:
    ledger = {
        "opportunity:006A": entry(
            "opportunity:006A", {"days_open": 40.0, "days_in_stage": 5.0}, kind="field"
        ),
        "opportunity:006B": entry("opportunity:006B", {"days_open": 7.0, "days_in_stage": 7.0}, kind="field"),
    }
    plan = plan_writes(
        frame(*days("006A", 40.0, 6.0), *days("006B", 7.0, 7.0), *days("006C", 1.0, 1.0)),
        ledger,
        [],
        OPPORTUNITY_FIELDS,
        SF,
    )
    assert plan.field_writes == (
        FieldWrite("opportunity", "006A", {"days_in_stage": 6.0}),
        FieldWrite("opportunity", "006C", {"days_open": 1.0, "days_in_stage": 1.0}),
    )
    assert plan.unchanged == {"opportunity": 1}
    assert plan.creates == () and plan.storage_bytes == 0


def test_a_field_a_rep_overwrote_is_set_right_again() -> None:
    ledger = {
        "opportunity:006A": entry("opportunity:006A", {"days_open": 40.0, "days_in_stage": 5.0}, kind="field")
    }
    overwritten = [CurrentValue("opportunity:006A", {"days_open": 1.0})]
    plan = plan_writes(frame(*days("006A", 40.0, 5.0)), ledger, overwritten, OPPORTUNITY_FIELDS, SF)
    assert plan.field_writes == (FieldWrite("opportunity", "006A", {"days_open": 40.0}),)


USER_FIELDS = WritebackSettings(
    snapshots=(), fields=(FieldTarget(object="user", kpis=("bookings",), grain="quarter"),)
)


@pytest.mark.parametrize(
    ("crm", "user_fields", "written"),
    [
        ("salesforce", True, True),
        ("salesforce", False, False),
        ("hubspot", True, False),
    ],
)
def test_user_fields_only_on_salesforce_when_the_instance_turns_them_on(
    crm: str, user_fields: bool, written: bool
) -> None:
    values = frame(
        row("bookings", "rep", "005A", 10.0, start=date(2025, 1, 1)),
        row("bookings", "rep", "005A", 20.0, start=date(2025, 4, 1)),
    )
    context = PlanContext("acme", crm, COMPUTED_AT, user_fields=user_fields)  # type: ignore[arg-type]
    plan = plan_writes(values, {}, [], USER_FIELDS, context)
    # The latest (current) quarter's value, not the earlier one.
    assert plan.field_writes == ((FieldWrite("user", "005A", {"bookings": 20.0}),) if written else ())


def test_no_snapshot_writes_where_the_crm_has_no_snapshot_object() -> None:
    context = PlanContext("acme-hs", "hubspot", COMPUTED_AT, snapshots=False)
    assert plan_writes(frame(win_rate(0.75)), {}, [], ONLY_WIN_RATE, context).is_empty


def _reps(count: int) -> pl.DataFrame:
    return frame(*(row("deals_won", "rep", f"005{i:04d}", 1.0) for i in range(count)))


DEALS_WON = SnapshotTarget(kpis=("deals_won",), scopes=("rep",), grains=("quarter",), periods=1)


@pytest.mark.parametrize("cap", [100, 200, 2_000])
def test_a_first_sync_at_the_cap_goes_and_one_past_it_is_refused(cap: int) -> None:
    settings = WritebackSettings(snapshots=(DEALS_WON,), fields=(), max_first_sync_records=cap)
    at_cap = plan_writes(_reps(cap), {}, [], settings, SF)
    assert len(at_cap.creates) == cap and at_cap.blocked is None
    at_cap.raise_if_blocked()

    past = plan_writes(_reps(cap + 1), {}, [], settings, SF)
    assert len(past.creates) == cap + 1
    assert past.blocked is not None
    assert f"would create {cap + 1:,} snapshot records" in past.blocked
    assert f"writeback.max_first_sync_records = {cap:,}" in past.blocked
    with pytest.raises(FirstSyncTooLarge):
        past.raise_if_blocked()

    told_to_go_on = PlanContext("acme-sf", "salesforce", COMPUTED_AT, go_on=True)
    assert plan_writes(_reps(cap + 1), {}, [], settings, told_to_go_on).blocked is None


def test_the_cap_applies_to_the_first_sync_only() -> None:
    settings = WritebackSettings(snapshots=(DEALS_WON,), fields=(), max_first_sync_records=100)
    ledger = {"x": entry("x", {"value": 1.0})}
    assert plan_writes(_reps(101), ledger, [], settings, SF).blocked is None


def test_storage_is_2_kb_per_salesforce_record_and_not_counted_on_hubspot() -> None:
    settings = WritebackSettings(snapshots=(DEALS_WON,), fields=())
    assert plan_writes(_reps(3), {}, [], settings, SF).storage_bytes == 3 * 2048
    hubspot = PlanContext("acme-hs", "hubspot", COMPUTED_AT)
    assert plan_writes(_reps(3), {}, [], settings, hubspot).storage_bytes is None
