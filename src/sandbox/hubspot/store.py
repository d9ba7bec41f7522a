"""Records of one portal and the single write path every change goes through.

API writes and test edits ("a user changed this deal in the UI") share `write`, so system
properties (`hs_lastmodifieddate`, `updatedAt`, property history, the calculated deal flags) are
maintained the same way whoever writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from bisect import bisect_left
from typing import Callable, Iterator

from sandbox.hubspot.catalog import ObjectTypeDef
from sandbox.hubspot.properties import check_value, iso_millis, normalise_value

Clock = Callable[[], datetime]


def millis(moment: datetime) -> datetime:
    """HubSpot keeps milliseconds: drop the rest so what is stored is what the API shows."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000).astimezone(timezone.utc)


@dataclass
class HistoryEntry:
    value: str
    timestamp: datetime
    source_type: str = "CRM_UI"
    source_id: str | None = None
    updated_by_user_id: int | None = None

    def to_api(self) -> dict:
        body = {"value": self.value, "timestamp": iso_millis(self.timestamp), "sourceType": self.source_type}
        if self.source_id:
            body["sourceId"] = self.source_id
        if self.updated_by_user_id is not None:
            body["updatedByUserId"] = self.updated_by_user_id
        return body


@dataclass
class Record:
    id: str
    properties: dict[str, str]
    created_at: datetime
    updated_at: datetime
    archived: bool = False
    archived_at: datetime | None = None
    history: dict[str, list[HistoryEntry]] = field(default_factory=dict)


@dataclass
class PropertyError:
    """One invalid property value, worded like HubSpot's `Property values were not valid` entries."""

    name: str
    code: str
    message: str


class WriteRejected(Exception):
    """A write HubSpot would refuse; `errors` name each property."""

    def __init__(self, errors: list[PropertyError]):
        super().__init__(errors[0].message)
        self.errors = errors


class UniqueConflict(Exception):
    def __init__(self, prop: str, value: str, existing_id: str):
        super().__init__(f"{prop}={value} exists on {existing_id}")
        self.prop, self.value, self.existing_id = prop, value, existing_id


# Hooks that derive calculated properties after a write: (type name) -> fn(store, record, changed, now).
Deriver = Callable[["ObjectStore", ObjectTypeDef, Record, dict[str, str], datetime], dict[str, str]]


