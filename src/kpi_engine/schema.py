"""The shared schema of normalised CRM records (DESIGN.md, "The shared schema").

Field names are a contract: extend, never rename. Every record carries `source` (the CRM), `id`,
`deleted` and `modified_at`. Validation turns CRM quirks into clean values or rejects the record with a
reason that names the field; the loaders quarantine rejected records and go on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Crm = Literal["salesforce", "hubspot"]
ForecastCategory = Literal["pipeline", "best_case", "commit", "closed", "omitted"]
OpportunityType = Literal["new_business", "renewal", "expansion", "other"]
ActivityKind = Literal["call", "email", "meeting", "task", "note"]
CallOutcome = Literal["connected", "no_answer", "voicemail", "busy", "other"]
Direction = Literal["outbound", "inbound"]


class Record(BaseModel):
    """Fields every normalised record has."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    source: Crm
    id: str
    deleted: bool = False
    modified_at: datetime


class User(Record):
    name: str
    email: str | None = None
    active: bool = True
    team: str | None = None
    manager_id: str | None = None
    started_at: date | None = None
    ended_at: date | None = None


class Account(Record):
    name: str
    owner_id: str | None = None
    created_at: datetime
    industry: str | None = None
    region: str | None = None


class Lead(Record):
    owner_id: str | None = None
    created_at: datetime
    # DESIGN.md names the lead-source text `source`, which every record also uses for the CRM; the
    # text lives in `lead_source` (as on Opportunity) and the loader accepts the other spelling.
    lead_source: str | None = None
    status: str | None = None
    converted_at: datetime | None = None
    converted_account_id: str | None = None
    converted_opportunity_id: str | None = None


class Opportunity(Record):
    name: str | None = None
    account_id: str | None = None
    owner_id: str | None = None
    pipeline: str | None = None
    stage: str
    probability: float | None = Field(default=None, ge=0, le=1)
    forecast_category: ForecastCategory | None = None
    type: OpportunityType = "other"
    lead_source: str | None = None
    amount: float | None = None
    amount_original: float | None = None
    currency: str | None = None
    created_at: datetime
    close_date: date | None = None
    is_closed: bool
    is_won: bool
    contract_months: int | None = Field(default=None, gt=0)


class StageChange(Record):
    opportunity_id: str
    stage: str
    entered_at: datetime


class PipelineStage(Record):
    pipeline: str | None = None
    stage: str
    order: int
    probability: float | None = Field(default=None, ge=0, le=1)
    is_closed: bool
    is_won: bool


class Activity(Record):
    kind: ActivityKind
    subtype: str | None = None
    owner_id: str | None = None
    occurred_at: datetime
    duration_seconds: float | None = Field(default=None, ge=0)
    completed: bool = True
    outcome: CallOutcome | None = None
    direction: Direction | None = None
    opened: bool | None = None
    opportunity_id: str | None = None
    account_id: str | None = None
    lead_id: str | None = None


class LineItem(Record):
    opportunity_id: str
    product_id: str | None = None
    product_name: str | None = None
    product_family: str | None = None
    quantity: float | None = None
    unit_price: float | None = None
    total_price: float | None = None


class Quota(BaseModel):
    """A sales target from the quotas file: `owner` is a user id or email."""

    owner: str
    period_start: date
    period_end: date
    amount: float


class Spend(BaseModel):
    """Sales and marketing spend from the spend file, for CAC."""

    period_start: date
    period_end: date
    amount: float
    category: str | None = None


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
