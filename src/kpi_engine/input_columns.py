"""Column declarations: which input columns a fact (or a prepared view of the context) reads.

A declaration maps a table to the columns read from it; `reads` merges declarations. Facts declare
theirs in `@fact(..., reads=...)` (`kpi_engine.facts.registry`), naming the views below for what the
context prepares for them, so the compute asks its source for exactly the union of what it will read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Columns = dict[str, tuple[str, ...]]


def reads(*parts: Mapping[str, Sequence[str]], **tables: Sequence[str]) -> Columns:
    """The union of column declarations (views and tables), each table's columns in first-seen order."""
    merged: dict[str, dict[str, None]] = {}
    for part in (*parts, tables):
        for table, columns in part.items():
            merged.setdefault(table, {}).update(dict.fromkeys(columns))
    return {table: tuple(columns) for table, columns in merged.items()}


# `ctx.users`: reps with their team, email, start and end (an inactive user's end is its last change).
USER_VIEW: Columns = {"users": ("id", "team", "email", "started_at", "ended_at", "active", "modified_at")}
# `ctx.account_regions`: each account's region.
REGION_VIEW: Columns = {"accounts": ("id", "region")}
# `ctx.opportunities_lazy`: opportunities with org, rep, team, region and created_date.
OPPORTUNITY_VIEW: Columns = reads(
    USER_VIEW, REGION_VIEW, opportunities=("owner_id", "created_at", "account_id")
)
# `ctx.accounts`: accounts with org, rep, team, region and created_date.
ACCOUNT_VIEW: Columns = reads(USER_VIEW, REGION_VIEW, accounts=("owner_id", "created_at"))
# `ctx.activities_keyed`: live activities with integer scope keys and occurred_date.
ACTIVITY_KEYS_VIEW: Columns = reads(
    USER_VIEW,
    REGION_VIEW,
    opportunities=("id", "account_id"),
    activities=("owner_id", "occurred_at", "account_id", "opportunity_id"),
)
