"""The rate budget of one instance: the share of the CRM's daily allocation this product may use.

Both CRMs report the day's usage on their responses (Salesforce `Sforce-Limit-Info: api-usage=N/M`,
HubSpot `X-HubSpot-RateLimit-Daily` / `-Daily-Remaining`); the client feeds what it reads into
`observe`, and `charge` is called before each request so that the run stops *before* the CRM starts
refusing the org's other integrations. Stopping is a `BudgetExhausted`: the sync ends the run with its
cursors saved and the next run resumes.

Where the count lives is a `BudgetBackend`: in this process (`LocalBudget`, the default) or somewhere every
worker of a deployment shares (the sync's store, `sync.store.budget.StoreBudget`), so that workers charge
one count per instance and never together pass its share. The connectors only know the protocol.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from connectors.errors import BudgetExhausted


@dataclass(frozen=True)
class BudgetCount:
    """An instance's count of the day's API calls as the CRM last reported it, plus charges since."""

    used: int | None
    limit: int | None


@dataclass(frozen=True)
class Charge:
    """The answer of `BudgetBackend.charge`: whether the calls were allowed, and the count they met."""

    allowed: bool
    count: BudgetCount


def allowed_calls(share: float, limit: int) -> int:
    return int(share * limit)


class BudgetBackend(Protocol):
    """The count behind `ApiBudget`. Each method is atomic over everyone sharing the backend."""

    def observe(self, instance: str, used: int | None, limit: int | None) -> None:
        """The CRM's own count (`None` where a response said nothing) replaces ours."""

    def charge(self, instance: str, calls: int, share: float) -> Charge:
        """Add `calls` unless that takes the count past `share` of the limit (then nothing is added)."""


@dataclass
class LocalBudget:
    """The count in this process: enough for one process per instance (`crm-kpi sync`, `schedule`)."""

    counts: dict[str, BudgetCount] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, instance: str, used: int | None, limit: int | None) -> None:
        with self._lock:
            known = self.counts.get(instance, BudgetCount(None, None))
            self.counts[instance] = BudgetCount(
                used if used is not None else known.used, limit if limit is not None else known.limit
            )

    def charge(self, instance: str, calls: int, share: float) -> Charge:
        with self._lock:
            count = self.counts.get(instance, BudgetCount(None, None))
            if count.used is None or not count.limit:
                return Charge(True, count)
            if count.used + calls > allowed_calls(share, count.limit):
                return Charge(False, count)
            self.counts[instance] = BudgetCount(count.used + calls, count.limit)
            return Charge(True, self.counts[instance])


@dataclass
class ApiBudget:
    instance: str
    share: float
    """Stop once `used >= share * limit`."""
    backend: BudgetBackend = field(default_factory=LocalBudget)
    calls: int = 0
    """Calls this process made since the budget was created (counted even when the CRM reports nothing)."""
    used: int | None = None
    """The count as this process last saw it (the backend's count may be ahead: other workers charge it)."""
    limit: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, used: int | None, limit: int | None) -> None:
        """Take the CRM's own count of the day's calls, as the latest response reported it."""
        self.backend.observe(self.instance, used, limit)
        with self._lock:
            self.used = used if used is not None else self.used
            self.limit = limit if limit is not None else self.limit

    def charge(self, calls: int = 1) -> None:
        """Account for `calls` requests about to be made; raise when the share is used up."""
        charge = self.backend.charge(self.instance, calls, self.share)
        with self._lock:
            self.used, self.limit = charge.count.used, charge.count.limit
            if not charge.allowed:
                used, limit = charge.count.used or 0, charge.count.limit or 0
                raise BudgetExhausted(
                    f"instance {self.instance!r}: {used:,} of the daily {limit:,} API calls "
                    f"are used and this product may use {self.share:.0%} "
                    f"({allowed_calls(self.share, limit):,}); "
                    "the run stops here with its progress saved and resumes on the next run "
                    "(raise api_budget_share to allow more)"
                )
            self.calls += calls
