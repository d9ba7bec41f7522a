"""The shared schema of normalised CRM records (DESIGN.md, "The shared schema").

Field names are a contract: extend, never rename. Every record carries `source` (the CRM), `id`,
`deleted` and `modified_at`. Validation turns CRM quirks into clean values or rejects the record with a
reason that names the field (the lenient types are in `kpi_engine.lenient_types`); the loaders quarantine
rejected records and go on. The docstring under each field is its description in `crm-kpi schema`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from kpi_engine.lenient_types import (
    CRMS,
    Crm,
    LenientDate,
    Money,
    Probability,
    UtcDatetime,
    compact_name,
    lenient_enum,
)

ForecastCategory = Literal["pipeline", "best_case", "commit", "closed", "omitted"]
OpportunityType = Literal["new_business", "renewal", "expansion", "other"]
ActivityKind = Literal["call", "email", "meeting", "task", "note"]
CallOutcome = Literal["connected", "no_answer", "voicemail", "busy", "other"]
Direction = Literal["outbound", "inbound"]

# Enum fields accept any case, spaces, hyphens or CamelCase of an allowed value; the aliases are the
# CRMs' own spellings that differ by more than that (HubSpot's forecast category "OMIT").
CrmName = Annotated[Crm, lenient_enum(Crm)]
ForecastCategoryName = Annotated[
    ForecastCategory | None, lenient_enum(ForecastCategory, aliases={"omit": "omitted"})
]
OpportunityTypeName = Annotated[OpportunityType, lenient_enum(OpportunityType, blank="other")]
ActivityKindName = Annotated[ActivityKind, lenient_enum(ActivityKind)]
CallOutcomeName = Annotated[
    CallOutcome | None, lenient_enum(CallOutcome, aliases={"left_voicemail": "voicemail"})
]
DirectionName = Annotated[Direction | None, lenient_enum(Direction)]

# A CRM's close date is a local date, created_at a UTC instant: a deal created at 23:30 in New York on
# the 31st (04:30 UTC on the 1st) and closed the same local day has a close date one day before the UTC
# creation date. One day of slack accepts that and still rejects real inversions.
CLOSE_DATE_SLACK = timedelta(days=1)


def _reject(model: str, field: str, kind: str, message: str, value: object) -> ValidationError:
    """A validation error located at `field`, for checks that read several fields."""
    error = InitErrorDetails(type=PydanticCustomError(kind, message), loc=(field,), input=value)
    return ValidationError.from_exception_data(model, [error])


class Record(BaseModel):
    """Fields every normalised record has."""

    # Unknown fields are kept aside (`__pydantic_extra__`) so the loader can report them; never in a frame.
    # Infinity and NaN are not numbers a CRM holds: rejected in every float field.
    model_config = ConfigDict(
        extra="allow", str_strip_whitespace=True, use_attribute_docstrings=True, allow_inf_nan=False
    )
    accepted_input_keys: ClassVar[frozenset[str]] = frozenset()
    """Input keys that are not fields but that validation reads (not reported as unknown)."""

    source: CrmName
    """The CRM the record comes from."""
    id: str
    """The CRM's id of the record, as text."""
    deleted: bool = False
    """True when the CRM deleted the record (kept so a later sync can remove it; the engine drops it)."""
    modified_at: UtcDatetime
    """The CRM's system modstamp, UTC."""


class User(Record):
    """A rep or manager."""

    name: str
    email: str | None = None
    active: bool = True
    team: str | None = None
    manager_id: str | None = None
    """The user id of this user's manager."""
    started_at: LenientDate | None = None
    """The first day as a rep."""
    ended_at: LenientDate | None = None
    """The day the user stopped being a rep; null while active."""


class Account(Record):
    """A company that buys or may buy."""

    name: str
    owner_id: str | None = None
    """The user id of the account owner."""
    created_at: UtcDatetime
    industry: str | None = None
    region: str | None = None


