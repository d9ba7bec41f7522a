"""Evaluate a parsed SOQL query against the store: resolve field paths against describe metadata (errors
INVALID_FIELD / INVALID_TYPE with the real messages), compile WHERE into a predicate, sort, slice, and
render rows as the REST API (nested relationship objects with `attributes`) or Bulk API 2.0 CSV does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sandbox.salesforce.date_literals import date_range
from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.field_security import FieldAccess
from sandbox.salesforce.ids import to_18
from sandbox.salesforce.metadata import FieldDef, SObjectDef
from sandbox.salesforce.record import Record
from sandbox.salesforce.soql import BoolOp, Comparison, DateLiteral, Path_, Query, malformed, parse
from sandbox.salesforce.store import Store
from sandbox.salesforce.values import (
    NUMERIC_TYPES,
    TEXT_TYPES,
    json_date,
    json_datetime,
    looks_like_id,
    to_csv,
    to_json,
)

MAX_OFFSET = 2000
# Field types whose stored values need formatting for JSON (everything else is sent as stored).
_FORMATTERS: dict[str, Callable[[Any], Any]] = {"datetime": json_datetime, "date": json_date}
_TYPE_WORD = {"int": "integer", "double": "double", "currency": "currency", "percent": "double",
              "date": "date", "datetime": "dateTime", "boolean": "boolean"}


@dataclass
class Column:
    """A resolved select-list entry: relationship hops then the field."""

    hops: list[FieldDef]  # reference fields followed, in order
    field: FieldDef
    names: list[str]  # canonical names: relationship names, then the field name

    @property
    def header(self) -> str:
        return ".".join(self.names)


def _invalid_field(soql: str, path: Path_, entity: str) -> ApiError:
    return malformed(soql, path.column, f"No such column '{path.parts[-1]}' on entity '{entity}'. If you are "
                     "attempting to use a custom field, be sure to append the '__c' after the custom field "
                     "name. Please reference your WSDL or the describe call for the appropriate names.",
                     "INVALID_FIELD")


def _visible(objects: list[SObjectDef], name: str, access: FieldAccess | None, *,
             relationship: bool) -> FieldDef | None:
    """The field (or the reference field of relationship `name`) of the first object that has one the
    user may read."""
    for d in objects:
        f = d.relationship(name) if relationship else d.field(name)
        if f is not None and (access is None or access.can_read(d, f)):
            return f
    return None


def resolve(store: Store, root: SObjectDef, path: Path_, soql: str, access: FieldAccess | None = None) -> Column:
    """The column a field path names; with `access`, fields the user cannot read do not exist, as on a
    real org (describe leaves them out and SOQL answers INVALID_FIELD)."""
    current: list[SObjectDef] = [root]
    hops: list[FieldDef] = []
    names: list[str] = []
    for part in path.parts[:-1]:
        ref = _visible(current, part, access, relationship=True)
        if ref is None:
            raise malformed(soql, path.column, f"Didn't understand relationship '{part}' in field path. If you "
                            "are attempting to use a custom relationship, be sure to append the '__r' after the "
                            "custom relationship name. Please reference your WSDL or the describe call for the "
                            "appropriate names.", "INVALID_FIELD")
        hops.append(ref)
        names.append(ref.relationship_name or part)
        current = [store.objects[t] for t in ref.reference_to if t in store.objects]
    f = _visible(current, path.parts[-1], access, relationship=False)
    if f is None:
        raise _invalid_field(soql, path, current[0].name)
    return Column(hops, f, names + [f.name])


def _getter(store: Store, col: Column) -> Callable[[Record], Any]:
    if not col.hops:
        name = col.field.name
        return lambda rec: rec.get(name)

    def get(rec: Record) -> Any:
        current: Record | None = rec
        for hop in col.hops:
            ref = current.get(hop.name) if current else None
            found = store.get(ref) if ref else None
            current = found[1] if found else None
        return current.get(col.field.name) if current else None

    return get


def _type_error(soql: str, c: Comparison, f: FieldDef) -> ApiError:
    if f.type in TEXT_TYPES or f.type in ("id", "reference"):
        detail = f"value of filter criterion for field '{f.name}' must be of type string and should be enclosed in quotes"
    else:
        detail = (f"value of filter criterion for field '{f.name}' must be of type {_TYPE_WORD[f.type]} and "
                  "should not be enclosed in quotes")
    return malformed(soql, c.path.column, detail, "INVALID_FIELD")


def _check_value(soql: str, c: Comparison, f: FieldDef, value: Any) -> Any:
    """The literal as a comparable Python value; a type mismatch is INVALID_FIELD as in real SOQL."""
    if value is None:
        return None
    if isinstance(value, DateLiteral):
        if f.type not in ("date", "datetime"):
            raise _type_error(soql, c, f)
        return value
    t = f.type
    ok = ((t == "boolean" and isinstance(value, bool))
          or (t in NUMERIC_TYPES and isinstance(value, float))
          or (t == "date" and isinstance(value, date) and not isinstance(value, datetime))
          or (t == "datetime" and isinstance(value, datetime))
          or ((t in TEXT_TYPES or t in ("id", "reference")) and isinstance(value, str)))
    if not ok:
        raise _type_error(soql, c, f)
    if t in ("id", "reference"):
        return to_18(value) if looks_like_id(value) else value
    return _norm(value)


def _norm(value: Any) -> Any:
    """Text compares and sorts case-insensitively in SOQL."""
    return value.lower() if isinstance(value, str) else value


def _same(value: Any) -> Any:
    """Ids are case-sensitive: compared and sorted as they are."""
    return value


def _normaliser(f: FieldDef) -> Callable[[Any], Any]:
    return _same if f.type in ("id", "reference") else _norm


def _like_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _date_compare(op: str, lit: DateLiteral, today: date, soql: str, c: Comparison) -> Callable[[Any], bool]:
    rng = date_range(lit.name, lit.n, today)
    if rng is None:
        raise malformed(soql, c.path.column, f"unexpected token: '{lit.name}'")
    start, end = rng

    def as_date(v: Any) -> date:
        return v.date() if isinstance(v, datetime) else v

    tests: dict[str, Callable[[date], bool]] = {
        "=": lambda d: start <= d < end, "!=": lambda d: not start <= d < end, "<": lambda d: d < start,
        "<=": lambda d: d < end, ">": lambda d: d >= end, ">=": lambda d: d >= start,
    }
    test = tests[op]
    return lambda v: v is not None and test(as_date(v))


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


def _compile_comparison(store: Store, root: SObjectDef, c: Comparison, soql: str,
                        access: FieldAccess | None) -> Callable[[Record], bool]:
    col = resolve(store, root, c.path, soql, access)
    raw_get = _getter(store, col)
    f = col.field
    norm = _normaliser(f)
    get = raw_get
    if c.op == "like":
        if f.type not in TEXT_TYPES:
            raise malformed(soql, c.path.column, f"invalid operator on {f.type} field: LIKE", "INVALID_FIELD")
        rx = _like_regex(c.value)
        return lambda rec: (v := get(rec)) is not None and rx.fullmatch(str(v)) is not None
    if c.op in ("in", "not_in"):
        wanted = {_check_value(soql, c, f, v) for v in c.value}
        if c.op == "in":
            return lambda rec: norm(get(rec)) in wanted
        return lambda rec: norm(get(rec)) not in wanted
    value = _check_value(soql, c, f, c.value)
    if isinstance(value, DateLiteral):
        test = _date_compare(c.op, value, store.clock().date(), soql, c)
        return lambda rec: test(get(rec))
    if c.op == "=":
        return lambda rec: norm(get(rec)) == value
    if c.op == "!=":
        return lambda rec: norm(get(rec)) != value
    if value is None:
        return lambda rec: False
    op = _OPS[c.op]
    return lambda rec: (v := norm(get(rec))) is not None and op(v, value)


def compile_where(store: Store, root: SObjectDef, node: Any, soql: str,
                  access: FieldAccess | None = None) -> Callable[[Record], bool]:
    if isinstance(node, Comparison):
        return _compile_comparison(store, root, node, soql, access)
    assert isinstance(node, BoolOp)
    parts = [compile_where(store, root, item, soql, access) for item in node.items]
    if node.op == "and":
        return lambda rec: all(p(rec) for p in parts)
    if node.op == "or":
        return lambda rec: any(p(rec) for p in parts)
    only = parts[0]
    return lambda rec: not only(rec)


@dataclass
class Result:
    """The rows of one query, in order, with the columns to render them."""

    sobject: SObjectDef
    rows: list[Record]
    columns: list[Column]
    count_only: bool
    store: Store

    def render(self, rec: Record, version: str) -> dict[str, Any]:
        """One record as the REST API returns it, relationship fields nested under their relationship."""
        return self.renderer(version)(rec)

    def renderer(self, version: str) -> Callable[[Record], dict[str, Any]]:
        """A function rendering one record, with the per-column decisions taken once per page rather than
        once per value (rendering was half the time spent serving a 2,000-row page)."""
        type_name, url = self.sobject.name, f"{self.sobject.url(version)}/"
        if any(c.hops for c in self.columns):
            def render_nested(rec: Record) -> dict[str, Any]:
                out: dict[str, Any] = {"attributes": {"type": type_name, "url": url + rec["Id"]}}
                for col in self.columns:
                    self._place(out, rec, col, version)
                return out
            return render_nested
        # The usual case, fields of the queried object only: copy them all, then format dates in place.
        names = [c.field.name for c in self.columns]
        formatted = [(c.field.name, _FORMATTERS[c.field.type]) for c in self.columns if c.field.type in _FORMATTERS]

        def render(rec: Record) -> dict[str, Any]:
            get = rec.get
            out: dict[str, Any] = {"attributes": {"type": type_name, "url": url + rec["Id"]}}
            for name in names:
                out[name] = get(name)
            for name, formatter in formatted:
                value = out[name]
                if value is not None:
                    out[name] = formatter(value)
            return out

        return render

    def _place(self, out: dict[str, Any], rec: Record, col: Column, version: str) -> None:
        target, current = out, rec
        for hop, name in zip(col.hops, col.names, strict=False):
            ref = current.get(hop.name) if current is not None else None
            found = self.store.get(ref) if ref else None
            if found is None:
                target.setdefault(name, None)
                return
            d, current = found
            nested = target.get(name)
            if nested is None:
                nested = {"attributes": {"type": d.name, "url": f"{d.url(version)}/{current['Id']}"}}
                target[name] = nested
            target = nested
        target[col.field.name] = to_json(current.get(col.field.name))

    def header(self) -> list[str]:
        return [c.header for c in self.columns]

    def csv_row(self, rec: Record) -> list[str]:
        return [to_csv(_getter(self.store, c)(rec)) for c in self.columns]


def _sort(rows: list[Record], store: Store, root: SObjectDef, query: Query, soql: str,
          access: FieldAccess | None) -> list[Record]:
    for item in reversed(query.order):
        col = resolve(store, root, item.path, soql, access)
        get, norm = _getter(store, col), _normaliser(col.field)
        present = [r for r in rows if get(r) is not None]
        absent = [r for r in rows if get(r) is None]
        present.sort(key=lambda r: norm(get(r)), reverse=item.descending)
        rows = present + absent if item.nulls_last else absent + present
    return rows


def execute(store: Store, soql: str, include_deleted: bool = False, access: FieldAccess | None = None) -> Result:
    """Run a query; raise `ApiError` for anything outside the supported subset. `access` is the API user's
    field-level security and object permissions (None: the store's own view, every object and field); a
    custom object they may not read does not exist for them."""
    query = parse(soql)
    root = store.sobject(query.sobject)
    if root is None or (access is not None and not access.object_allows(root, "read")):
        raise malformed(soql.strip(), query.sobject_column,
                        f"sObject type '{query.sobject}' is not supported. If you are attempting to use a custom "
                        "object, be sure to append the '__c' after the entity name. Please reference your WSDL or "
                        "the describe call for the appropriate names.", "INVALID_TYPE")
    columns = [resolve(store, root, p, soql.strip(), access) for p in query.fields]
    seen: set[str] = set()
    for col, path in zip(columns, query.fields, strict=False):
        if col.header.lower() in seen:
            raise malformed(soql.strip(), path.column, f"duplicate field selected: {col.header}")
        seen.add(col.header.lower())
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise ApiError(400, "NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")
    predicate = compile_where(store, root, query.where, soql.strip(), access) if query.where is not None else None
    with store.lock:
        rows = list(store.rows(root.name, include_deleted))
    if predicate is not None:
        rows = [r for r in rows if predicate(r)]
    rows = _sort(rows, store, root, query, soql.strip(), access) if query.order else rows
    start = query.offset or 0
    rows = rows[start:start + query.limit] if query.limit is not None else rows[start:]
    return Result(root, rows, columns, query.count, store)
