"""Write-back through sObject Collections: 200 records a call, one SaveResult per record, in order.

Snapshots are upserted by their external id `Key__c` on `KPI_Snapshot__c` (a re-run can never duplicate);
KPI fields are updated on Opportunity, Account and User as `CRMKPI_<kpi>__c`. `allOrNone` is false, so one
bad record never holds back the others. Records that meet `UNABLE_TO_LOCK_ROW` are sent again, alone, under
the one retry policy; those still locked are reported `retryable`. Field-level-security and unknown-field
errors are reported with the fix (which field, which permission set), and so are snapshots the
integration user may not create or edit for want of object permissions on `KPI_Snapshot__c`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors.base import (
    CurrentValue,
    FieldObject,
    FieldWrite,
    SnapshotWrite,
    WriteResult,
)
from connectors.errors import RequestRejected, TransientError
from connectors.retry import call_with_retry
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.keyset import parse_stamp, soql_datetime

BATCH = 200
LOCK_ATTEMPTS = 4
SNAPSHOT_OBJECT = "KPI_Snapshot__c"
SNAPSHOT_KEY = "Key__c"
PERMISSION_SET = "CRM_KPI_Integration"
FIELD_OBJECTS: dict[str, str] = {"opportunity": "Opportunity", "account": "Account", "user": "User"}
RETRYABLE = {"UNABLE_TO_LOCK_ROW", "REQUEST_RUNNING_TOO_LONG", "SERVER_UNAVAILABLE"}
FLS_CODES = {"INVALID_FIELD_FOR_INSERT_UPDATE", "INVALID_FIELD", "FIELD_NOT_UPDATEABLE"}


def kpi_field(kpi: str) -> str:
    """The custom field that carries `kpi` on a record (DESIGN.md: `CRMKPI_<kpi_id>__c`)."""
    return f"CRMKPI_{kpi}__c"


def snapshot_record(row: SnapshotWrite) -> dict[str, Any]:
    return {
        "attributes": {"type": SNAPSHOT_OBJECT},
        SNAPSHOT_KEY: row.key,
        "KPI__c": row.kpi,
        "Scope__c": row.scope,
        "Scope_Id__c": row.scope_id,
        "Grain__c": row.grain,
        "Unit__c": row.unit,
        "Instance__c": row.instance,
        "Period_Start__c": row.period_start.isoformat(),
        "Period_End__c": row.period_end.isoformat(),
        "Value__c": row.value,
        "Numerator__c": row.numerator,
        "Denominator__c": row.denominator,
        "Computed_At__c": soql_datetime(row.computed_at),
        "User__c": row.owner_id,
        "Account__c": row.account_id,
        "Opportunity__c": row.opportunity_id,
    }


def field_record(row: FieldWrite) -> dict[str, Any]:
    return {"attributes": {"type": FIELD_OBJECTS[row.object]}, "Id": row.record_id} | {
        kpi_field(kpi): value for kpi, value in row.values.items()
    }


def fix_for(code: str | None, fields: Sequence[str], sobject: str) -> str | None:
    """What a person does about a per-record error, when we know."""
    named = ", ".join(f"{sobject}.{f}" for f in fields) or f"the KPI fields of {sobject}"
    if code in FLS_CODES:
        return (
            f"the integration user cannot edit {named}: run `crm-kpi install` (it creates the field and "
            f"grants Edit in permission set {PERMISSION_SET}) or grant Edit on it by field-level security"
        )
    if code == "INSUFFICIENT_ACCESS_OR_READONLY" and sobject == "User":
        return (
            "updating User records needs the 'Manage Users' permission: grant it or set user_fields = false"
        )
    if code == "INSUFFICIENT_ACCESS_OR_READONLY" and sobject == SNAPSHOT_OBJECT:
        return (
            f"the integration user lacks the object permissions Create and Edit on {SNAPSHOT_OBJECT}: run "
            f"`crm-kpi install` (it grants Read, Create and Edit on {SNAPSHOT_OBJECT} in permission set "
            f"{PERMISSION_SET}) or grant them in that permission set's Object Settings"
        )
    if code == "INSUFFICIENT_ACCESS_OR_READONLY":
        return f"the integration user cannot edit this {sobject}: share it with the user or widen its access"
    if code == "UNABLE_TO_LOCK_ROW":
        return "another process held the record; the next run writes it again"
    if code in ("ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND"):
        return "the record is gone from Salesforce; the next sync drops its values"
    return None


def _result(key: str, sobject: str, saved: Mapping[str, Any]) -> WriteResult:
    if saved.get("success"):
        return WriteResult(key=key, ok=True, crm_id=saved.get("id"), created=bool(saved.get("created")))
    error = (saved.get("errors") or [{}])[0]
    code = error.get("statusCode")
    return WriteResult(
        key=key,
        ok=False,
        crm_id=saved.get("id"),
        error_code=code,
        message=error.get("message"),
        fix=fix_for(code, error.get("fields") or [], sobject),
        retryable=code in RETRYABLE,
    )


class _StillLocked(TransientError):
    """Some records of a collection were locked: send them again after the policy's back-off."""