class Lead(Record):
    """A prospect before conversion."""

    accepted_input_keys: ClassVar[frozenset[str]] = frozenset({"crm"})

    owner_id: str | None = None
    """The user id of the lead owner."""
    created_at: UtcDatetime
    # DESIGN.md names the lead-source text `source`, which every record also uses for the CRM; the
    # text lives in `lead_source` (as on Opportunity) and the validator accepts the other spelling.
    lead_source: str | None = None
    """Where the lead came from (web, referral, ...). DESIGN.md calls it `source`: a lead whose `source` is
    not a CRM name has it read as `lead_source`."""
    status: str | None = None
    converted_at: UtcDatetime | None = None
    converted_account_id: str | None = None
    converted_opportunity_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _lead_source(cls, raw: Any, info: ValidationInfo) -> Any:
        """A `source` that is not a CRM is the lead-source text; the CRM then comes from `crm` or the
        loader's default (the source the other files use)."""
        if not isinstance(raw, dict) or "source" not in raw:
            return raw
        text = raw["source"]
        if isinstance(text, str) and compact_name(text) in CRMS:
            return raw
        crm = raw.get("crm") or (info.context or {}).get("default_source")
        if crm is None:
            raise _reject(
                "Lead",
                "source",
                "lead_source",
                "source {!r} is not a CRM ({}); write the CRM in `source` and the lead source in "
                "`lead_source`, or add `crm`".format(text, ", ".join(CRMS)),
                text,
            )
        fixed = dict(raw, source=crm)
        if fixed.get("lead_source") in (None, ""):
            fixed["lead_source"] = text
        return fixed


class Opportunity(Record):
    """A deal."""

    name: str | None = None
    account_id: str | None = None
    owner_id: str | None = None
    """The user id of the deal owner."""
    pipeline: str | None = None
    stage: str
    probability: Probability | None = None
    """0..1; a CRM percent (1 < p <= 100) is divided by 100."""
    forecast_category: ForecastCategoryName = None
    type: OpportunityTypeName = "other"
    lead_source: str | None = None
    amount: Money | None = None
    """In the reporting currency."""
    amount_original: Money | None = None
    """In the deal's own currency (`currency`)."""
    currency: str | None = None
    created_at: UtcDatetime
    close_date: LenientDate | None = None
    """Expected close date while open, actual close date once closed."""
    is_closed: bool
    is_won: bool
    contract_months: int | None = Field(default=None, gt=0)
    """Null means the configured default."""

    @model_validator(mode="after")
    def _consistent(self) -> Opportunity:
        if self.is_won and not self.is_closed:
            raise _reject(
                "Opportunity", "is_won", "won_open", "won but not closed (is_closed is false)", True
            )
        if self.is_closed and self.close_date is None:
            raise _reject(
                "Opportunity", "close_date", "close_date_missing", "closed deal without a close date", None
            )
        if self.close_date is not None and self.close_date < self.created_at.date() - CLOSE_DATE_SLACK:
            raise _reject(
                "Opportunity",
                "close_date",
                "close_before_create",
                f"close date {self.close_date} is before the creation date {self.created_at.date()}",
                self.close_date.isoformat(),
            )
        return self


class StageChange(Record):
    """An opportunity entering a stage (stage history)."""

    opportunity_id: str
    stage: str
    entered_at: UtcDatetime


class PipelineStage(Record):
    """A stage definition: Salesforce OpportunityStage, a HubSpot pipeline stage."""

    pipeline: str | None = None
    stage: str
    order: int
    probability: Probability | None = None
    """0..1; a CRM percent (1 < p <= 100) is divided by 100."""
    is_closed: bool
    is_won: bool
    forecast_category: ForecastCategoryName = None
    """The stage's forecast category (Salesforce OpportunityStage.ForecastCategoryName); null where the
    CRM's stages carry none (HubSpot): weighted and commit pipeline then take the deal's own."""


class Activity(Record):
    """A call, email, meeting, task or note."""

    kind: ActivityKindName
    subtype: str | None = None
    """The CRM's own type text (e.g. a meeting type), used to map demos."""
    owner_id: str | None = None
    occurred_at: UtcDatetime
    duration_seconds: float | None = Field(default=None, ge=0)
    completed: bool = True
    outcome: CallOutcomeName = None
    """Calls only; null when unknown."""
    direction: DirectionName = None
    opened: bool | None = None
    """Emails; null when not tracked."""
    opportunity_id: str | None = None
    account_id: str | None = None
    lead_id: str | None = None


