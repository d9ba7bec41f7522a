"""`--data DIR`: a portal from JSON files as the API returns them, and the writer of that format.

One file per object type, named after its API name (`deals.json`, `contacts.json`, `calls.json`, ...):
a JSON list of `{id, properties, createdAt, updatedAt, archived, archivedAt?, associations?,
propertiesWithHistory?}`; `associations` is `{"companies": ["123", ...]}` (or the API's
`{"companies": {"results": [{"id": ..., "type": ...}]}}`). Also `pipelines.json` (the body of
GET /crm/v3/pipelines/deals, or its `results`), `owners.json` (owners as GET /crm/v3/owners returns
them), `properties.json` (custom property definitions per type) and `currencies.json` ({code: rate}). Anything malformed raises SandboxDataError naming the file, the record index and the property.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sandbox.hubspot.owners import Owner
from sandbox.hubspot.pipelines import Pipeline, Stage
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.properties import check_value, iso_millis, parse_instant
from sandbox.hubspot.record import HistoryEntry
from sandbox.hubspot.render import record_json
from sandbox.plugin import SandboxDataError

SPECIAL_FILES = ("pipelines.json", "owners.json", "properties.json", "currencies.json")
# Enumerations whose options are a portal setting (meeting and call types): new values are added.
PORTAL_OPTIONS = ("hs_activity_type",)


def _fail(path: Path, where: str, message: str) -> SandboxDataError:
    return SandboxDataError(f"{path.name}: {where}: {message}")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _fail(path, f"line {exc.lineno}, column {exc.colno}", f"not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError:
        raise _fail(path, "file", "not UTF-8 text") from None


def _instant(path: Path, where: str, field: str, raw: Any, required: bool = True) -> datetime | None:
    if raw is None and not required:
        return None
    moment = parse_instant(str(raw)) if isinstance(raw, (str, int)) else None
    if moment is None:
        raise _fail(path, where, f"{field}: {raw!r} is not an ISO 8601 datetime or epoch milliseconds")
    return moment


def load_portal(directory: Path, portal: Portal | None = None) -> Portal:
    """Read every known file in `directory` into a portal (a fresh Enterprise one unless given)."""
    if not directory.is_dir():
        raise SandboxDataError(f"{directory}: not a directory")
    portal = portal or Portal()
    if (directory / "owners.json").exists():
        _load_owners(directory / "owners.json", portal)
    if (directory / "pipelines.json").exists():
        _load_pipelines(directory / "pipelines.json", portal)
    if (directory / "properties.json").exists():
        _load_properties(directory / "properties.json", portal)
    if (directory / "currencies.json").exists():
        _load_currencies(directory / "currencies.json", portal)
    pending: list[tuple[Path, int, str, str, str, str, bool | None]] = []
    files = sorted(p for p in directory.glob("*.json") if p.name not in SPECIAL_FILES)
    if not files:
        raise SandboxDataError(f"{directory}: no object files (*.json such as deals.json, contacts.json)")
    for path in files:
        type_def = portal.resolve_type(path.stem)
        if type_def is None:
            known = ", ".join(sorted(t + ".json" for t in portal.types))
            raise _fail(path, "file", f"unknown object type {path.stem!r} (known: {known}, pipelines.json, owners.json)")
        records = _read_json(path)
        if not isinstance(records, list):
            raise _fail(path, "file", "expected a JSON list of records")
        for index, raw in enumerate(records):
            pending += _load_record(path, index, type_def.name, raw, portal)
    for path, index, from_type, from_id, to_type, to_id, primary in pending:
        if portal.store.records.get(to_type, {}).get(to_id) is None:
            raise _fail(path, f"record {index} (id {from_id})", f"associations.{to_type}: no {to_type} record {to_id}")
        if primary is None:  # a plain id list: a deal's or contact's company is its primary one
            primary = (from_type, to_type) in (("deals", "companies"), ("contacts", "companies"))
        portal.associations.add(from_type, from_id, to_type, to_id, primary=primary)
    return portal


def _load_record(path: Path, index: int, type_name: str, raw: Any, portal: Portal) -> list[tuple]:
    where = f"record {index}"
    if not isinstance(raw, dict):
        raise _fail(path, where, "expected an object {id, properties, createdAt, updatedAt, archived}")
    record_id = raw.get("id")
    if not isinstance(record_id, (str, int)) or not str(record_id).isdigit():
        raise _fail(path, where, f"id: {record_id!r} is not a numeric id")
    record_id = str(record_id)
    where = f"record {index} (id {record_id})"
    if record_id in portal.store.records[type_name]:
        raise _fail(path, where, "id: duplicate id")
    properties = raw.get("properties")
    if not isinstance(properties, dict):
        raise _fail(path, where, "properties: expected an object of property name → string value")
    type_def = portal.types[type_name]
    clean: dict[str, str] = {}
    for name, value in properties.items():
        prop = type_def.properties.get(name)
        if prop is None:
            raise _fail(path, where, f"property {name!r} does not exist on {type_name}")
        if value is None:
            continue
        if not isinstance(value, (str, int, float, bool)):
            raise _fail(path, where, f"property {name!r}: expected a string, got {type(value).__name__}")
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if name in PORTAL_OPTIONS and text not in {o["value"] for o in prop.options}:
            prop.options.append({"label": text, "value": text, "displayOrder": len(prop.options)})
        problem = check_value(prop, text)
        if problem:
            raise _fail(path, where, f"property {name!r}: {problem[1]}")
        clean[name] = text
    created = _instant(path, where, "createdAt", raw.get("createdAt"))
    updated = _instant(path, where, "updatedAt", raw.get("updatedAt"))
    archived = raw.get("archived", False)
    if not isinstance(archived, bool):
        raise _fail(path, where, f"archived: {archived!r} is not true or false")
    archived_at = _instant(path, where, "archivedAt", raw.get("archivedAt"), required=False)
    history = _history(path, where, raw.get("propertiesWithHistory"))
    portal.store.load(type_name, record_id, clean, created, updated, archived=archived, archived_at=archived_at,
                      history=history)
    return [(path, index, type_name, record_id, to_type, to_id, primary)
            for to_type, to_id, primary in _associations(path, where, raw.get("associations"), portal)]


def _history(path: Path, where: str, raw: Any) -> dict[str, list[HistoryEntry]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(path, where, "propertiesWithHistory: expected an object of property → list")
    out = {}
    for name, entries in raw.items():
        if not isinstance(entries, list):
            raise _fail(path, where, f"propertiesWithHistory.{name}: expected a list")
        out[name] = [HistoryEntry(str(e.get("value", "")), _instant(path, where, f"propertiesWithHistory.{name}"
                                                                      ".timestamp", e.get("timestamp")),
                                  str(e.get("sourceType") or "CRM_UI"), e.get("sourceId"), e.get("updatedByUserId"))
                     for e in entries]
    return out


def _associations(path: Path, where: str, raw: Any, portal: Portal) -> list[tuple[str, str, bool | None]]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise _fail(path, where, "associations: expected an object of object type → ids")
    pairs = []
    for to_name, ids in raw.items():
        to_def = portal.resolve_type(to_name)
        if to_def is None:
            raise _fail(path, where, f"associations: unknown object type {to_name!r}")
        if isinstance(ids, dict):  # the API's {"results": [{"id", "type"}]}; a labelled (primary) one also
            results = ids.get("results", [])  # comes with a `..._unlabeled` row for the same id
            labelled = {str(r.get("id")) for r in results if str(r.get("type", "")).endswith("_unlabeled")}
            pairs += [(to_def.name, str(r.get("id")), str(r.get("id")) in labelled) for r in results
                      if not str(r.get("type", "")).endswith("_unlabeled")]
            continue
        if not isinstance(ids, list):
            raise _fail(path, where, f"associations.{to_name}: expected a list of ids")
        pairs += [(to_def.name, str(i), None) for i in ids]
    return pairs


def _load_owners(path: Path, portal: Portal) -> None:
    raw = _read_json(path)
    owners = raw.get("results") if isinstance(raw, dict) else raw
    if not isinstance(owners, list):
        raise _fail(path, "file", "expected a list of owners (or {\"results\": [...]})")
    for index, body in enumerate(owners):
        if not isinstance(body, dict) or not str(body.get("id", "")).isdigit():
            raise _fail(path, f"owner {index}", "id: expected a numeric id")
        try:
            portal.add_owner(Owner.from_api(body))
        except (ValueError, TypeError) as exc:
            raise _fail(path, f"owner {index} (id {body['id']})", f"userId: {exc}") from None


def _load_currencies(path: Path, portal: Portal) -> None:
    """{"EUR": 0.92, ...}: units of each currency per unit of the company currency."""
    raw = _read_json(path)
    if not isinstance(raw, dict):
        raise _fail(path, "file", "expected an object of currency code → rate")
    for code, rate in raw.items():
        if not isinstance(rate, (int, float)) or isinstance(rate, bool) or rate <= 0:
            raise _fail(path, code, f"rate {rate!r} is not a positive number")
        portal.currencies[code] = float(rate)


def _load_properties(path: Path, portal: Portal) -> None:
    """Custom property definitions: {"deals": [PropertyCreate bodies], ...}."""
    from sandbox.hubspot.errors import ApiError
    from sandbox.hubspot.routes_properties import property_from_input
    raw = _read_json(path)
    if not isinstance(raw, dict):
        raise _fail(path, "file", "expected an object of object type → list of property definitions")
    for type_name, bodies in raw.items():
        type_def = portal.resolve_type(type_name)
        if type_def is None or not isinstance(bodies, list):
            raise _fail(path, type_name, "unknown object type or not a list of properties")
        for index, body in enumerate(bodies):
            try:
                prop = property_from_input(dict(body), portal.clock(), set(type_def.groups))
            except (ApiError, TypeError, AttributeError) as exc:
                raise _fail(path, f"{type_name} property {index}", str(exc)) from None
            type_def.properties[prop.name] = prop


def _load_pipelines(path: Path, portal: Portal) -> None:
    raw = _read_json(path)
    items = raw.get("results") if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items:
        raise _fail(path, "file", "expected a non-empty list of pipelines (or {\"results\": [...]})")
    pipelines = []
    for index, body in enumerate(items):
        where = f"pipeline {index}"
        if not isinstance(body, dict) or not body.get("id") or not isinstance(body.get("stages"), list):
            raise _fail(path, where, "expected {id, label, displayOrder, stages: [...]}")
        stages = []
        for s_index, stage in enumerate(body["stages"]):
            meta = stage.get("metadata") or {}
            try:
                probability = float(meta.get("probability", 0))
            except (TypeError, ValueError):
                raise _fail(path, f"{where} stage {s_index}", f"metadata.probability: {meta.get('probability')!r} "
                                                              "is not a number") from None
            if not 0 <= probability <= 1 or not stage.get("id"):
                raise _fail(path, f"{where} stage {s_index}", "metadata.probability must be 0..1 and id set")
            closed = str(meta.get("isClosed", "false")).lower() == "true"
            stages.append(Stage(str(stage["id"]), str(stage.get("label") or stage["id"]),
                                int(stage.get("displayOrder", s_index)), probability, closed,
                                closed and probability >= 1.0))
        pipelines.append(Pipeline(str(body["id"]), str(body.get("label") or body["id"]),
                                  int(body.get("displayOrder", index)), stages))
    portal.pipelines.replace_all(pipelines)


def export_portal(portal: Portal, directory: Path) -> None:
    """Write every object type with records, plus owners.json and pipelines.json, in the load format."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "owners.json").write_text(json.dumps([o.to_api() for o in portal.owners.values()], indent=1))
    (directory / "pipelines.json").write_text(json.dumps(
        {"results": [p.to_api() for p in portal.pipelines.by_id.values()]}, indent=1))
    (directory / "currencies.json").write_text(json.dumps(portal.currencies, indent=1))
    custom = {name: [p.to_api() for p in t.properties.values() if not p.hubspot_defined]
              for name, t in portal.types.items() if not t.custom}
    (directory / "properties.json").write_text(json.dumps({k: v for k, v in custom.items() if v}, indent=1))
    for type_name, table in portal.store.records.items():
        if not table:
            continue
        out = []
        for record_id in sorted(table, key=int):
            record = table[record_id]
            body: dict = {"id": record.id, "properties": dict(record.properties),
                          "createdAt": iso_millis(record.created_at), "updatedAt": iso_millis(record.updated_at),
                          "archived": record.archived}
            if record.archived_at:
                body["archivedAt"] = iso_millis(record.archived_at)
            if "dealstage" in record.history and type_name == "deals":
                body["propertiesWithHistory"] = {"dealstage": [h.to_api() for h in record.history["dealstage"]]}
            links = {}
            for to_name in portal.types:
                if to_name > type_name:  # each pair once; loading adds both directions
                    rows = record_json(portal, portal.types[type_name], record, [], associations=[to_name])
                    links.update(rows.get("associations", {}))
            if links:
                body["associations"] = links
            out.append(body)
        (directory / f"{type_name}.json").write_text(json.dumps(out, indent=1))
