"""Run observers for the CLI: rich progress bars for people, one JSON event a line for machines.

Both write to stderr, so `--format json` output on stdout stays clean to pipe.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from sync.cli_output import json_bytes, stderr_console


class BarsObserver:
    """One line per step of each instance: a bar when the total is known, a running count otherwise."""

    def __init__(self) -> None:
        self.progress = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr_console(),
            transient=False,
        )
        self._current: dict[str, TaskID] = {}

    def __enter__(self) -> BarsObserver:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._close_all()
        self.progress.stop()

    def _close(self, instance: str) -> None:
        task = self._current.pop(instance, None)
        if task is not None:
            done = self.progress.tasks[task].completed if task < len(self.progress.tasks) else 0
            self.progress.update(task, total=max(done, 1), completed=max(done, 1) if done else 1)

    def _close_all(self) -> None:
        for instance in list(self._current):
            self._close(instance)

    def phase(self, instance: str, name: str, total: int | None = None) -> None:
        self._close(instance)
        self._current[instance] = self.progress.add_task(f"{instance}: {name}", total=total)

    def advance(self, instance: str, amount: int = 1) -> None:
        task = self._current.get(instance)
        if task is not None:
            self.progress.advance(task, amount)

    def finished(self, instance: str, report: Any) -> None:
        self._close(instance)


class JsonLogObserver:
    """`--log-format json`: one object per event on stderr (`event`, `instance`, time, details)."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def _emit(self, **event: Any) -> None:
        sys.stderr.buffer.write(json_bytes({"time": round(time.time(), 3), **event}) + b"\n")
        sys.stderr.flush()

    def phase(self, instance: str, name: str, total: int | None = None) -> None:
        self._emit(event="phase", instance=instance, phase=name, total=total)

    def advance(self, instance: str, amount: int = 1) -> None:
        self._counts[instance] = self._counts.get(instance, 0) + amount

    def finished(self, instance: str, report: Any) -> None:
        self._emit(
            event="finished",
            instance=instance,
            status=report.status,
            run_id=report.run_id,
            records=report.read,
            quarantined=sum(report.quarantined.values()),
            written=report.written,
            rejected=report.rejected,
            api_calls=report.api_calls,
            message=report.message,
        )

    def __enter__(self) -> JsonLogObserver:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
