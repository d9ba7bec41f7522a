"""How big an org is, and the time window it covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
HISTORY_DAYS = 730  # about two years before as_of


@dataclass(frozen=True)
class OrgSpec:
    """Record counts of an org. Anything left at None scales with `opportunities`.

    `opportunities` and `activities` are exact; the others are targets (converted leads, for example,
    follow from the deals that came from leads).
    """

    opportunities: int
    users: int | None = None
    accounts: int | None = None
    leads: int | None = None
    activities: int | None = None

    def resolved(self) -> OrgSpec:
        n = self.opportunities
        if n < 1:
            raise ValueError(f"OrgSpec.opportunities must be at least 1, got {n}")
        return OrgSpec(
            opportunities=n,
            # ~1 rep per 330 deals over two years at scale; never fewer than a head, a manager and reps.
            users=self.users if self.users is not None else max(8, round(n * 0.003)),
            accounts=self.accounts if self.accounts is not None else max(5, round(n * 0.3)),
            leads=self.leads if self.leads is not None else max(10, round(n * 1.2)),
            activities=self.activities if self.activities is not None else 10 * n,
        )


SIZES: dict[str, OrgSpec] = {
    "tiny": OrgSpec(opportunities=60, users=8, accounts=25, leads=80, activities=600),
    "small": OrgSpec(opportunities=2_000, users=30, accounts=600, leads=2_400, activities=20_000),
    # `crm-kpi demo`: a mid-sized sales team, two years of deals, both sandboxes synced in a few minutes.
    "demo": OrgSpec(opportunities=20_000, users=50, accounts=6_000, leads=24_000, activities=300_000),
    "medium": OrgSpec(opportunities=50_000, users=150),
    "large": OrgSpec(opportunities=1_000_000, users=3_000),
}


def resolve_spec(size: str | OrgSpec) -> OrgSpec:
    if isinstance(size, OrgSpec):
        return size.resolved()
    try:
        return SIZES[size].resolved()
    except KeyError:
        raise ValueError(f"unknown org size {size!r}; use one of {', '.join(SIZES)} or an OrgSpec") from None


@dataclass(frozen=True)
class Window:
    """The org's time span in microseconds since the epoch (UTC): [start_us, horizon_us).

    `horizon_us` is midnight UTC at the start of `as_of`: everything that happened is before it; open deals'
    close dates and scheduled meetings may lie after it.
    """

    as_of: date
    start_us: int
    horizon_us: int

    @classmethod
    def ending(cls, as_of: date | None) -> Window:
        day = as_of if as_of is not None else datetime.now(UTC).date()
        horizon = datetime(day.year, day.month, day.day, tzinfo=UTC)
        horizon_us = int(horizon.timestamp()) * 1_000_000
        start_us = horizon_us - HISTORY_DAYS * DAY_US
        return cls(as_of=day, start_us=start_us, horizon_us=horizon_us)

    @property
    def as_of_day(self) -> int:
        """as_of in days since the epoch."""
        return self.horizon_us // DAY_US

    @property
    def start(self) -> date:
        return self.as_of - timedelta(days=HISTORY_DAYS)
