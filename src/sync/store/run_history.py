"""Run history: one row per run of one instance, from start to end, with what it read and wrote.

Counts per stream are added by each stored batch in its own transaction (`records.count_into_run`), so a
run killed half-way still shows what it stored; `finish_run` closes the row with the run's totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlalchemy as sa

from sync.store.tables import runs

RunStatus = Literal["running", "ok", "partial", "failed", "interrupted"]
"""`partial`: finished, but some records were quarantined or some writes rejected (exit code 3)."""


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    instance: str
    started_at: datetime
    ended_at: datetime | None
    status: RunStatus
    counts: dict[str, int]
    """Records stored per stream."""
    quarantined: int
    api_calls: int
    writes: int
    write_errors: int
    message: str | None


def insert_run(connection: sa.Connection, run_id: str, instance: str, now: datetime) -> None:
    """A new run row; a run id already here (a redelivered job resuming its run) is opened again."""
    reopened = connection.execute(
        runs.update()
        .where(runs.c.run_id == run_id, runs.c.instance == instance)
        .values(status="running", ended_at=None, message=None)
    )
    if reopened.rowcount == 1:
        return
    connection.execute(
        runs.insert().values(
            run_id=run_id,
            instance=instance,
            started_at=now,
            ended_at=None,
            status="running",
            counts={},
            quarantined=0,
            api_calls=0,
            writes=0,
            write_errors=0,
            message=None,
        )
    )


def close_run(
    connection: sa.Connection,
    run_id: str,
    status: RunStatus,
    now: datetime,
    *,
    api_calls: int = 0,
    writes: int = 0,
    write_errors: int = 0,
    message: str | None = None,
) -> None:
    done = connection.execute(
        runs.update()
        .where(runs.c.run_id == run_id)
        .values(
            status=status,
            ended_at=now,
            api_calls=api_calls,
            writes=writes,
            write_errors=write_errors,
            message=message,
        )
    )
    if done.rowcount != 1:
        raise KeyError(f"run {run_id!r} was not started in this store")


def mark_abandoned(connection: sa.Connection, instance: str, now: datetime) -> int:
    """Runs still `running` for an instance whose lock we now hold were killed: say so."""
    done = connection.execute(
        runs.update()
        .where(runs.c.instance == instance, runs.c.status == "running")
        .values(
            status="interrupted",
            ended_at=now,
            message="the run stopped before it finished (killed or crashed)",
        )
    )
    return done.rowcount


def select_run(connection: sa.Connection, run_id: str) -> RunRecord | None:
    row = connection.execute(sa.select(runs).where(runs.c.run_id == run_id)).first()
    return None if row is None else _record(row._mapping)


def select_runs(connection: sa.Connection, instance: str | None, limit: int) -> list[RunRecord]:
    query = sa.select(runs).order_by(runs.c.started_at.desc(), runs.c.run_id.desc()).limit(limit)
    if instance is not None:
        query = query.where(runs.c.instance == instance)
    return [_record(row._mapping) for row in connection.execute(query)]


def _record(row: sa.RowMapping) -> RunRecord:
    return RunRecord(**{name: row[name] for name in RunRecord.__dataclass_fields__})
