"""Lenient field types of the shared schema: what CRMs send, turned into clean values or a clear error.

Each type is an `Annotated` pydantic type, so the fast Rust parser does the common case and Python only
runs for the quirks (amounts as text, enum spellings, percents). Errors are `PydanticCustomError`s whose
message says what was wrong and how to write it; the field name comes from the error's location.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

# Amounts: digits grouped by thousands with ',', a space (also no-break and thin spaces) or an
# apostrophe, an optional '.decimals', a sign and a currency symbol on either side. "1.200,50" is
# rejected rather than guessed: a comma decimal could as well be a thousands separator.
_MONEY = re.compile(
    r"^(?P<sign>[-+]?)\s*[$€£¥]?\s*(?P<sign2>[-+]?)"
    r"(?P<int>\d{1,3}(?:[,\s\u00a0\u202f']\d{3})+|\d+)(?P<frac>\.\d+)?\s*[$€£¥]?$"
)
_GROUPING = re.compile(r"[,\s\u00a0\u202f']")

# Numbers above this are epoch milliseconds, below it epoch seconds: pydantic's rule for datetimes,
# repeated for dates so both agree (2e10 s is the year 2603; 2e10 ms is August 1970).
_EPOCH_MS_THRESHOLD = 2e10


# No deal, quota or spend comes near a trillion in any currency: beyond it is a unit or parsing mistake
# (cents read as units, an id in the amount column), and sums of such values would overflow to inf.
MAX_AMOUNT = 1e12


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_money(value: Any) -> Any:
    """Numbers pass; text such as "1,200.50", "$1 200" or "1200" becomes a float."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise PydanticCustomError("money", "not an amount: a boolean")
    if isinstance(value, int | float):
        return _within_bounds(float(value), value)
    if isinstance(value, str):
        match = _MONEY.match(value.strip())
        if match and not (match["sign"] and match["sign2"]):
            digits = _GROUPING.sub("", match["int"]) + (match["frac"] or "")
            negative = "-" in (match["sign"], match["sign2"])
            return _within_bounds(-float(digits) if negative else float(digits), value)
    raise PydanticCustomError(
        "money",
        "not an amount: {got}; write a number such as 1200.50 (thousands separators ',' or ' ' and a "
        "currency symbol are accepted)",
        {"got": _short(value)},
    )


def _within_bounds(number: float, sent: object) -> float:
    if not math.isfinite(number):
        raise PydanticCustomError(
            "money", "not an amount: {got} is not a finite number", {"got": _short(sent)}
        )
    if abs(number) > MAX_AMOUNT:
        raise PydanticCustomError(
            "money_absurd",
            "{got} is beyond any real amount (more than 1,000,000,000,000); check the unit (cents?) and "
            "the column",
            {"got": _short(sent)},
        )
    return number


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise PydanticCustomError(
            "naive_datetime",
            "no time zone in {got}; write an offset such as 'Z' or '+02:00', or epoch milliseconds",
            {"got": value.isoformat()},
        )
    return value.astimezone(UTC)


def _epoch_to_utc(number: float) -> datetime:
    seconds = number / 1000 if abs(number) > _EPOCH_MS_THRESHOLD else number
    return datetime.fromtimestamp(seconds, tz=UTC)


def _numeric(value: object) -> float | None:
    """The number in a JSON number or a numeric string (HubSpot sends epoch ms as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def parse_date(value: Any) -> Any:
    """ISO dates pass; a datetime's date part is taken (dates only); epoch numbers give the UTC date.

    The date part of "2024-03-31T22:00:00-05:00" is the 31st, as written: a date field holds the day the
    CRM user chose in their own zone, which converting to UTC would move.
    """
    if isinstance(value, datetime):
        return value.date()
    number = _numeric(value)
    if number is not None and math.isfinite(number):
        return _epoch_to_utc(number).date()
    if isinstance(value, str) and len(value) > 10 and value[10] in "T t":
        return value[:10]
    return value


def probability_fraction(value: Any) -> Any:
    """0..1 passes; 1 < p <= 100 is a percent and is divided by 100; outside 0..100 is rejected.

    A value of exactly 1 is read as 1.0 (100 %), never as 1 %: on the 0..1 scale it is the only reading.
    """
    number = _numeric(value)
    if value is None or number is None:
        return value  # None, or text that the float parser will reject with its own message
    if not 0 <= number <= 100:
        raise PydanticCustomError(
            "probability",
            "probability {got} is outside 0..1 (or 0..100 as a percent)",
            {"got": _short(value)},
        )
    return number / 100 if number > 1 else number


def compact_name(text: str) -> str:
    """The spelling-free key of an enum value: 'Best Case', 'BestCase', 'best-case', 'BEST_CASE' and
    'best_case' all give 'bestcase' (no two allowed values of one enum share a key)."""
    return _SEPARATORS.sub("", text).lower()


_SEPARATORS = re.compile(r"[\s\-_]+")


def enum_normaliser(
    allowed: tuple[str, ...], *, aliases: dict[str, str] | None = None, blank: str | None = None
) -> Callable[[Any], Any]:
    """A before-validator mapping any spelling of an allowed value to it; `blank` stands for ''/null."""
    known = {compact_name(name): name for name in allowed} | {
        compact_name(k): v for k, v in (aliases or {}).items()
    }
    listed = ", ".join(allowed)

    # CRMs repeat a handful of spellings millions of times: remember each one's canonical value.
    spellings: dict[str, str | None] = {}

    def normalise(value: Any) -> Any:
        if value is None or value == "":
            return blank
        if not isinstance(value, str):
            raise PydanticCustomError(
                "enum", "{got} is not text; allowed: {allowed}", {"got": _short(value), "allowed": listed}
            )
        found = spellings.get(value)
        if found is None:
            found = known.get(compact_name(value))
            if len(spellings) < 10_000:  # bounded: unknown values must not grow it without limit
                spellings[value] = found
        if found is None:
            raise PydanticCustomError(
                "enum", "unknown value {got}; allowed: {allowed}", {"got": _short(value), "allowed": listed}
            )
        return found

    return normalise


def lenient_enum(literal: Any, **options: Any) -> BeforeValidator:
    """The validator of `Annotated[SomeLiteral, lenient_enum(SomeLiteral)]`: any spelling of an allowed value
    becomes it (written out as `Annotated` so type checkers see the field's type)."""
    return BeforeValidator(enum_normaliser(get_args(literal), **options))


Money = Annotated[float, BeforeValidator(parse_money)]
UtcDatetime = Annotated[datetime, AfterValidator(_to_utc)]
LenientDate = Annotated[date, BeforeValidator(parse_date)]
Probability = Annotated[float, Field(ge=0, le=1), BeforeValidator(probability_fraction)]

Crm = Literal["salesforce", "hubspot"]
CRMS: tuple[str, ...] = get_args(Crm)
