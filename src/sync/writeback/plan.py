"""A write-back plan: what one run will create and update in one CRM instance, and why it may refuse.

The plan is data; `summary()` gives the per-target counts with sample rows that `sync --dry-run` prints
(`sync.writeback.plan_view`) or emits as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.base import FieldWrite, SnapshotWrite

SNAPSHOT_RECORD_BYTES: dict[str, int | None] = {"salesforce": 2048, "hubspot": None}
"""CRM data storage one snapshot record takes: Salesforce counts 2 KB per custom-object record; HubSpot
counts records against the custom object's record limit instead of storage."""

SNAPSHOT_TARGET = "snapshot"


def describe_storage(size: int) -> str:
    """A storage size as people read it (binary units, as Salesforce's storage page shows them)."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit}"
    return f"{size / 1024:,.0f} KB"


class FirstSyncTooLarge(RuntimeError):
    """A first sync would create more snapshot records than `writeback.max_first_sync_records`."""


@dataclass(frozen=True)
class TargetSummary:
    """One target's share of a plan: `snapshot`, or the object whose fields are set."""

    target: str
    creates: int
    updates: int
    unchanged: int
    retries: int
    """Of the creates and updates, those whose last attempt the CRM rejected."""
    samples: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class PlanSummary:
    instance: str
    crm: str
    targets: tuple[TargetSummary, ...]
    records_to_create: int
    storage_bytes: int | None
    first_sync: bool
    blocked: str | None
    settled: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (for `--log-format json` and `status`)."""
        return {
            "instance": self.instance,
            "crm": self.crm,
            "records_to_create": self.records_to_create,
            "storage_bytes": self.storage_bytes,
            "first_sync": self.first_sync,
            "blocked": self.blocked,
            "settled": self.settled,
            "targets": [
                {
                    "target": t.target,
                    "creates": t.creates,
                    "updates": t.updates,
                    "unchanged": t.unchanged,
                    "retries": t.retries,
                    "samples": [dict(s) for s in t.samples],
                }
                for t in self.targets
            ],
        }


@dataclass(frozen=True)
class Plan:
    """What to write. Snapshot creates and updates are both upserts by key (a re-run never duplicates);
    they are told apart for the storage estimate and the first-sync cap."""

    instance: str
    crm: str
    creates: tuple[SnapshotWrite, ...]
    updates: tuple[SnapshotWrite, ...]
    field_writes: tuple[FieldWrite, ...]
    """Only the KPIs of each record whose values changed."""
    unchanged: Mapping[str, int]
    """Per target, targets left as they are."""
    retries: frozenset[str]
    """Keys of planned writes whose last attempt failed."""
    settled: tuple[str, ...]
    """Failed ledger entries that no longer need writing (`Store.settle` closes them)."""
    before: Mapping[str, Mapping[str, float | None] | None]
    """Per planned key, what the CRM holds as far as we know (None: nothing yet)."""
    first_sync: bool
    max_first_sync_records: int
    blocked: str | None = None
    """Why the plan must not be applied (a first sync above the cap), or None."""

    @property
    def snapshot_writes(self) -> tuple[SnapshotWrite, ...]:
        return self.creates + self.updates

    @property
    def storage_bytes(self) -> int | None:
        per_record = SNAPSHOT_RECORD_BYTES.get(self.crm)
        return None if per_record is None else per_record * len(self.creates)

    @property
    def is_empty(self) -> bool:
        return not (self.creates or self.updates or self.field_writes)

    def raise_if_blocked(self) -> None:
        if self.blocked:
            raise FirstSyncTooLarge(self.blocked)

    def summary(self, samples: int = 3) -> PlanSummary:
        targets = (
            [self._snapshot_summary(samples)]
            if (self.creates or self.updates or SNAPSHOT_TARGET in self.unchanged)
            else []
        )
        objects = sorted(
            {write.object for write in self.field_writes} | (set(self.unchanged) - {SNAPSHOT_TARGET})
        )
        for obj in objects:
            writes = [write for write in self.field_writes if write.object == obj]
            targets.append(
                TargetSummary(
                    target=obj,
                    creates=0,
                    updates=len(writes),
                    unchanged=self.unchanged.get(obj, 0),
                    retries=sum(write.key in self.retries for write in writes),
                    samples=tuple(self._field_sample(write) for write in writes[:samples]),
                )
            )
        return PlanSummary(
            self.instance,
            self.crm,
            tuple(targets),
            len(self.creates),
            self.storage_bytes,
            self.first_sync,
            self.blocked,
            len(self.settled),
        )

    def _snapshot_summary(self, samples: int) -> TargetSummary:
        shown = list(self.creates[:samples]) + list(self.updates[:samples])
        return TargetSummary(
            target=SNAPSHOT_TARGET,
            creates=len(self.creates),
            updates=len(self.updates),
            unchanged=self.unchanged.get(SNAPSHOT_TARGET, 0),
            retries=sum(write.key in self.retries for write in self.snapshot_writes),
            samples=tuple(self._snapshot_sample(write) for write in shown),
        )

    def _snapshot_sample(self, write: SnapshotWrite) -> dict[str, Any]:
        before = self.before.get(write.key)
        return {
            "key": write.key,
            "value": write.value,
            "was": None if before is None else before.get("value"),
            "unit": write.unit,
        }

    def _field_sample(self, write: FieldWrite) -> dict[str, Any]:
        before = self.before.get(write.key) or {}
        return {
            "key": write.key,
            **{kpi: {"value": value, "was": before.get(kpi)} for kpi, value in write.values.items()},
        }
