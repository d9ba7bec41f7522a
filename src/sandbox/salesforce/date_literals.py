"""SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_MONTH, ...) as [start, end) date ranges in UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta


def _month_start(d: date, shift: int = 0) -> date:
    index = d.year * 12 + d.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def _week_start(d: date, shift: int = 0) -> date:
    # Salesforce weeks start on Sunday in the default (en_US) locale.
    return d - timedelta(days=(d.weekday() + 1) % 7) + timedelta(weeks=shift)


_FIXED: dict[str, Callable[[date], tuple[date, date]]] = {
    "TODAY": lambda t: (t, t + timedelta(days=1)),
    "YESTERDAY": lambda t: (t - timedelta(days=1), t),
    "TOMORROW": lambda t: (t + timedelta(days=1), t + timedelta(days=2)),
    "THIS_WEEK": lambda t: (_week_start(t), _week_start(t, 1)),
    "LAST_WEEK": lambda t: (_week_start(t, -1), _week_start(t)),
    "NEXT_WEEK": lambda t: (_week_start(t, 1), _week_start(t, 2)),
    "THIS_MONTH": lambda t: (_month_start(t), _month_start(t, 1)),
    "LAST_MONTH": lambda t: (_month_start(t, -1), _month_start(t)),
    "NEXT_MONTH": lambda t: (_month_start(t, 1), _month_start(t, 2)),
    "THIS_YEAR": lambda t: (date(t.year, 1, 1), date(t.year + 1, 1, 1)),
    "LAST_YEAR": lambda t: (date(t.year - 1, 1, 1), date(t.year, 1, 1)),
    "NEXT_YEAR": lambda t: (date(t.year + 1, 1, 1), date(t.year + 2, 1, 1)),
    "LAST_90_DAYS": lambda t: (t - timedelta(days=90), t + timedelta(days=1)),
    "NEXT_90_DAYS": lambda t: (t + timedelta(days=1), t + timedelta(days=91)),
}
_WITH_N: dict[str, Callable[[date, int], tuple[date, date]]] = {
    "LAST_N_DAYS": lambda t, n: (t - timedelta(days=n), t + timedelta(days=1)),
    "NEXT_N_DAYS": lambda t, n: (t + timedelta(days=1), t + timedelta(days=n + 1)),
    "LAST_N_MONTHS": lambda t, n: (_month_start(t, -n), _month_start(t)),
    "NEXT_N_MONTHS": lambda t, n: (_month_start(t, 1), _month_start(t, n + 1)),
}
SUPPORTED = sorted(_FIXED) + [name + ":n" for name in sorted(_WITH_N)]


def date_range(name: str, n: int | None, today: date) -> tuple[date, date] | None:
    """The range a literal covers, or None if the sandbox does not know the literal."""
    if n is None:
        fixed = _FIXED.get(name)
        return fixed(today) if fixed else None
    with_n = _WITH_N.get(name)
    return with_n(today, n) if with_n else None
