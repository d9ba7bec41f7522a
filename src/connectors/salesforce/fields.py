"""Which columns a stream selects: the declared fields the org has and the integration user can read
(describe lists only those), parent fields whose relationship exists, and the settings' mapped custom
fields — and, for an object too wide for one query, the split into column groups joined on Id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.config import InstanceConfig
from connectors.errors import ConfigurationError
from connectors.salesforce.streams import COMMON, SalesforceStream

MAX_SOQL_CHARS = 15_000
"""A REST query travels in the URL; Salesforce refuses URLs past ~16,000 characters (SOQL's own limit,
100,000, is never the one reached first)."""


def readable_fields(
    stream: SalesforceStream, describe: Mapping[str, Any], instance: InstanceConfig
) -> list[str]:
    """The SELECT list of `stream` in this org, in declaration order, without duplicates."""
    by_name = {f["name"].lower(): f for f in describe.get("fields", [])}
    relationships = {str(f.get("relationshipName") or "").lower() for f in describe.get("fields", [])}
    chosen = [by_name[name.lower()]["name"] for name in stream.fields if name.lower() in by_name]
    chosen += [path for path in stream.relations if path.split(".")[0].lower() in relationships]
    for key in stream.mapped:
        name = instance.field_mapping.get(key)
        if name is None:
            continue
        if name.lower() not in by_name:
            raise ConfigurationError(
                f"instance {instance.name!r}: field_mapping {key!r} = {name!r}, but {stream.name} has no "
                f"field {name!r} that the integration user can read; correct the mapping or grant the user "
                "read access to the field (field-level security)"
            )
        chosen.append(by_name[name.lower()]["name"])
    seen: set[str] = set()
    return [c for c in chosen if not (c.lower() in seen or seen.add(c.lower()))]  # type: ignore[func-returns-value]


def column_groups(fields: list[str], max_chars: int = MAX_SOQL_CHARS, overhead: int = 400) -> list[list[str]]:
    """Split `fields` so that each group's SELECT fits in one query; every group carries Id, IsDeleted and
    SystemModstamp so groups join on Id and check they saw the same version of the row."""
    keys = [f for f in COMMON if f in fields]
    rest = [f for f in fields if f not in keys]
    room = max_chars - overhead - sum(len(k) + 2 for k in keys)
    if room <= 0:
        raise ValueError(f"max_chars {max_chars} leaves no room for fields")
    groups: list[list[str]] = []
    current: list[str] = []
    used = 0
    for name in rest:
        if current and used + len(name) + 2 > room:
            groups.append(keys + current)
            current, used = [], 0
        current.append(name)
        used += len(name) + 2
    groups.append(keys + current)
    return groups
