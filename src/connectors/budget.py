"""The rate budget of one instance: the share of the CRM's daily allocation this product may use.

Both CRMs report the day's usage on their responses (Salesforce `Sforce-Limit-Info: api-usage=N/M`,
HubSpot `X-HubSpot-RateLimit-Daily` / `-Daily-Remaining`); the client feeds what it reads into
`observe`, and `charge` is called before each request so that the run stops *before* the CRM starts
refusing the org's other integrations. Stopping is a `BudgetExhausted`: the sync ends the run with its
cursors saved and the next run resumes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from connectors.errors import BudgetExhausted


@dataclass
class ApiBudget:
    instance: str
    share: float
    """Stop once `used >= share * limit`."""
    used: int | None = None
    limit: int | None = None
    calls: int = 0
    """Calls this process made since the budget was created (counted even when the CRM reports nothing)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def observe(self, used: int | None, limit: int | None) -> None:
        """Take the CRM's own count of the day's calls, as the latest response reported it."""
        with self._lock:
            if used is not None:
                self.used = used
            if limit is not None:
                self.limit = limit

    def charge(self, calls: int = 1) -> None:
        """Account for `calls` requests about to be made; raise when the share is used up."""
        with self._lock:
            if self.used is not None and self.limit:
                allowed = int(self.share * self.limit)
                if self.used + calls > allowed:
                    raise BudgetExhausted(
                        f"instance {self.instance!r}: {self.used:,} of the daily {self.limit:,} API calls "
                        f"are used and this product may use {self.share:.0%} ({allowed:,}); the run stops "
                        "here with its progress saved and resumes on the next run "
                        "(raise api_budget_share to allow more)"
                    )
                self.used += calls
            self.calls += calls
