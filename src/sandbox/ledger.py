"""The ledger of API calls a sandbox served: what tests and benches count instead of timing.

One ledger per sandbox instance. Every request is recorded as its response status goes out, including
the ones a fault or a limit answered; a dropped connection is recorded with status 0.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

DROPPED = 0  # status recorded when the connection was dropped without a response


@dataclass(frozen=True)
class Call:
    """One request as the sandbox saw it. `time` is the sandbox clock's reading when it arrived."""

    instance: str
    method: str
    path: str
    label: str
    status: int
    time: float


class Ledger:
    """Thread-safe record of calls; the server thread writes while a test thread reads."""

    def __init__(self, instance: str = "sandbox") -> None:
        self.instance = instance
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def record(self, method: str, path: str, label: str, status: int, time: float) -> Call:
        call = Call(self.instance, method, path, label, status, time)
        with self._lock:
            self._calls.append(call)
        return call

    def count(self, label: str | None = None, status: int | None = None) -> int:
        """Calls so far, optionally only those with this endpoint label and/or response status."""
        return len(self.calls(label=label, status=status))

    def calls(self, label: str | None = None, status: int | None = None) -> list[Call]:
        """A snapshot copy, oldest first; safe to keep while the server goes on recording."""
        with self._lock:
            snapshot = list(self._calls)
        return [
            call
            for call in snapshot
            if (label is None or call.label == label) and (status is None or call.status == status)
        ]

    def by_label(self) -> dict[str, int]:
        """Counts per endpoint label, for bench reports."""
        counts: dict[str, int] = {}
        for call in self.calls():
            counts[call.label] = counts.get(call.label, 0) + 1
        return counts

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
