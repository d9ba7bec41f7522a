"""Daily and burst API limits of a sandbox, with an injectable clock.

Two counters, like the real CRMs: a daily allocation (Salesforce's DailyApiRequests, HubSpot's daily
limit) that resets at UTC midnight of the sandbox clock, and a burst limit over a rolling window
(HubSpot's TEN_SECONDLY_ROLLING). Which calls count and what headers show the state is the CRM dialect's
call; this module only counts. A refused call does not consume the allocation.

Compact text form (CLI `--limits`): `daily=N,burst=N/SECONDS`, e.g. `daily=250000,burst=100/10`;
`daily=none` or `burst=none` turns one off.
"""

from __future__ import annotations

import enum
import threading
from collections import deque
from dataclasses import dataclass

from sandbox.clock import Clock, system_clock

SECONDS_PER_DAY = 86_400


class LimitSpecError(ValueError):
    """A `--limits` text that cannot be read; the message names the part at fault."""


@dataclass(frozen=True)
class LimitConfig:
    daily_max: int | None = None  # None: no daily allocation enforced (headers still need a figure)
    burst_max: int | None = None  # None: no burst limit
    burst_window_seconds: float = 10.0

    @classmethod
    def parse(cls, spec: str, base: LimitConfig | None = None) -> LimitConfig:
        """Read `daily=N,burst=N/SECONDS` over `base` (the CRM's defaults)."""
        values = {"daily_max": (base or cls()).daily_max, "burst_max": (base or cls()).burst_max,
                  "burst_window_seconds": (base or cls()).burst_window_seconds}
        for part in filter(None, (piece.strip() for piece in spec.split(","))):
            key, sep, raw = part.partition("=")
            if not sep:
                raise LimitSpecError(f"limit {part!r} is not key=value (expected daily=N or burst=N/SECONDS)")
            key, raw = key.strip(), raw.strip()
            if key == "daily":
                values["daily_max"] = _count(raw, part)
            elif key == "burst":
                count, _, window = raw.partition("/")
                values["burst_max"] = _count(count, part)
                if window:
                    values["burst_window_seconds"] = _positive_float(window, part)
            else:
                raise LimitSpecError(f"limit {part!r}: unknown key {key!r} (known: daily, burst)")
        return cls(**values)  # type: ignore[arg-type]


def _count(raw: str, part: str) -> int | None:
    if raw.lower() == "none":
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise LimitSpecError(f"limit {part!r} needs a whole number of calls ≥ 1 or 'none'")
    return int(raw)


def _positive_float(raw: str, part: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise LimitSpecError(f"limit {part!r} needs a window in seconds > 0")
    return value


class Refusal(enum.Enum):
    DAILY = "daily"
    BURST = "burst"


@dataclass(frozen=True)
class LimitState:
    """What the limit headers show after a call. `*_max` None means that limit is off."""

    daily_used: int
    daily_max: int | None
    burst_used: int
    burst_max: int | None
    burst_window_seconds: float

    @property
    def daily_remaining(self) -> int | None:
        return None if self.daily_max is None else max(self.daily_max - self.daily_used, 0)

    @property
    def burst_remaining(self) -> int | None:
        return None if self.burst_max is None else max(self.burst_max - self.burst_used, 0)


@dataclass(frozen=True)
class LimitVerdict:
    refusal: Refusal | None  # None: the call may go ahead and has been counted
    retry_after: float | None  # for a burst refusal: seconds until a slot frees up
    state: LimitState


class RateLimiter:
    """Counts calls against a LimitConfig. Thread-safe; all time comes from `clock`."""

    def __init__(self, config: LimitConfig | None = None, clock: Clock = system_clock) -> None:
        self.config = config or LimitConfig()
        self.clock = clock
        self._day: int | None = None
        self._daily_used = 0
        self._window: deque[float] = deque()
        self._lock = threading.Lock()

    def _roll(self, now: float) -> None:
        day = int(now // SECONDS_PER_DAY)
        if day != self._day:
            self._day, self._daily_used = day, 0
        horizon = now - self.config.burst_window_seconds
        while self._window and self._window[0] <= horizon:
            self._window.popleft()

    def _state(self) -> LimitState:
        return LimitState(self._daily_used, self.config.daily_max, len(self._window), self.config.burst_max,
                          self.config.burst_window_seconds)

    def acquire(self) -> LimitVerdict:
        """Count one call, or refuse it (daily first: a spent allocation outranks a busy second)."""
        with self._lock:
            now = self.clock()
            self._roll(now)
            cfg = self.config
            if cfg.daily_max is not None and self._daily_used >= cfg.daily_max:
                return LimitVerdict(Refusal.DAILY, None, self._state())
            if cfg.burst_max is not None and len(self._window) >= cfg.burst_max:
                wait = self._window[0] + cfg.burst_window_seconds - now
                return LimitVerdict(Refusal.BURST, max(wait, 0.0), self._state())
            self._daily_used += 1
            self._window.append(now)
            return LimitVerdict(None, None, self._state())

    def snapshot(self) -> LimitState:
        """Current usage without counting a call (for `/limits`-style endpoints)."""
        with self._lock:
            self._roll(self.clock())
            return self._state()

    def reset(self) -> None:
        with self._lock:
            self._day, self._daily_used = None, 0
            self._window.clear()
