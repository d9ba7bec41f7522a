"""Records of one portal and the single write path every change goes through.

API writes and test edits ("a user changed this deal in the UI") share `write`, so system
properties (`hs_lastmodifieddate`, `updatedAt`, property history, the calculated deal flags) are
maintained the same way whoever writes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat

from sandbox.hubspot.catalog import ObjectTypeDef
from sandbox.hubspot.derivations import DERIVATIONS, DerivationSources
from sandbox.hubspot.properties import check_value, iso_millis, normalise_value
from sandbox.hubspot.record import HistoryEntry, Record

Clock = Callable[[], datetime]


def millis(moment: datetime) -> datetime:
    """HubSpot keeps milliseconds: drop the rest so what is stored is what the API shows."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000).astimezone(UTC)


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


class ObjectStore:
    """All records of one portal, by object type and id; ids are numeric strings as in HubSpot."""

    def __init__(self, types: dict[str, ObjectTypeDef], clock: Clock | None = None, first_id: int = 1001):
        self.types = types
        source = clock or (lambda: datetime.now(UTC))
        self.clock: Clock = lambda: millis(source())
        self.records: dict[str, dict[str, Record]] = {name: {} for name in types}
        self.next_id = first_id
        # What the calculated properties read besides the record (the portal: pipelines, currency rates).
        self.sources: DerivationSources | None = None
        # Bumped on every change: lets readers cache id orders and search results between writes.
        self.version = 0
        # Each type's record ids as numbers, ascending (see `iter`).
        self._ids: dict[str, list[int]] = defaultdict(list)
        self._unsorted: set[str] = set()

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
        """Records in id order (HubSpot lists by ascending id), from id `start` on: a bisect into the
        type's sorted ids, so a page costs O(page) whatever the portal's size and however often it changes."""
        table = self.records[type_name]
        ids = self._sorted_ids(type_name)
        position = bisect_left(ids, start)
        while position < len(ids):
            record = table.get(str(ids[position]))
            position += 1
            if record is not None and record.archived == archived:
                yield record

    def _sorted_ids(self, type_name: str) -> list[int]:
        ids = self._ids[type_name]
        if type_name in self._unsorted:  # loaders insert in any order: sort once, on the first read
            ids.sort()
            self._unsorted.discard(type_name)
        return ids

    def _index(self, type_name: str, record_id: str) -> None:
        """Add a new id to the type's sorted ids: new ids are the highest (appended); loaded ones may not be."""
        number = int(record_id)
        ids = self._ids[type_name]
        if ids and number < ids[-1]:
            self._unsorted.add(type_name)
        ids.append(number)

    # -- writing -------------------------------------------------------------------------------
    def create(self, type_name: str, properties: Mapping[str, str | None], *, record_id: str | None = None,
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
        if record_id not in self.records[type_name]:
            self._index(type_name, record_id)
        self.records[type_name][record_id] = record
        self._apply(type_def, record, clean, created if created_at else now, source)
        return record

    def update(self, type_name: str, record_id: str, properties: Mapping[str, str | None], *,
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
             history: dict[str, list[HistoryEntry]] | None = None, created_iso: str | None = None,
             updated_iso: str | None = None) -> Record:
        """Insert a record exactly as given (an org being loaded or rendered): no validation, no
        derived properties, timestamps kept. Only the system properties every record has are set.
        `created_iso`/`updated_iso` are the timestamps already formatted (column-wise by a renderer)."""
        created_at, updated_at = millis(created_at), millis(updated_at)
        created_iso = created_iso or iso_millis(created_at)
        updated_iso = updated_iso or iso_millis(updated_at)
        archived_at = millis(archived_at) if archived_at else None
        props = {k: v for k, v in properties.items() if v is not None}
        props["hs_object_id"] = record_id
        props.setdefault("hs_createdate", created_iso)
        props["hs_lastmodifieddate"] = updated_iso
        type_def = self.types[type_name]
        if "createdate" in type_def.properties:
            props.setdefault("createdate", created_iso)
        if "lastmodifieddate" in type_def.properties:
            props["lastmodifieddate"] = updated_iso
        # No history entries are made here (that would dominate load time): a property without history
        # reports its current value as one entry, stamped with the record's creation (see `history_of`).
        record = Record(record_id, props, created_at, updated_at, archived,
                        archived_at or (updated_at if archived else None), dict(history or {}),
                        created_iso=created_iso, updated_iso=updated_iso)
        if record_id not in self.records[type_name]:
            self._index(type_name, record_id)
        self.records[type_name][record_id] = record
        self.version += 1
        if record_id.isdigit():
            self.next_id = max(self.next_id, int(record_id) + 1)
        return record

    def load_columns(self, type_name: str, ids: list[str], properties: dict[str, list[str | None]], *,
                     created_at: list[datetime], updated_at: list[datetime], archived: list[bool],
                     created_iso: list[str], updated_iso: list[str],
                     extra: list[dict[str, str] | None] | None = None) -> list[Record]:
        """`load` for a rendered org's columns: the same records, built in one pass. Timestamps must
        already be whole UTC milliseconds with their ISO text; `extra` adds per-record properties."""
        type_def = self.types[type_name]
        has_created, has_modified = "createdate" in type_def.properties, "lastmodifieddate" in type_def.properties
        keys, table = list(properties), self.records[type_name]
        rows = zip(*properties.values()) if properties else repeat(())
        loaded = []
        for index, (record_id, values) in enumerate(zip(ids, rows)):
            props = {k: v for k, v in zip(keys, values) if v is not None}
            more = extra[index] if extra is not None else None
            if more:
                props.update(more)
            created, updated = created_at[index], updated_at[index]
            c_iso, u_iso = created_iso[index], updated_iso[index]
            props["hs_object_id"] = record_id
            props.setdefault("hs_createdate", c_iso)
            props["hs_lastmodifieddate"] = u_iso
            if has_created:
                props.setdefault("createdate", c_iso)
            if has_modified:
                props["lastmodifieddate"] = u_iso
            gone = archived[index]
            record = Record(record_id, props, created, updated, gone, updated if gone else None, {},
                            created_iso=c_iso, updated_iso=u_iso)
            if record_id not in table:
                self._index(type_name, record_id)
            table[record_id] = record
            loaded.append(record)
        self.version += 1
        numbers = [int(i) for i in ids if i.isdigit()]
        if numbers:
            self.next_id = max(self.next_id, max(numbers) + 1)
        return loaded

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
        removed = self.records[type_name].pop(str(record_id), None)
        if removed is not None:
            ids = self._sorted_ids(type_name)
            del ids[bisect_left(ids, int(removed.id))]
        return removed is not None

    # -- internals -----------------------------------------------------------------------------
    def _validated(self, type_def: ObjectTypeDef, properties: Mapping[str, str | None], record: Record | None,
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
        derive = DERIVATIONS.get(type_def.name)
        if derive is not None and self.sources is not None:
            for name, value in derive(self.sources, record, changed, now).items():
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