class LineItem(Record):
    """A product line of an opportunity."""

    opportunity_id: str
    product_id: str | None = None
    product_name: str | None = None
    product_family: str | None = None
    quantity: Money | None = None
    unit_price: Money | None = None
    total_price: Money | None = None


# Unknown CSV columns are reported from the header by the loader, once per file, not per row.
_TABLE_CONFIG = ConfigDict(
    extra="ignore", str_strip_whitespace=True, use_attribute_docstrings=True, allow_inf_nan=False
)


def _check_period(row: Quota | Spend) -> None:
    """Reject an end before the start, and make the end exclusive like every period in the product.

    People write a quarter as 2024-01-01..2024-03-31 (the end included) as often as 2024-01-01..2024-04-01.
    A range from the first of a month to the last day of a month can only mean the former, so its end is
    moved to the next day; any other end is taken as exclusive. Without this, a quarterly quota spread over
    months by days would give March 30/90 of it instead of 31/91.
    """
    if row.period_end < row.period_start:
        raise _reject(
            type(row).__name__,
            "period_end",
            "period_order",
            f"period_end {row.period_end} is before period_start {row.period_start}",
            row.period_end.isoformat(),
        )
    next_day = row.period_end + timedelta(days=1)
    if row.period_start.day == 1 and next_day.day == 1:
        row.period_end = next_day


class Quota(BaseModel):
    """A sales target from quotas.csv: `owner` is a user id or email (the loader resolves it to an id)."""

    model_config = _TABLE_CONFIG

    owner: str
    period_start: LenientDate
    period_end: LenientDate
    amount: Money

    @model_validator(mode="after")
    def _ordered(self) -> Quota:
        _check_period(self)
        return self


class Spend(BaseModel):
    """Sales and marketing spend from spend.csv, for CAC."""

    model_config = _TABLE_CONFIG

    period_start: LenientDate
    period_end: LenientDate
    amount: Money
    category: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Spend:
        _check_period(self)
        return self


# The input files of `crm-kpi compute --input DIR`, by table name.
RECORD_FILES: dict[str, tuple[str, type[Record]]] = {
    "users": ("users.jsonl", User),
    "accounts": ("accounts.jsonl", Account),
    "leads": ("leads.jsonl", Lead),
    "opportunities": ("opportunities.jsonl", Opportunity),
    "stage_changes": ("stage_changes.jsonl", StageChange),
    "stages": ("stages.jsonl", PipelineStage),
    "activities": ("activities.jsonl", Activity),
    "line_items": ("line_items.jsonl", LineItem),
}

# The optional CSV inputs, by table name.
TABLE_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "quotas": ("quotas.csv", Quota),
    "spend": ("spend.csv", Spend),
}


def _field_path(location: tuple[int | str, ...]) -> str:
    # Locations can hold pydantic's internal steps ("function-before[...]"); keep field names only.
    return ".".join(str(p) for p in location if not (isinstance(p, str) and "[" in p))


def rejected_field(exc: ValidationError) -> str | None:
    """The first field a rejection names; None when the record as a whole was rejected (not JSON, ...)."""
    for error in exc.errors(include_url=False):
        where = _field_path(error["loc"])
        if where:
            return where
    return None


def describe_rejection(exc: ValidationError) -> str:
    """One line naming each bad field and why, for quarantine reasons and error messages."""
    parts = []
    for error in exc.errors(include_url=False):
        where = _field_path(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "json_invalid":
            parts.append(f"not valid JSON ({error.get('ctx', {}).get('error', message)})")
        elif error["type"] == "missing":
            parts.append(f"{where}: missing")
        elif error["type"] == "model_type":
            parts.append("not a JSON object")
        elif not where:
            parts.append(f"record: {message}")
        else:
            parts.append(f"{where}: {message}")
    return "; ".join(parts)
