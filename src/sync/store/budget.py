"""The rate budget of each instance in the store, shared by every process that opens it (Celery workers).

Why the store and not Redis: workers already need the PostgreSQL store, and a row per instance updated by
one `INSERT ... ON CONFLICT DO UPDATE ... WHERE` is atomic there — PostgreSQL locks the row and evaluates
the condition on its latest version, so two workers charging at once are serialised and never together pass
the share. No second service to run, secure and keep consistent with the store; the count survives restarts
and `status` can read it. The cost is one short transaction per API call (about a millisecond on a local
server, against tens of milliseconds for the CRM call it guards).

The count follows `connectors.budget.LocalBudget`'s rules: the CRM's reported count replaces ours, charges
add to it, and nothing is refused while the CRM has not yet reported its limit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from connectors.budget import BudgetCount, Charge
from sync.store.locks import Clock, utc_now
from sync.store.tables import api_budget


class StoreBudget:
    """A `connectors.budget.BudgetBackend` over the store's `api_budget` table."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self.engine = engine
        self._clock = clock

    def _insert(self, values: dict[str, Any]) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(api_budget).values(**values)

    def observe(self, instance: str, used: int | None, limit: int | None) -> None:
        now = self._clock()
        insert = self._insert(
            {"instance": instance, "used": used, "daily_limit": limit, "charged": 0, "updated_at": now}
        )
        changes: dict[str, Any] = {"updated_at": now}
        if used is not None:
            changes["used"] = used
        if limit is not None:
            changes["daily_limit"] = limit
        with self.engine.begin() as connection:
            connection.execute(insert.on_conflict_do_update(index_elements=["instance"], set_=changes))

    def charge(self, instance: str, calls: int, share: float) -> Charge:
        now: datetime = self._clock()
        table = api_budget
        unknown = sa.or_(table.c.used.is_(None), table.c.daily_limit.is_(None), table.c.daily_limit == 0)
        within = table.c.used + calls <= sa.func.floor(sa.cast(share, sa.Float) * table.c.daily_limit)
        insert = self._insert(
            {"instance": instance, "used": None, "daily_limit": None, "charged": calls, "updated_at": now}
        )
        upsert = insert.on_conflict_do_update(
            index_elements=["instance"],
            set_={
                "used": sa.case((unknown, table.c.used), else_=table.c.used + calls),
                "charged": table.c.charged + calls,
                "updated_at": now,
            },
            where=sa.or_(unknown, within),
        ).returning(table.c.used, table.c.daily_limit)
        with self.engine.begin() as connection:
            row = connection.execute(upsert).first()
            if row is not None:
                return Charge(True, BudgetCount(row.used, row.daily_limit))
            refused = connection.execute(
                sa.select(table.c.used, table.c.daily_limit).where(table.c.instance == instance)
            ).one()
            return Charge(False, BudgetCount(refused.used, refused.daily_limit))

    def count(self, instance: str) -> tuple[BudgetCount, int]:
        """The instance's count and the calls charged in all, as the workers left them."""
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(api_budget.c.used, api_budget.c.daily_limit, api_budget.c.charged).where(
                    api_budget.c.instance == instance
                )
            ).first()
        if row is None:
            return BudgetCount(None, None), 0
        return BudgetCount(row.used, row.daily_limit), int(row.charged)
