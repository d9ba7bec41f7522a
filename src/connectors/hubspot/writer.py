"""Writes: KPI snapshots upserted by `kpi_key`, KPI properties on deals and companies by batch update.

HubSpot takes 100 inputs a call and answers 200 (all written), 207 (some failed: `errors[]`, each naming
its ids in `context.ids`) or, when one input makes the whole request invalid, 400. A 207 becomes one
`WriteResult` per input; a 400 on a batch of several is split in halves until the rejected inputs are
alone, so one bad value costs a few calls instead of failing the other 99. Inputs with the same id are
merged before sending (HubSpot rejects a batch naming one id twice).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputUpsert,
)

from connectors.base import FieldObject, FieldWrite, SnapshotWrite, WriteResult
from connectors.errors import RequestRejected
from connectors.hubspot.client import HubSpotClient

BATCH = 100
SNAPSHOT_KEY = "kpi_key"
FIELD_PREFIX = "crmkpi_"
FIELD_OBJECTS: dict[FieldObject, str] = {"opportunity": "deals", "account": "companies"}
RETRYABLE = {"CONFLICT", "RATE_LIMIT", "RATE_LIMITS", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE"}
FIXES = {
    "OBJECT_NOT_FOUND": "the record was deleted or merged in HubSpot; the next sync drops it",
    "PROPERTY_DOESNT_EXIST": "run `crm-kpi install` to create the crm_kpi properties",
    "CONFLICT": "another app wrote the record at the same moment; the next run retries",
}


def field_name(kpi: str) -> str:
    return FIELD_PREFIX + kpi


def number_text(value: float | None) -> str:
    """A number property value; "" clears the property (a null KPI value)."""
    if value is None:
        return ""
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def snapshot_properties(row: SnapshotWrite) -> dict[str, str]:
    props = {
        SNAPSHOT_KEY: row.key,
        "kpi": row.kpi,
        "scope": row.scope,
        "scope_id": row.scope_id,
        "grain": row.grain,
        "unit": row.unit,
        "instance": row.instance,
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "value": number_text(row.value),
        "numerator": number_text(row.numerator),
        "denominator": number_text(row.denominator),
        "computed_at": row.computed_at.astimezone(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    }
    if row.owner_id is not None:
        props["hubspot_owner_id"] = row.owner_id
    return props


class Writer:
    def __init__(self, client: HubSpotClient, snapshot_type: Callable[[], str | None]) -> None:
        self.client = client
        self.snapshot_type = snapshot_type

    # -- snapshots ---------------------------------------------------------------------------------
    def write_snapshots(self, rows: Sequence[SnapshotWrite]) -> list[WriteResult]:
        if not rows:
            return []
        object_type = self.snapshot_type()
        if object_type is None:
            return [
                WriteResult(
                    r.key,
                    ok=False,
                    error_code="NO_CUSTOM_OBJECTS",
                    message="this portal has no kpi_snapshot object (custom objects need Enterprise)",
                    fix="KPI values are written to the crmkpi_* properties of deals and companies only",
                )
                for r in rows
            ]
        merged = {row.key: snapshot_properties(row) for row in rows}
        outcome: dict[str, WriteResult] = {}
        keys = list(merged)
        for start in range(0, len(keys), BATCH):
            self._upsert(object_type, keys[start : start + BATCH], merged, outcome)
        return [outcome[row.key] for row in rows]

    def _upsert(
        self,
        object_type: str,
        keys: list[str],
        merged: dict[str, dict[str, str]],
        outcome: dict[str, WriteResult],
    ) -> None:
        api = self.client.api("crm.objects.batch_api")
        body = BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                SimplePublicObjectBatchInputUpsert(id_property=SNAPSHOT_KEY, id=key, properties=merged[key])
                for key in keys
            ]
        )
        try:
            data, _ = self.client.typed(
                "batch_upsert", f"upsert {len(keys)} KPI snapshots", api, "upsert", object_type, body
            )
        except RequestRejected as exc:
            self._split(keys, exc, outcome, lambda part: self._upsert(object_type, part, merged, outcome))
            return
        for result in data.results or []:
            key = (result.properties or {}).get(SNAPSHOT_KEY)
            if key in merged:
                outcome[key] = WriteResult(key, ok=True, crm_id=result.id, created=bool(result.new))
        self._errors(data, keys, outcome, lambda key: key)

    # -- fields ------------------------------------------------------------------------------------
    def write_fields(self, rows: Sequence[FieldWrite]) -> list[WriteResult]:
        outcome: dict[str, WriteResult] = {}
        for object_name, object_type in FIELD_OBJECTS.items():
            merged: dict[str, dict[str, str]] = {}
            for row in rows:
                if row.object == object_name:
                    merged.setdefault(row.record_id, {}).update(
                        {field_name(kpi): number_text(value) for kpi, value in row.values.items()}
                    )
            ids = list(merged)
            for start in range(0, len(ids), BATCH):
                self._update(object_type, object_name, ids[start : start + BATCH], merged, outcome)
        for row in rows:
            if row.object not in FIELD_OBJECTS:
                outcome[row.key] = WriteResult(
                    row.key,
                    ok=False,
                    error_code="NOT_WRITABLE",
                    message="HubSpot's users object takes no custom properties",
                    fix="per-rep values are written as kpi_snapshot records owned by the rep",
                )
        return [outcome[row.key] for row in rows]

    def _update(
        self,
        object_type: str,
        object_name: str,
        ids: list[str],
        merged: dict[str, dict[str, str]],
        outcome: dict[str, WriteResult],
    ) -> None:
        api = self.client.api("crm.objects.batch_api")
        body = BatchInputSimplePublicObjectBatchInput(
            inputs=[
                SimplePublicObjectBatchInput(id=record_id, properties=merged[record_id]) for record_id in ids
            ]
        )

        def key(record_id: str) -> str:
            return f"{object_name}:{record_id}"

        try:
            data, _ = self.client.typed(
                "batch_update",
                f"update KPI properties of {len(ids)} {object_type}",
                api,
                "update",
                object_type,
                body,
            )
        except RequestRejected as exc:
            self._split(
                [key(i) for i in ids],
                exc,
                outcome,
                lambda part: self._update(
                    object_type, object_name, [k.split(":", 1)[1] for k in part], merged, outcome
                ),
            )
            return
        for result in data.results or []:
            outcome[key(str(result.id))] = WriteResult(key(str(result.id)), ok=True, crm_id=str(result.id))
        self._errors(data, ids, outcome, key)

    # -- shared ------------------------------------------------------------------------------------
    @staticmethod
    def _errors(
        data: Any, ids: list[str], outcome: dict[str, WriteResult], key: Callable[[str], str]
    ) -> None:
        """The 207's error entries onto their inputs; an input in neither list failed without a word."""
        for error in getattr(data, "errors", None) or []:
            code = _code(error)
            named = [str(i) for i in ((error.context or {}).get("ids") or [])]
            for record_id in named:
                outcome[key(record_id)] = WriteResult(
                    key(record_id),
                    ok=False,
                    error_code=code,
                    message=error.message,
                    fix=FIXES.get(code),
                    retryable=code in RETRYABLE,
                )
        for record_id in ids:
            outcome.setdefault(
                key(record_id),
                WriteResult(
                    key(record_id),
                    ok=False,
                    error_code="NO_RESULT",
                    message="HubSpot returned neither a result nor an error for this input",
                    retryable=True,
                ),
            )

    @staticmethod
    def _split(
        keys: list[str],
        exc: RequestRejected,
        outcome: dict[str, WriteResult],
        again: Callable[[list[str]], None],
    ) -> None:
        if len(keys) == 1:
            code = exc.error_code or "REJECTED"
            outcome[keys[0]] = WriteResult(
                keys[0],
                ok=False,
                error_code=code,
                message=str(exc),
                fix=FIXES.get(code),
                retryable=code in RETRYABLE,
            )
            return
        half = len(keys) // 2
        again(keys[:half])
        again(keys[half:])


def _code(error: Any) -> str:
    """The most specific code of an error entry: a property error's own code, else the category."""
    for detail in getattr(error, "errors", None) or []:
        if getattr(detail, "code", None):
            return str(detail.code)
    return str(error.category or "ERROR")

