"""`--data DIR`: an org from one CSV per object in the Data Loader export format, and back.

A file is `<SObject>.csv`; its header holds field API names; values are as Data Loader writes them (dates
`2024-01-31`, datetimes `2024-01-31T10:00:00.000Z`, booleans `true`/`false`, empty = null). Anything
malformed stops the load with a `SandboxDataError` naming the file, the row (line number) and the column.
Objects load in dependency order (users before the accounts they own, ...).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sandbox.plugin import SandboxDataError
from sandbox.salesforce.org import INTEGRATION_USER, render_org
from sandbox.salesforce.store import Store
from sandbox.salesforce.values import BadValue, coerce_csv, looks_like_id, to_csv

LOAD_ORDER = ["UserRole", "User", "PermissionSet", "PermissionSetAssignment", "FieldPermissions",
              "CurrencyType", "DatedConversionRate", "Product2", "OpportunityStage", "Account", "Lead",
              "Opportunity", "OpportunityHistory", "OpportunityLineItem", "Task", "Event", "ForecastingQuota"]


def _read(store: Store, path: Path) -> tuple[str, list[dict[str, Any]]]:
    d = store.sobject(path.stem)
    if d is None:
        raise SandboxDataError(f"{path}: unknown object {path.stem!r} (file names are <SObject>.csv, e.g. "
                               "Opportunity.csv)")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise SandboxDataError(f"{path}: row 1: the header row (field API names) is missing")
        fields = []
        for column, name in enumerate(header, start=1):
            f = d.field(name.strip())
            if f is None:
                raise SandboxDataError(f"{path}: row 1, column {column} ({name!r}): no field {name!r} on {d.name}")
            fields.append(f)
        rows = []
        for line, cells in enumerate(reader, start=2):
            if len(cells) != len(fields):
                raise SandboxDataError(f"{path}: row {line}: {len(cells)} values for {len(fields)} columns")
            row: dict[str, Any] = {}
            for column, (f, cell) in enumerate(zip(fields, cells, strict=False), start=1):
                try:
                    value = coerce_csv(f, cell)
                except BadValue as exc:
                    raise SandboxDataError(f"{path}: row {line}, column {column} ({f.name}): {exc}") from None
                if f.type in ("id", "reference") and value is not None and not looks_like_id(value):
                    raise SandboxDataError(f"{path}: row {line}, column {column} ({f.name}): {value!r} is not a "
                                           "Salesforce id")
                row[f.name] = value
            rows.append(row)
    return d.name, rows


def load_data(directory: Path) -> Store:
    """The org in `directory`; the integration user and default stages exist unless the files define them."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SandboxDataError(f"{directory}: not a directory")
    store = render_org(None)
    tables = dict(_read(store, path) for path in sorted(directory.glob("*.csv")))
    if not tables:
        raise SandboxDataError(f"{directory}: no <SObject>.csv files found")
    if "OpportunityStage" in tables:
        store.tables["OpportunityStage"].clear()
    order = LOAD_ORDER + sorted(set(tables) - set(LOAD_ORDER))
    for name in order:
        if name in tables:
            store.load(name, tables[name])
    return store


def export_org(store: Store, directory: Path, objects: list[str] | None = None) -> list[Path]:
    """Write every non-empty object (or `objects`) as Data Loader CSV; the integration user is left out."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in objects or list(store.objects):
        d = store.objects[name]
        rows = [r for r in store.tables[name].values()
                if not (name == "User" and r.get("Username") == INTEGRATION_USER)]
        if not rows:
            continue
        path = directory / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(list(d.fields))
            for r in rows:
                writer.writerow([to_csv(r.get(f)) for f in d.fields])
        written.append(path)
    return written
