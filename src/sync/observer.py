"""How a run reports progress: the CLI draws bars, `--log-format json` prints events, tests stay silent."""

from __future__ import annotations

from typing import Any, Protocol


class RunObserver(Protocol):
    def phase(self, instance: str, name: str, total: int | None = None) -> None:
        """A new step of the run begins (`extract Opportunity`, `compute`, `write back`)."""

    def advance(self, instance: str, amount: int = 1) -> None:
        """`amount` more records of the current step are done."""

    def finished(self, instance: str, report: Any) -> None:
        """The run ended (`report` is a `sync.pipeline.RunReport`)."""


class SilentObserver:
    def phase(self, instance: str, name: str, total: int | None = None) -> None:
        return None

    def advance(self, instance: str, amount: int = 1) -> None:
        return None

    def finished(self, instance: str, report: Any) -> None:
        return None
