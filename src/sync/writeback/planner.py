"""The write-back planner: a pure function from (KPI values, the write ledger, the CRM's current values)
to a `Plan`. No I/O, no clock: everything it reads is an argument, so every rule is a unit test.

A target is left alone only when its new value equals BOTH what we last wrote (the ledger's accepted
values) and what the CRM holds now — within the relative tolerance, because the engine's float sums may
differ in the last bit between runs. The CRM's current values cover only records that changed in the
CRM since the last run (read cheaply); a target absent from them holds what we last wrote. So a field a
rep overwrote is set right again, and a write the CRM rejected (never accepted) is tried again on every
run until it succeeds — or until the value no longer needs writing, when its ledger entry is settled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from connectors.base import CurrentValue, FieldWrite, SnapshotWrite
from connectors.config import CrmKind
from sync.store.ledger import LedgerEntry, written_values
from sync.writeback.desired import desired_fields, desired_snapshots
from sync.writeback.plan import SNAPSHOT_RECORD_BYTES, SNAPSHOT_TARGET, Plan, describe_storage
from sync.writeback.targets import WritebackSettings

Values = Mapping[str, float | None]


@dataclass(frozen=True)
class PlanContext:
    """The run's facts the planner needs besides the values."""

    instance: str
    crm: CrmKind
    computed_at: datetime
    """Stamped on snapshot records (`Computed_At__c`); not compared."""
    user_fields: bool = False
    """The instance's `user_fields`: per-rep fields on the Salesforce User record."""
    snapshots: bool = True
    """False where the CRM has no snapshot object (a HubSpot portal without custom objects)."""
    go_on: bool = False
    """Go on with a first sync above `max_first_sync_records`."""


def same(new: float | None, old: float | None, rel_tol: float) -> bool:
    """Equal within `rel_tol` of the larger magnitude; null equals only null."""
    if new is None or old is None:
        return new is None and old is None
    return math.isclose(new, old, rel_tol=rel_tol, abs_tol=0.0)


def same_values(new: Values, old: Values | None, rel_tol: float) -> bool:
    return old is not None and all(same(value, old.get(name), rel_tol) for name, value in new.items())


@dataclass
class _Tally:
    """What planning one target kind leaves besides the writes."""

    unchanged: dict[str, int] = field(default_factory=dict)
    before: dict[str, Values | None] = field(default_factory=dict)
    settled: list[str] = field(default_factory=list)

    def leave(self, target: str, entry: LedgerEntry | None, key: str) -> None:
        self.unchanged[target] = self.unchanged.get(target, 0) + 1
        if entry is not None and entry.status == "failed":
            self.settled.append(key)


def plan_writes(
    values: pl.DataFrame,
    ledger: Mapping[str, LedgerEntry],
    current: Iterable[CurrentValue],
    settings: WritebackSettings,
    context: PlanContext,
) -> Plan:
    """The plan for one instance. `values` is `kpi_engine.compute` output (any mix of grains)."""
    crm_now = {value.key: value.values for value in current}
    tally = _Tally()
    creates, updates = _plan_snapshots(values, ledger, crm_now, settings, context, tally)
    field_writes = _plan_fields(values, ledger, crm_now, settings, context, tally)
    planned = [write.key for write in creates + updates] + [write.key for write in field_writes]
    first_sync = not ledger
    return Plan(
        instance=context.instance,
        crm=context.crm,
        creates=tuple(creates),
        updates=tuple(updates),
        field_writes=tuple(field_writes),
        unchanged=tally.unchanged,
        retries=frozenset(key for key in planned if key in ledger and ledger[key].status == "failed"),
        settled=tuple(tally.settled),
        before=tally.before,
        first_sync=first_sync,
        max_first_sync_records=settings.max_first_sync_records,
        blocked=_refusal(len(creates), first_sync, settings.max_first_sync_records, context),
    )


def _plan_snapshots(
    values: pl.DataFrame,
    ledger: Mapping[str, LedgerEntry],
    crm_now: Mapping[str, Values],
    settings: WritebackSettings,
    context: PlanContext,
    tally: _Tally,
) -> tuple[list[SnapshotWrite], list[SnapshotWrite]]:
    """Creates (never accepted by the CRM, not in it) and updates; both are upserts by key."""
    creates: list[SnapshotWrite] = []
    updates: list[SnapshotWrite] = []
    targets = settings.snapshots if context.snapshots else ()
    tol = settings.relative_tolerance
    for write in desired_snapshots(values, targets, context.instance, context.computed_at, settings.decimals):
        entry = ledger.get(write.key)
        _, new = written_values(write)
        known = _as_known(entry.written if entry else None, crm_now.get(write.key))
        if entry is not None and same_values(new, entry.written, tol) and same_values(new, known, tol):
            tally.leave(SNAPSHOT_TARGET, entry, write.key)
            continue
        tally.before[write.key] = known
        never_written = entry is None or (entry.written is None and entry.crm_id is None)
        (creates if never_written and write.key not in crm_now else updates).append(write)
    return creates, updates


def _plan_fields(
    values: pl.DataFrame,
    ledger: Mapping[str, LedgerEntry],
    crm_now: Mapping[str, Values],
    settings: WritebackSettings,
    context: PlanContext,
    tally: _Tally,
) -> list[FieldWrite]:
    """One write per record with a changed KPI, carrying only the changed KPIs."""
    user_fields = context.user_fields and context.crm == "salesforce"  # HubSpot users take no properties
    targets = [t for t in settings.fields if t.object != "user" or user_fields]
    tol = settings.relative_tolerance
    writes: list[FieldWrite] = []
    for (obj, record_id), new_values in desired_fields(values, targets, settings.decimals).items():
        key = FieldWrite(obj, record_id, {}).key
        entry = ledger.get(key)
        written = (entry.written if entry else None) or {}
        known = _as_known(written, crm_now.get(key)) or {}
        changed = {
            kpi: value
            for kpi, value in new_values.items()
            if not (
                kpi in written
                and same(value, written[kpi], tol)
                and kpi in known
                and same(value, known[kpi], tol)
            )
        }
        if not changed:
            tally.leave(obj, entry, key)
            continue
        tally.before[key] = _as_known(entry.written if entry else None, crm_now.get(key))
        writes.append(FieldWrite(obj, record_id, changed))
    return writes


def _as_known(written: Values | None, reported: Values | None) -> Values | None:
    """What the CRM holds as far as we know: what it reported changed, else what it last accepted from us."""
    if reported is None:
        return written
    return {**(written or {}), **reported}


def _refusal(creates: int, first_sync: bool, cap: int, context: PlanContext) -> str | None:
    if not first_sync or creates <= cap or context.go_on:
        return None
    per_record = SNAPSHOT_RECORD_BYTES.get(context.crm)
    storage = (
        f"about {describe_storage(per_record * creates)} of Salesforce data storage"
        if per_record
        else "records counted against HubSpot's custom-object record limit"
    )
    return (
        f"the first sync of {context.instance!r} would create {creates:,} snapshot records ({storage}), "
        "more than "
        f"writeback.max_first_sync_records = {cap:,}; write fewer (fewer KPIs, scopes or periods in "
        "[[writeback.snapshots]]), raise the cap, or run sync with --yes to go on"
    )
