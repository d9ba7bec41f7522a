"""Time sources for the sandbox. Limits and token expiry take a clock so tests never sleep."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Seconds since the epoch, like time.time().
Clock = Callable[[], float]

system_clock: Clock = time.time


class ManualClock:
    """A clock a test moves by hand: `clock.advance(10)` is ten seconds passing instantly."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
