"""Record ids in the style of each CRM, built column-wise.

Salesforce: 15 characters (3-character key prefix of the object, 2-character pod, a reserved `0`, a
9-character base-62 counter) plus the 3-character case-safe suffix, 18 in all, as the REST API returns
them. HubSpot: numeric strings, one number range per object type.
"""

from __future__ import annotations

import zlib

import numpy as np
import polars as pl

BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
SUFFIX_CHARS = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)
POD = b"5g"

# Salesforce key prefixes (the first three characters of every id of an object).
SALESFORCE_PREFIXES: dict[str, str] = {
    "users": "005",
    "accounts": "001",
    "leads": "00Q",
    "opportunities": "006",
    "stage_changes": "008",  # OpportunityHistory
    "stages": "01J",  # OpportunityStage
    "tasks": "00T",  # calls, emails and tasks are Tasks
    "events": "00U",  # meetings are Events
    "notes": "002",
    "line_items": "00k",
    "products": "01t",
}


def _object_offset(object_name: str) -> int:
    """A stable per-object start for counters, so ids of different objects don't look alike."""
    return zlib.crc32(object_name.encode()) % 50_000


def salesforce_ids(prefixes: np.ndarray, counters: np.ndarray) -> pl.Series:
    """18-character ids from per-row 3-byte prefixes (uint8, shape (n, 3)) and non-negative counters."""
    n = len(counters)
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, 0:3] = prefixes
    chars[:, 3:5] = np.frombuffer(POD, dtype=np.uint8)
    chars[:, 5] = ord("0")
    rest = counters.astype(np.int32 if counters.max(initial=0) < 2**31 else np.int64)
    for position in range(14, 5, -1):
        if not rest.any():  # the leading digits are zeros: skip the arithmetic
            chars[:, 6:position + 1] = ord("0")
            break
        chars[:, position] = BASE62[rest % 62]
        rest //= 62
    # Case-safe suffix: for each 5-character chunk, a bit per upper-case letter, mapped to A-Z0-5.
    upper = (chars[:, :15] >= ord("A")) & (chars[:, :15] <= ord("Z"))
    bits = upper.reshape(n, 3, 5) * (1 << np.arange(5, dtype=np.uint8))
    chars[:, 15:18] = SUFFIX_CHARS[bits.sum(axis=2)]
    return pl.Series(chars.view("S18").ravel()).cast(pl.String)


def prefix_rows(prefix: str, n: int) -> np.ndarray:
    return np.broadcast_to(np.frombuffer(prefix.encode(), dtype=np.uint8), (n, 3))


def record_ids(object_name: str, n: int, source: str) -> pl.Series:
    """Ids for n records of one object, in creation order."""
    counters = np.arange(n, dtype=np.int64)
    return ids_for_counters(object_name, counters, source)


def ids_for_counters(object_name: str, counters: np.ndarray, source: str) -> pl.Series:
    offset = _object_offset(object_name)
    if source == "salesforce":
        prefix = SALESFORCE_PREFIXES[object_name]
        # Real counters have leading zeros and grow from a random-looking base.
        return salesforce_ids(prefix_rows(prefix, len(counters)), counters + 200_000 + offset * 1_000)
    if source == "hubspot":
        base = 10_000_000_000 + offset * 1_000_000_000 // 50_000 * 10
        return pl.Series(counters + base, dtype=pl.Int64).cast(pl.String)
    raise ValueError(f"unknown source {source!r}; use 'salesforce' or 'hubspot'")
