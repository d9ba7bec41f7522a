"""HubSpot property values as Python values, in every form HubSpot documents.

Every property value arrives as text (or null): a datetime is ISO 8601 (`2024-07-24T17:52:00.909Z`) on most
properties but epoch milliseconds (`"1721843520909"`) on some, a date property is `YYYY-MM-DD` or midnight
epoch milliseconds, an id is text in `properties` and a JSON number in association results, and an unset
number is null or "". These functions accept each form so the mappers never branch on which one came.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def text(value: object) -> str | None:
    """A property as text; "" and null are both "not set"."""
    if value is None:
        return None
    out = str(value).strip()
    return out or None


def ident(value: object) -> str | None:
    """An id as text, whether HubSpot sent `123`, `"123"` or `123.0` (a number property holding an id)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    out = str(value).strip()
    if out.endswith(".0") and out[:-2].isdigit():
        out = out[:-2]
    return out or None


def number(value: object) -> float | None:
    """A number property: text or a JSON number; null, "" and unparseable text are None."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def instant(value: object) -> datetime | None:
    """A datetime property: ISO 8601 (with or without zone, date only) or epoch milliseconds, as UTC."""
    if type(value) is str and len(value) > 20 and value[-1] == "Z":
        try:  # the common form, `2024-07-24T17:52:00.909Z`, without the checks below (a third of a page)
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raw = text(value)
    if raw is None:
        return None
    if raw.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(raw)  # Python 3.11+ reads "Z" and any fraction
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def day(value: object) -> date | None:
    """A date (close date, period bound): the instant's UTC date; HubSpot stores dates at UTC midnight."""
    moment = instant(value)
    return moment.date() if moment is not None else None


def flag(value: object) -> bool | None:
    """A bool property ("true"/"false", any case); None when unset."""
    raw = text(value)
    if raw is None:
        return None
    return raw.lower() == "true"


def epoch_millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