def _save(
    client: SalesforceClient, path: str, keys: list[str], sobjects: list[str], records: list[dict[str, Any]]
) -> list[WriteResult]:
    """One collection of at most 200; locked records re-sent alone until free or out of attempts."""
    results: dict[int, WriteResult] = {}
    pending = list(range(len(records)))

    def attempt() -> None:
        nonlocal pending
        body = {"allOrNone": False, "records": [records[i] for i in pending]}
        try:
            saved = client.send("collections", "PATCH", path, json=body)
        except RequestRejected as error:  # the whole request refused (an unknown or unreadable field)
            for i in pending:
                results[i] = WriteResult(
                    key=keys[i],
                    ok=False,
                    error_code=error.error_code,
                    message=str(error),
                    fix=fix_for(error.error_code, [], sobjects[i]),
                )
            pending = []
            return
        for i, one in zip(pending, saved, strict=True):
            results[i] = _result(keys[i], sobjects[i], one)
        pending = [i for i in pending if results[i].error_code == "UNABLE_TO_LOCK_ROW"]
        if pending:
            raise _StillLocked(f"{len(pending)} record(s) locked")

    try:
        call_with_retry(attempt, attempts=LOCK_ATTEMPTS)
    except _StillLocked:
        pass  # reported per record: retryable
    return [results[i] for i in range(len(records))]


def _chunks(count: int) -> Iterator[range]:
    for start in range(0, count, BATCH):
        yield range(start, min(start + BATCH, count))


def write_snapshots(client: SalesforceClient, rows: Sequence[SnapshotWrite]) -> list[WriteResult]:
    """Upsert by `Key__c`, ceil(len / 200) calls (plus re-sends of locked records)."""
    path = f"composite/sobjects/{SNAPSHOT_OBJECT}/{SNAPSHOT_KEY}"
    results: list[WriteResult] = []
    for chunk in _chunks(len(rows)):
        batch = [rows[i] for i in chunk]
        results += _save(
            client,
            path,
            [r.key for r in batch],
            [SNAPSHOT_OBJECT] * len(batch),
            [snapshot_record(r) for r in batch],
        )
    return results


def write_fields(client: SalesforceClient, rows: Sequence[FieldWrite]) -> list[WriteResult]:
    """Update KPI fields, 200 records a call. Rows are grouped by object before chunking (a collection of
    mixed types may hold at most 10 runs of one type); results come back in the input's order."""
    order = sorted(range(len(rows)), key=lambda i: list(FIELD_OBJECTS).index(rows[i].object))
    results: list[WriteResult | None] = [None] * len(rows)
    for chunk in _chunks(len(order)):
        batch = [rows[order[i]] for i in chunk]
        saved = _save(
            client,
            "composite/sobjects",
            [r.key for r in batch],
            [FIELD_OBJECTS[r.object] for r in batch],
            [field_record(r) for r in batch],
        )
        for i, result in zip(chunk, saved, strict=True):
            results[order[i]] = result
    return [r for r in results if r is not None]


def _since(since: datetime | None) -> str:
    return f" WHERE SystemModstamp > {soql_datetime(since)}" if since is not None else ""


def read_snapshots(client: SalesforceClient, since: datetime | None) -> Iterator[CurrentValue]:
    soql = (
        f"SELECT {SNAPSHOT_KEY}, Value__c, Numerator__c, Denominator__c, SystemModstamp "
        f"FROM {SNAPSHOT_OBJECT}{_since(since)}"
    )
    for row in client.query_rows(soql):
        yield CurrentValue(
            key=row[SNAPSHOT_KEY],
            values={
                "value": row.get("Value__c"),
                "numerator": row.get("Numerator__c"),
                "denominator": row.get("Denominator__c"),
            },
            modified_at=parse_stamp(row["SystemModstamp"]),
        )


def read_fields(
    client: SalesforceClient, object: FieldObject, kpis: Sequence[str], since: datetime | None
) -> Iterator[CurrentValue]:
    sobject = FIELD_OBJECTS[object]
    names = [kpi_field(k) for k in kpis]
    soql = f"SELECT Id, {', '.join(names)}, SystemModstamp FROM {sobject}{_since(since)}"
    for row in client.query_rows(soql):
        yield CurrentValue(
            key=f"{object}:{row['Id']}",
            values={k: row.get(n) for k, n in zip(kpis, names, strict=True)},
            modified_at=parse_stamp(row["SystemModstamp"]),
        )
