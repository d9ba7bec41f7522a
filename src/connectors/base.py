"""The contract both CRM connectors implement, so that the sync never asks which CRM it talks to.

Reading: a connector declares its `Stream`s (one per CRM object: a table of objects, as Singer SDK streams
read) and `extract(stream, cursor)` yields `Batch`es — the normalised records of one page, the records that
failed validation, and the cursor that covers them. The caller stores a batch's records and its cursor in
one transaction, so a run killed between two batches resumes exactly after the last stored one.

Writing: the sync hands over `SnapshotWrite`s (upserted by their key) and `FieldWrite`s (KPI fields on an
existing record); the connector writes them in the CRM's largest batches and returns one `WriteResult` per
input, in order. It never decides *what* to write — that is the sync's planner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

from kpi_engine.schema import Record

RecordTable = Literal[
    "users", "accounts", "leads", "opportunities", "stage_changes", "stages", "activities", "line_items",
    "quotas", "fx_rates",
]
"""The store table a stream feeds: the file stems of `compute --input` (kpi_engine.schema.RECORD_FILES)."""

FieldObject = Literal["opportunity", "account", "user"]
"""Records that carry KPI fields (DESIGN.md, write-back targets)."""

Cursor = dict[str, Any]
"""A stream's resume point, JSON-serialisable and opaque to the sync (e.g. {"modstamp": ..., "id": ...})."""


@dataclass(frozen=True)
class Quarantined:
    """A CRM row that did not normalise: kept with its reason, never dropped silently."""

    table: RecordTable
    crm_object: str
    crm_id: str | None
    reason: str
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class Batch:
    """One page of a stream, normalised. `cursor` covers every record of this and all earlier batches."""

    stream: str
    table: RecordTable
    records: Sequence[Record | Mapping[str, Any]]
    """Schema records; `fx_rates` and `quotas` rows are plain mappings of their table's columns."""
    cursor: Cursor | None
    quarantined: Sequence[Quarantined] = ()
    full: bool = False
    """True when this stream was read whole (not incrementally): records absent from it are gone."""


Normaliser = Callable[[Mapping[str, Any]], "Record | Mapping[str, Any] | Sequence[Record]"]


@dataclass(frozen=True)
class Stream:
    """One CRM object, declared once: what it feeds, what it reads, how it resumes.

    Paging, retry, budget and auth live in the client; a stream only says what is read and how a row
    becomes a record. CRM-specific declarations (Salesforce `include_deleted`, HubSpot associations)
    subclass this.
    """

    name: str
    """The CRM's object name (`Opportunity`, `deals`)."""
    table: RecordTable
    fields: tuple[str, ...]
    cursor_field: str | None
    """None: read whole every run (small reference objects such as stages)."""
    primary_key: str = "Id"


@dataclass(frozen=True)
class SnapshotWrite:
    """One KPI snapshot record, upserted by `key` (`kpi|scope|scope_id|grain|period_start`)."""

    key: str
    kpi: str
    scope: str
    scope_id: str
    grain: str
    unit: str
    instance: str
    period_start: date
    period_end: date
    value: float | None
    numerator: float | None
    denominator: float | None
    computed_at: datetime
    owner_id: str | None = None
    """The rep a rep-scope value belongs to (Salesforce `User__c`, HubSpot `hubspot_owner_id`)."""
    account_id: str | None = None
    opportunity_id: str | None = None


@dataclass(frozen=True)
class FieldWrite:
    """KPI values to set on one existing CRM record; keys of `values` are KPI ids (the connector names
    the fields: `CRMKPI_<kpi>__c`, `crmkpi_<kpi>`)."""

    object: FieldObject
    record_id: str
    values: Mapping[str, float | None]

    @property
    def key(self) -> str:
        return f"{self.object}:{self.record_id}"


@dataclass(frozen=True)
class WriteResult:
    """What happened to one write, in the order the writes were given."""

    key: str
    """`SnapshotWrite.key` or `FieldWrite.key`."""
    ok: bool
    crm_id: str | None = None
    created: bool = False
    error_code: str | None = None
    """The CRM's own code (`UNABLE_TO_LOCK_ROW`, `INVALID_FIELD_FOR_INSERT_UPDATE`, `VALIDATION_ERROR`)."""
    message: str | None = None
    fix: str | None = None
    """What a person does about it (which permission set, which field), when the connector knows."""
    retryable: bool = False
    """True when a later run may succeed as it is (a lock, a timeout); the ledger retries those."""


@dataclass(frozen=True)
class CurrentValue:
    """A KPI target's value as the CRM holds it now (for the planner's diff against what was written)."""

    key: str
    """`SnapshotWrite.key`, or `FieldWrite.key` with one entry per KPI in `values`."""
    values: Mapping[str, float | None]
    modified_at: datetime | None = None


@dataclass(frozen=True)
class InstallItem:
    """One thing install creates: an object, a field/property, a group, a permission."""

    kind: str
    """`object`, `field`, `property_group`, `permission_set`, `field_permission`, `assignment`..."""
    name: str
    exists: bool
    note: str | None = None
    """Why it matters or what is missing (e.g. 'needs Manage Users'; 'portal has no custom objects')."""


@dataclass(frozen=True)
class InstallPlan:
    instance: str
    items: Sequence[InstallItem]
    warnings: Sequence[str] = ()

    @property
    def to_create(self) -> list[InstallItem]:
        return [item for item in self.items if not item.exists]


@dataclass
class ApiUsage:
    """API calls this connector made in this run, and the CRM's own count of the day's allocation."""

    calls: int = 0
    calls_by_label: dict[str, int] = field(default_factory=dict)
    daily_used: int | None = None
    daily_limit: int | None = None


@dataclass(frozen=True)
class InstallSpec:
    """What install must create: the KPI ids per field object, and whether snapshots are wanted."""

    fields: Mapping[FieldObject, Sequence[str]]
    snapshots: bool = True


class Connector(Protocol):
    """What the sync needs of a CRM. Both `connectors.salesforce` and `connectors.hubspot` implement it."""

    instance: str

    def streams(self) -> Sequence[Stream]: ...

    def extract(self, stream: Stream, cursor: Cursor | None, *, full: bool = False) -> Iterator[Batch]:
        """Yield batches from `cursor` on (everything when None or `full`), deletes as tombstones."""
        ...

    def snapshots_supported(self) -> bool:
        """False when the CRM cannot hold snapshot records at all (a HubSpot portal without custom
        objects); the sync then writes the field targets only and says so."""
        ...

    def write_snapshots(self, rows: Sequence[SnapshotWrite]) -> list[WriteResult]: ...

    def write_fields(self, rows: Sequence[FieldWrite]) -> list[WriteResult]: ...

    def read_snapshots(self, since: datetime | None) -> Iterator[CurrentValue]:
        """Snapshot records as the CRM holds them, modified since `since` (all when None)."""
        ...

    def read_fields(
        self, object: FieldObject, kpis: Sequence[str], since: datetime | None
    ) -> Iterator[CurrentValue]:
        """KPI field values of `object` records modified since `since` (all when None)."""
        ...

    def install_plan(self, spec: InstallSpec) -> InstallPlan: ...

    def install(self, plan: InstallPlan) -> InstallPlan:
        """Create what `plan` lacks; returns the plan as it stands afterwards (everything `exists`)."""
        ...

    @property
    def usage(self) -> ApiUsage: ...

    def close(self) -> None: ...
