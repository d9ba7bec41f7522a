"""Search request evaluation: filterGroups (OR of ANDs), sorts, limit/after and HubSpot's caps.

Comparison follows the property type: numbers numerically, date/datetime by instant (filter values
as epoch milliseconds or ISO strings), everything else as case-insensitive text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sandbox.hubspot.catalog import ObjectTypeDef
from sandbox.hubspot.errors import validation
from sandbox.hubspot.properties import parse_instant
from sandbox.hubspot.record import Record

MAX_LIMIT = 200
MAX_RESULTS = 10_000
MAX_GROUPS, MAX_FILTERS_PER_GROUP, MAX_FILTERS = 5, 10, 25
VALUE_OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}
LIST_OPERATORS = {"IN", "NOT_IN"}
OPERATORS = VALUE_OPERATORS | LIST_OPERATORS | {"BETWEEN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"}


def _key(type_name: str, raw: str | None):
    """A comparable key for a value of a property type; None for empty or unparseable values."""
    if raw is None or raw == "":
        return None
    if type_name == "number":
        try:
            return float(raw)
        except ValueError:
            return None
    if type_name in ("date", "datetime"):
        moment = parse_instant(raw)
        return moment.timestamp() if moment else None
    return raw.lower()


def _token_match(pattern: str, text: str) -> bool:
    """CONTAINS_TOKEN: a word of the value matches; `*` is a wildcard."""
    regex = re.compile("^" + ".*".join(map(re.escape, pattern.lower().split("*"))) + "$")
    words = re.split(r"[\s@.,;:/_\-]+", text.lower()) + [text.lower()]
    return any(regex.match(w) for w in words if w)


def compile_filter(type_def: ObjectTypeDef, f: dict) -> Callable[[Record], bool]:
    name, op = f.get("propertyName"), f.get("operator")
    if op not in OPERATORS:
        raise validation(f"Invalid operator: {op}. Must be one of {', '.join(sorted(OPERATORS))}.")
    prop = type_def.properties.get(name or "")
    if prop is None and name not in ("hs_object_id", "id"):
        raise validation(f"There was a problem with the request. Property {name!r} does not exist on "
                         f"{type_def.singular}.", extra={})
    kind = prop.type if prop else "number"

    def value_of(record: Record) -> str | None:
        return record.id if name == "id" else record.properties.get(name)

    if op == "HAS_PROPERTY":
        return lambda r: (value_of(r) or "") != ""
    if op == "NOT_HAS_PROPERTY":
        return lambda r: (value_of(r) or "") == ""
    if op in LIST_OPERATORS:
        values = f.get("values")
        if not isinstance(values, list) or not values:
            raise validation(f"{op} filter on {name} requires a non-empty `values` list.")
        keys = {_key(kind, str(v)) for v in values}
        return (lambda r: _key(kind, value_of(r)) in keys) if op == "IN" else (
            lambda r: _key(kind, value_of(r)) not in keys)
    if op == "BETWEEN":
        low, high = _key(kind, str(f.get("value", ""))), _key(kind, str(f.get("highValue", "")))
        if low is None or high is None:
            raise validation(f"BETWEEN filter on {name} requires `value` and `highValue`.")
        return lambda r: (k := _key(kind, value_of(r))) is not None and low <= k <= high
    if "value" not in f or f["value"] is None:
        raise validation(f"{op} filter on {name} requires a `value`.")
    raw = str(f["value"])
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        hit = lambda r: _token_match(raw, value_of(r) or "")
        return hit if op == "CONTAINS_TOKEN" else (lambda r: not hit(r))
    target = _key(kind, raw)
    if target is None:
        raise validation(f"Invalid value {raw!r} for {kind} property {name}.")
    compare = {"EQ": lambda k: k == target, "NEQ": lambda k: k != target, "LT": lambda k: k < target,
               "LTE": lambda k: k <= target, "GT": lambda k: k > target, "GTE": lambda k: k >= target}[op]
    if op == "NEQ":  # NEQ matches records without a value too, as in HubSpot
        return lambda r: (k := _key(kind, value_of(r))) is None or compare(k)
    return lambda r: (k := _key(kind, value_of(r))) is not None and compare(k)


def compile_groups(type_def: ObjectTypeDef, groups: list) -> Callable[[Record], bool]:
    if not isinstance(groups, list):
        raise validation("filterGroups must be a list.")
    total = sum(len(g.get("filters") or []) for g in groups)
    if len(groups) > MAX_GROUPS or total > MAX_FILTERS or any(
            len(g.get("filters") or []) > MAX_FILTERS_PER_GROUP for g in groups):
        raise validation(f"Too many filters or filter groups: at most {MAX_GROUPS} filterGroups with up to "
                         f"{MAX_FILTERS_PER_GROUP} filters each and {MAX_FILTERS} filters in total.")
    compiled = [[compile_filter(type_def, f) for f in g.get("filters") or []] for g in groups]
    compiled = [c for c in compiled if c]
    if not compiled:
        return lambda r: True
    return lambda r: any(all(f(r) for f in group) for group in compiled)


def sort_key(type_def: ObjectTypeDef, sorts: list) -> tuple[Callable[[Record], tuple], bool]:
    """One sort (HubSpot honours one): a string `"prop"`/`"-prop"` or `{propertyName, direction}`."""
    if not sorts:
        return (lambda r: (0, int(r.id))), False
    first = sorts[0]
    if isinstance(first, str):
        descending, name = first.startswith("-"), first.lstrip("-")
    elif isinstance(first, dict):
        name, descending = first.get("propertyName", ""), first.get("direction", "ASCENDING") == "DESCENDING"
    else:
        raise validation("Invalid sort.")
    prop = type_def.properties.get(name)
    if prop is None and name not in ("id", "hs_object_id"):
        raise validation(f"Unable to sort by property {name!r}: it does not exist.")
    kind = prop.type if prop else "number"

    def key(r: Record) -> tuple:
        k = _key(kind, r.id if name == "id" else r.properties.get(name))
        # Records without a value sort last in ascending order, first in descending (as HubSpot).
        return (k is None, k if k is not None else 0, int(r.id))

    return key, descending


def parse_paging(body: dict) -> tuple[int, int]:
    limit = body.get("limit", 10)
    after = body.get("after") or "0"
    try:
        limit, offset = int(limit), int(after)
    except (TypeError, ValueError):
        raise validation("There was a problem with the request: `after` must be a numeric offset.") from None
    if limit < 0 or limit > MAX_LIMIT:
        raise validation(f"limit must be between 1 and {MAX_LIMIT}; got {limit}.",
                         context={"limit": [str(limit)]})
    if offset >= MAX_RESULTS:
        raise validation(f"Search results are limited to {MAX_RESULTS} records; `after` was {offset}. "
                         "Narrow the filters (e.g. page by hs_object_id) to read further.",
                         context={"after": [str(offset)]})
    return limit or 10, offset
