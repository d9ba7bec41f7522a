"""The record store of one sandbox org: sObject definitions, records, and the single write path.

Every write (REST, collections, tests editing records "as a user") goes through `create`, `update`,
`delete`, `undelete` and `upsert`: they validate against describe metadata, set `LastModifiedDate` and
`SystemModstamp` from the store's clock (millisecond precision, so many rows can share one stamp, as in a
real org), derive platform fields and write OpportunityHistory. Records are replaced, never mutated, on
write, so an open query cursor keeps the snapshot it started with. Loading a whole org (`load`,
`load_columns`) is the other way in, and lives in `store_load`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sandbox.salesforce.derivations import CATEGORY_API, DERIVATIONS
from sandbox.salesforce.errors import ApiError, RecordError, invalid_type, json_parser_error, no_such_column
from sandbox.salesforce.field_security import FieldAccess, check_permission_record
from sandbox.salesforce.ids import IdFactory, to_18
from sandbox.salesforce.metadata import FieldDef, SObjectDef
from sandbox.salesforce.object_security import Operation, insufficient_access
from sandbox.salesforce.record import Record
from sandbox.salesforce.standard_objects import standard_objects
from sandbox.salesforce.store_load import load_columns, load_rows
from sandbox.salesforce.values import BadValue, coerce, looks_like_id, to_millis

HISTORY_TRACKED = ("StageName", "Amount", "CloseDate", "Probability")
_SKIP_KEYS = {"attributes", "id"}  # collections bodies carry these beside the fields


def lock_error(record_id: str) -> RecordError:
    return RecordError("UNABLE_TO_LOCK_ROW",
                       f"unable to obtain exclusive access to this record or 1 records: {record_id}")


def utc_now_ms() -> datetime:
    return to_millis(datetime.now(UTC))


class Store:
    """One org. Thread-safe: the HTTPS server answers requests on several threads."""

    def __init__(self, objects: dict[str, SObjectDef] | None = None,
                 clock: Callable[[], datetime] = utc_now_ms) -> None:
        self.objects: dict[str, SObjectDef] = {}
        self.tables: dict[str, dict[str, Record]] = {}
        self._by_lower: dict[str, SObjectDef] = {}
        self._by_prefix: dict[str, SObjectDef] = {}
        for d in (objects or standard_objects()).values():
            self.add_object(d)
        self.clock = clock
        self.ids = IdFactory()
        self.lock = threading.RLock()
        # Records that answer UNABLE_TO_LOCK_ROW on write; `lock_check` lets a fault plan decide instead.
        self.locked_ids: set[str] = set()
        self.record_guard: Callable[[str, str], RecordError | None] | None = None
        # The user API writes are attributed to (CreatedById, default OwnerId): the integration user.
        self.api_user_id: str | None = None
        self.corporate_currency = "USD"
        self._custom_prefix = 0
        self._journal: list[tuple[str, str, Record | None]] | None = None

    # --- transactions (allOrNone) ---------------------------------------------------------------
    def begin(self) -> None:
        """Start recording writes so `rollback` can undo them (the caller holds `self.lock`)."""
        self._journal = []

    def commit(self) -> None:
        self._journal = None

    def rollback(self) -> None:
        for name, record_id, old in reversed(self._journal or []):
            if old is None:
                self.tables[name].pop(record_id, None)
            else:
                self.tables[name][record_id] = old
        self._journal = None

    def _put(self, name: str, rec: Record) -> None:
        if self._journal is not None:
            self._journal.append((name, rec["Id"], self.tables[name].get(rec["Id"])))
        self.tables[name][rec["Id"]] = rec

    # --- metadata -------------------------------------------------------------------------------
    def add_object(self, d: SObjectDef) -> None:
        self.objects[d.name] = d
        self._by_lower[d.name.lower()] = d
        self._by_prefix[d.key_prefix] = d
        self.tables.setdefault(d.name, {})

    def next_custom_prefix(self) -> str:
        """Custom objects get key prefixes a00, a01, ... as in a real org."""
        with self.lock:
            prefix = f"a{self._custom_prefix:02d}"
            self._custom_prefix += 1
            return prefix

    def sobject(self, name: str) -> SObjectDef | None:
        return self._by_lower.get(name.lower())

    def require(self, name: str, access: FieldAccess | None = None) -> SObjectDef:
        """The sObject `name`; with `access`, one the user may read (else it does not exist for them)."""
        d = self.sobject(name)
        if d is None or (access is not None and not access.object_allows(d, "read")):
            raise invalid_type(name)
        return d

    def describe(self, name: str, version: str, access: FieldAccess | None = None) -> dict[str, Any]:
        """The sObject's describe; with `access`, as that user sees it (unreadable fields left out, fields
        they cannot edit neither createable nor updateable)."""
        d = self.require(name, access)
        body = d.describe(version)
        if access is not None:
            body["fields"] = [_as_seen(f, d.fields[f["name"]], d, access) for f in body["fields"]
                              if access.can_read(d, d.fields[f["name"]])]
        if d.name == "Opportunity":  # StageName's picklist is the org's active stages
            for f in body["fields"]:
                if f["name"] == "StageName":
                    f["picklistValues"] = [
                        {"active": True, "defaultValue": False, "label": s, "validFor": None, "value": s}
                        for s in self.stage_names()]
        return body

    def stage(self, name: str | None) -> Record | None:
        if name is None:
            return None
        for rec in self.tables.get("OpportunityStage", {}).values():
            if rec.get("IsActive") is not False and name in (rec.get("ApiName"), rec.get("MasterLabel")):
                return rec
        return None

    def stage_names(self) -> list[str]:
        stages = [r for r in self.tables["OpportunityStage"].values() if r.get("IsActive") is not False]
        return [r["MasterLabel"] for r in sorted(stages, key=lambda r: r.get("SortOrder") or 0)]

    # --- reads ----------------------------------------------------------------------------------
    def get(self, record_id: str) -> tuple[SObjectDef, Record] | None:
        """Any record by id (the key prefix names its object), deleted ones included."""
        if not looks_like_id(record_id):
            return None
        d = self._by_prefix.get(record_id[:3])
        rec = self.tables[d.name].get(to_18(record_id)) if d else None
        return (d, rec) if d and rec else None

    def rows(self, name: str, include_deleted: bool = False) -> Iterator[Record]:
        """query sees live rows; queryAll also sees the recycle bin and archived activities."""
        table = self.tables[self.require(name).name]
        if include_deleted:
            return iter(list(table.values()))
        return (r for r in list(table.values()) if not r.get("IsDeleted") and not r.get("IsArchived"))

    # --- the write path -------------------------------------------------------------------------
    def create(self, name: str, values: dict[str, Any], *, user_id: str | None = None,
               access: FieldAccess | None = None) -> str:
        """Insert through the API; `access` (the API user's field security) refuses fields they cannot edit."""
        d = self.require(name)
        if not d.createable:
            raise RecordError("INVALID_TYPE_FOR_OPERATION", f"entity type {d.name} does not support insert")
        _require_object_access(d, "create", access)
        fields = self._coerce(d, values, creating=True, access=access)
        with self.lock:
            now = self.clock()
            user = user_id or self.api_user_id
            rec: Record = {"Id": self.ids.new(d.key_prefix), "IsDeleted": False, "CreatedDate": now,
                           "CreatedById": user, "SystemModstamp": now}
            if "LastModifiedDate" in d.fields:
                rec.update(LastModifiedDate=now, LastModifiedById=user)
            self.fill_defaults(d, rec, user)
            rec.update(fields)
            self._finish(d, rec, None, set(fields))
            return str(rec["Id"])

    def update(self, name: str, record_id: str, values: dict[str, Any], *, user_id: str | None = None,
               access: FieldAccess | None = None) -> None:
        d = self.require(name)
        _require_object_access(d, "edit", access)
        fields = self._coerce(d, values, creating=False, access=access)
        with self.lock:
            old = self._existing(d, record_id)
            rec = dict(old)
            rec.update(fields)
            now = self.clock()
            rec.update(SystemModstamp=now, LastModifiedDate=now, LastModifiedById=user_id or self.api_user_id)
            self._finish(d, rec, old, set(fields))

    def upsert(self, name: str, ext_field: str, ext_value: Any, values: dict[str, Any],
               access: FieldAccess | None = None) -> tuple[str, bool]:
        """Update the one record whose external id matches, or create it; `(id, created)`."""
        d = self.require(name)
        f = d.field(ext_field)
        if f is None or (access is not None and not access.can_read(d, f)):
            raise ApiError(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: "
                                             f"{ext_field}")
        if not (f.external_id or f.name == "Id"):
            raise ApiError(400, "INVALID_FIELD", f"Field {f.name} is not an external id field", [f.name])
        with self.lock:
            key = coerce(f, ext_value) if ext_value is not None else None
            matches = [r["Id"] for r in self.rows(d.name) if key is not None and r.get(f.name) == key]
            if len(matches) > 1:
                raise RecordError("DUPLICATE_EXTERNAL_ID",
                                  f"{f.name}: more than one record found for external id field: {matches}",
                                  [f.name])
            body = {k: v for k, v in values.items() if k.lower() != f.name.lower()}
            # Edit when the key matches, Create when it does not (checked before any field is looked at).
            _require_object_access(d, "edit" if matches else "create", access)
            if matches:
                self.update(d.name, matches[0], body, access=access)
                return matches[0], False
            if f.name != "Id":
                body[f.name] = ext_value
            return self.create(d.name, body, access=access), True

    def delete(self, name: str, record_id: str) -> None:
        """Soft delete into the recycle bin: the row stays visible to queryAll with IsDeleted = true."""
        d = self.require(name)
        with self.lock:
            old = self._existing(d, record_id)
            self._set_deleted(d, old, True)
            if d.name == "Opportunity":  # line items go to the recycle bin with their opportunity
                for item in list(self.tables["OpportunityLineItem"].values()):
                    if item.get("OpportunityId") == old["Id"] and not item["IsDeleted"]:
                        self._set_deleted(self.objects["OpportunityLineItem"], item, True)

    def undelete(self, name: str, record_id: str) -> None:
        d = self.require(name)
        with self.lock:
            rec = self.tables[d.name].get(to_18(record_id))
            if rec is None or not rec["IsDeleted"]:
                raise RecordError("UNDELETE_FAILED", "Entity is not in the recycle bin")
            self._set_deleted(d, rec, False)

    def archive(self, name: str, record_id: str) -> None:
        """Archive an activity as the platform does after a year: only queryAll sees it afterwards."""
        d = self.require(name)
        with self.lock:
            rec = dict(self._existing(d, record_id))
            rec["IsArchived"] = True
            self._put(d.name, rec)

    def load(self, name: str, rows: Iterable[dict[str, Any]]) -> list[str]:
        """Insert already-typed rows as they are (generated or imported orgs): see `store_load.load_rows`."""
        return load_rows(self, name, rows)

    def load_columns(self, name: str, columns: dict[str, list[Any]]) -> None:
        """`load` for equal-length columns (a rendered org): see `store_load.load_columns`."""
        load_columns(self, name, columns)

    def fill_defaults(self, d: SObjectDef, rec: Record, user: str | None) -> None:
        """The values a new record gets when the caller gives none (shared by writes and loads)."""
        for f in d.fields.values():
            if not f.defaulted_on_create:
                continue
            if f.name == "OwnerId":
                rec["OwnerId"] = user
            elif f.type == "boolean":
                rec[f.name] = f.name in ("IsActive",)
            elif f.name == "CurrencyIsoCode":
                rec[f.name] = self.corporate_currency
            elif f.picklist:
                rec[f.name] = f.picklist[0] if f.name != "Priority" else "Normal"
        if "IsArchived" in d.fields:
            rec["IsArchived"] = False

    # --- internals ------------------------------------------------------------------------------
    def _coerce(self, d: SObjectDef, values: dict[str, Any], *, creating: bool,
                access: FieldAccess | None = None) -> dict[str, Any]:
        """Typed values by canonical field name. Unknown fields and unreadable values fail the request;
        fields the client may not write (describe, or field-level security) fail the record."""
        out: dict[str, Any] = {}
        read_only: list[str] = []
        for key, raw in values.items():
            if key in _SKIP_KEYS or (key == "Id" and not creating):
                continue
            f = d.field(key)
            if f is None:
                raise no_such_column(key, d.name)
            if not (f.createable if creating else f.updateable) or (access and not access.can_edit(d, f)):
                read_only.append(f.name)
                continue
            try:
                out[f.name] = coerce(f, raw)
            except BadValue as exc:
                raise json_parser_error(f"{f.type} from {type(raw).__name__} value {raw}: {exc}") from exc
        if read_only:
            raise RecordError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(read_only)}. Please check the security settings "
                "of this field and verify that it is read/write for your profile or permission set.",
                read_only)
        return out

    def _existing(self, d: SObjectDef, record_id: str) -> Record:
        if not looks_like_id(record_id) or record_id[:3] != d.key_prefix:
            raise RecordError("MALFORMED_ID", f"{d.name} ID: id value of incorrect type: {record_id}", ["Id"])
        rec = self.tables[d.name].get(to_18(record_id))
        if rec is None:
            raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        if rec["IsDeleted"]:
            raise RecordError("ENTITY_IS_DELETED", "entity is deleted")
        if rec["Id"] in self.locked_ids:
            raise lock_error(rec["Id"])
        refusal = self.record_guard(d.name, rec["Id"]) if self.record_guard else None
        if refusal is not None:
            raise refusal
        return rec

    def _finish(self, d: SObjectDef, rec: Record, old: Record | None, changed: set[str]) -> None:
        derive = DERIVATIONS.get(d.name)
        if derive:
            derive(self, rec, changed)
        self._validate(d, rec, changed)
        check_permission_record(self, d.name, rec)
        self._put(d.name, rec)
        if d.name == "Opportunity" and (old is None or any(old.get(k) != rec.get(k) for k in HISTORY_TRACKED)):
            self._write_history(rec, old)

    def _validate(self, d: SObjectDef, rec: Record, changed: set[str]) -> None:
        missing = [f.name for f in d.fields.values()
                   if not f.nillable and f.createable and rec.get(f.name) is None]
        if missing:
            raise RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]",
                              missing)
        for name in sorted(changed):
            f, value = d.fields[name], rec.get(name)
            if value is None:
                continue
            allowed = self.stage_names() if (d.name, name) == ("Opportunity", "StageName") else f.picklist
            if f.type == "picklist" and f.restricted_picklist and value not in allowed:
                raise RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                  f"{f.label}: bad value for restricted picklist field: {value}", [name])
            if f.type == "percent" and name == "Probability" and not 0 <= value <= 100:
                raise RecordError("NUMBER_OUTSIDE_VALID_RANGE",
                                  f"Probability (%): value outside of valid range on numeric field: {value}",
                                  [name])
            if f.type == "reference":
                self._check_reference(f, value)

    def _check_reference(self, f: FieldDef, value: str) -> None:
        found = self.get(value)
        if found is None or found[0].name not in f.reference_to:
            if found is None and looks_like_id(value) and value[:3] in [self.objects[t].key_prefix
                                                                         for t in f.reference_to]:
                raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name])
            raise RecordError("FIELD_INTEGRITY_EXCEPTION", f"{f.label} ID: id value of incorrect type: {value}",
                              [f.name])
        if found[1]["IsDeleted"]:
            raise RecordError("ENTITY_IS_DELETED", "entity is deleted", [f.name])

    def _set_deleted(self, d: SObjectDef, rec: Record, deleted: bool) -> None:
        new = dict(rec)
        now = self.clock()
        new.update(IsDeleted=deleted, SystemModstamp=now)
        if "LastModifiedDate" in d.fields:
            new.update(LastModifiedDate=now)
        self._put(d.name, new)

    def _write_history(self, opp: Record, old: Record | None) -> None:
        stage = self.stage(opp.get("StageName"))
        category = stage.get("ForecastCategory") if stage else CATEGORY_API.get(str(opp.get("ForecastCategoryName")))
        d = self.objects["OpportunityHistory"]
        hid = self.ids.new(d.key_prefix)
        self._put(d.name, {
            "Id": hid, "IsDeleted": False, "CreatedDate": opp["SystemModstamp"],
            "CreatedById": opp.get("LastModifiedById"), "SystemModstamp": opp["SystemModstamp"],
            "OpportunityId": opp["Id"], "StageName": opp.get("StageName"), "Amount": opp.get("Amount"),
            "ExpectedRevenue": opp.get("ExpectedRevenue"), "CloseDate": opp.get("CloseDate"),
            "Probability": opp.get("Probability"), "ForecastCategory": category,
            "PrevAmount": old.get("Amount") if old else None,
            "PrevCloseDate": old.get("CloseDate") if old else None,
        })


def _require_object_access(d: SObjectDef, operation: Operation, access: FieldAccess | None) -> None:
    """A write the user's object permissions do not allow fails that record (see `object_security`)."""
    if access is not None and not access.object_allows(d, operation):
        raise insufficient_access()


def _as_seen(described: dict[str, Any], f: FieldDef, d: SObjectDef, access: FieldAccess) -> dict[str, Any]:
    """A describe field entry as a user without edit access to it sees it."""
    if access.can_edit(d, f):
        return described
    return {**described, "createable": False, "updateable": False}
