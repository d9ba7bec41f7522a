"""Loading an org as it is (generated or imported records), beside the store's API write path.

An API write validates, stamps and writes history; a load keeps the ids and timestamps a row gives, fills
in what is missing and computes derived fields, but writes no history and checks nothing: the rows are a
snapshot of an org that already passed those checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.derivations import DERIVATIONS

if TYPE_CHECKING:
    from sandbox.salesforce.store import Record, Store


def _filled(columns: dict[str, list[Any]], key: str, fallback: list[Any]) -> list[Any]:
    """columns[key] with its nulls taken from `fallback` (all of it when the column is missing)."""
    given = columns.get(key)
    columns[key] = fallback if given is None else [f if v is None else v for v, f in zip(given, fallback, strict=False)]
    return columns[key]


def load_rows(store: Store, name: str, rows: Iterable[dict[str, Any]]) -> list[str]:
    """Insert already-typed rows as they are (generated or imported orgs): timestamps and ids given in a
    row are kept, missing ones filled in, derived fields computed, no history written."""
    d = store.require(name)
    ids = []
    with store.lock:
        now = store.clock()
        table = store.tables[d.name]
        derive = DERIVATIONS.get(d.name)
        for row in rows:
            rec: Record = {"Id": row.get("Id") or store.ids.new(d.key_prefix), "IsDeleted": False,
                           "CreatedDate": now, "CreatedById": store.api_user_id}
            store.fill_defaults(d, rec, store.api_user_id)
            rec.update({k: v for k, v in row.items() if v is not None or k not in rec})
            rec.setdefault("SystemModstamp", rec["CreatedDate"])
            if "LastModifiedDate" in d.fields:
                rec.setdefault("LastModifiedDate", rec["SystemModstamp"])
                rec.setdefault("LastModifiedById", rec["CreatedById"])
            if derive:
                derive(store, rec, set(row))
            table[rec["Id"]] = rec
            ids.append(rec["Id"])
    return ids


def load_columns(store: Store, name: str, columns: dict[str, list[Any]]) -> None:
    """`load_rows` for rows given as equal-length columns (a rendered org), a null meaning "not given": the
    same records, with the defaults worked out once per object instead of once per row."""
    d = store.require(name)
    count = len(next(iter(columns.values()), []))
    with store.lock:
        template: Record = {"IsDeleted": False, "CreatedDate": store.clock(), "CreatedById": store.api_user_id}
        store.fill_defaults(d, template, store.api_user_id)
        columns = {key: [template[key] if v is None else v for v in values] if key in template else values
                   for key, values in columns.items()}  # a null never replaces a default, as in `load_rows`
        changed = set(columns)  # what each row gave, as `load_rows` passes to the derivations
        ids = columns.get("Id") or [None] * count
        columns["Id"] = [i or store.ids.new(d.key_prefix) for i in ids]
        # Audit fields a row leaves null fall back as in `load_rows` when they are missing.
        stamp = _filled(columns, "SystemModstamp", columns.get("CreatedDate") or [template["CreatedDate"]] * count)
        if "LastModifiedDate" in d.fields:
            _filled(columns, "LastModifiedDate", stamp)
            _filled(columns, "LastModifiedById", columns.get("CreatedById") or [store.api_user_id] * count)
        keys, derive, table = list(columns), DERIVATIONS.get(d.name), store.tables[d.name]
        for values in zip(*columns.values(), strict=False):
            rec = template.copy()
            rec.update(zip(keys, values, strict=False))
            if derive:
                derive(store, rec, changed)
            table[rec["Id"]] = rec