class ObjectStore:
    """All records of one portal, by object type and id; ids are numeric strings as in HubSpot."""

    def __init__(self, types: dict[str, ObjectTypeDef], clock: Clock | None = None, first_id: int = 1001):
        self.types = types
        source = clock or (lambda: datetime.now(timezone.utc))
        self.clock: Clock = lambda: millis(source())
        self.records: dict[str, dict[str, Record]] = {name: {} for name in types}
        self.next_id = first_id
        self.derivers: dict[str, Deriver] = {}
        # Bumped on every change: lets readers cache id orders and search results between writes.
        self.version = 0
        self._order: dict[str, tuple[int, list[int]]] = {}

    # -- reading -------------------------------------------------------------------------------
    def get(self, type_name: str, record_id: str, archived: bool = False) -> Record | None:
        record = self.records[type_name].get(str(record_id))
        if record is None or record.archived != archived:
            return None
        return record

    def find_by(self, type_name: str, prop: str, value: str) -> Record | None:
        """The live record whose `prop` equals `value` (unique properties, idProperty reads)."""
        if prop in ("hs_object_id", "id"):
            return self.get(type_name, value)
        for record in self.records[type_name].values():
            if not record.archived and record.properties.get(prop) == value:
                return record
        return None

    def iter(self, type_name: str, archived: bool = False, start: int = 0) -> Iterator[Record]:
        """Records in id order (HubSpot lists by ascending id), from id `start` on.

        The sorted id list is cached per version, so paging a large portal costs O(page), not a sort."""
        table = self.records[type_name]
        cached = self._order.get(type_name)
        if cached is None or cached[0] != self.version:
            cached = (self.version, sorted(int(k) for k in table))
            self._order[type_name] = cached
        ids = cached[1]
        for number in ids[bisect_left(ids, start):]:
            record = table.get(str(number))
            if record is not None and record.archived == archived:
                yield record

    # -- writing -------------------------------------------------------------------------------
    def create(self, type_name: str, properties: dict[str, str | None], *, record_id: str | None = None,
               created_at: datetime | None = None, source: str = "INTEGRATION", check: bool = True) -> Record:
        """Create a record; `record_id`/`created_at` let loaders keep the ids and dates of a real org."""
        now = self.clock()
        if record_id is None:
            record_id = str(self.next_id)
            self.next_id += 1
        else:
            self.next_id = max(self.next_id, int(record_id) + 1)
        created = created_at or now
        record = Record(id=record_id, properties={}, created_at=created, updated_at=created)
        type_def = self.types[type_name]
        clean = self._validated(type_def, properties, record=None, check=check)
        record.properties["hs_object_id"] = record_id
        record.properties["hs_createdate"] = iso_millis(created)
        if "createdate" in type_def.properties:
            record.properties["createdate"] = iso_millis(created)
        self.records[type_name][record_id] = record
        self._apply(type_def, record, clean, created if created_at else now, source)
        return record

    def update(self, type_name: str, record_id: str, properties: dict[str, str | None], *,
               source: str = "INTEGRATION", check: bool = True, at: datetime | None = None) -> Record:
        record = self.get(type_name, record_id)
        if record is None:
            raise KeyError(record_id)
        type_def = self.types[type_name]
        clean = self._validated(type_def, properties, record=record, check=check)
        self._apply(type_def, record, clean, at or self.clock(), source)
        return record

    def load(self, type_name: str, record_id: str, properties: dict[str, str], created_at: datetime,
             updated_at: datetime, *, archived: bool = False, archived_at: datetime | None = None,
             history: dict[str, list[HistoryEntry]] | None = None) -> Record:
        """Insert a record exactly as given (an org being loaded or rendered): no validation, no
        derived properties, timestamps kept. Only the system properties every record has are set."""
        created_at, updated_at = millis(created_at), millis(updated_at)
        archived_at = millis(archived_at) if archived_at else None
        props = {k: v for k, v in properties.items() if v is not None}
        props["hs_object_id"] = record_id
        props.setdefault("hs_createdate", iso_millis(created_at))
        props["hs_lastmodifieddate"] = iso_millis(updated_at)
        type_def = self.types[type_name]
        if "createdate" in type_def.properties:
            props.setdefault("createdate", iso_millis(created_at))
        if "lastmodifieddate" in type_def.properties:
            props["lastmodifieddate"] = iso_millis(updated_at)
        # No history entries are made here (that would dominate load time): a property without history
        # reports its current value as one entry, stamped with the record's creation (see `history_of`).
        record = Record(record_id, props, created_at, updated_at, archived,
                        archived_at or (updated_at if archived else None), dict(history or {}))
        self.records[type_name][record_id] = record
        self.version += 1
        if record_id.isdigit():
            self.next_id = max(self.next_id, int(record_id) + 1)
        return record

    def archive(self, type_name: str, record_id: str) -> bool:
        """Move a record to the recycle bin (archived lists show it; search never does)."""
        record = self.get(type_name, record_id)
        if record is None:
            return False
        now = self.clock()
        record.archived, record.archived_at, record.updated_at = True, now, now
        self.version += 1
        return True

    def restore(self, type_name: str, record_id: str) -> bool:
        record = self.get(type_name, record_id, archived=True)
        if record is None:
            return False
        record.archived, record.archived_at = False, None
        record.updated_at = self.clock()
        record.properties["hs_lastmodifieddate"] = iso_millis(record.updated_at)
        self.version += 1
        return True

    def purge(self, type_name: str, record_id: str) -> bool:
        """Delete for good (GDPR delete, or a test emptying the recycle bin)."""
        self.version += 1
        return self.records[type_name].pop(str(record_id), None) is not None

    # -- internals -----------------------------------------------------------------------------
    def _validated(self, type_def: ObjectTypeDef, properties: dict[str, str | None], record: Record | None,
                   check: bool) -> dict[str, str]:
        errors: list[PropertyError] = []
        clean: dict[str, str] = {}
        for name, raw in properties.items():
            value = "" if raw is None else str(raw)
            prop = type_def.properties.get(name)
            if prop is None:
                errors.append(PropertyError(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
                continue
            if check and not prop.writable:
                errors.append(PropertyError(name, "READ_ONLY_VALUE",
                                            f'"{name}" is a read only property; its value cannot be set.'))
                continue
            problem = check_value(prop, value) if check else None
            if problem:
                errors.append(PropertyError(name, problem[0], problem[1]))
                continue
            clean[name] = normalise_value(prop, value)
            if prop.has_unique_value and value:
                other = self.find_by(type_def.name, name, clean[name])
                if other is not None and (record is None or other.id != record.id):
                    raise UniqueConflict(name, value, other.id)
        if errors:
            raise WriteRejected(errors)
        return clean

    def _apply(self, type_def: ObjectTypeDef, record: Record, clean: dict[str, str], now: datetime,
               source: str) -> None:
        self.version += 1
        changed = {k: v for k, v in clean.items() if record.properties.get(k) != v}
        for name, value in changed.items():
            record.history[name] = [HistoryEntry(value, now, source)] + history_of(record, name)
            record.properties[name] = value
        deriver = self.derivers.get(type_def.name)
        if deriver:
            for name, value in deriver(self, type_def, record, changed, now).items():
                if record.properties.get(name) != value:
                    record.history[name] = [HistoryEntry(value, now, "CALCULATED")] + history_of(record, name)
                    record.properties[name] = value
        record.updated_at = max(now, record.updated_at)
        record.properties["hs_lastmodifieddate"] = iso_millis(record.updated_at)
        if "lastmodifieddate" in type_def.properties:
            record.properties["lastmodifieddate"] = iso_millis(record.updated_at)


def history_of(record: Record, name: str) -> list[HistoryEntry]:
    """A property's history, newest first; a loaded value with no recorded change is one entry."""
    if name in record.history:
        return record.history[name]
    value = record.properties.get(name)
    return [HistoryEntry(value, record.created_at, "IMPORT")] if value else []
