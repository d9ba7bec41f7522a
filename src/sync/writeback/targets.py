"""The write-back targets: which KPIs become snapshot records and which become fields on CRM records.

This is the `[writeback]` table of settings.toml; the defaults are the headline set of issue 10 and the
fields of DESIGN.md ("Write-back targets"). To write one more KPI field, add its id to a `fields` entry
(here for the default, or in settings.toml); install creates the field, the planner fills it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.base import FieldObject
from kpi_engine.catalog import CATALOG

SnapshotScope = Literal[
    "org", "team", "rep", "region", "account", "opportunity", "stage", "lead_source", "status", "product"
]
PeriodGrain = Literal["month", "quarter", "year"]
FieldGrain = Literal["to_date", "month", "quarter", "year"]

HEADLINE_KPIS: tuple[str, ...] = (
    "bookings",
    "deals_won",
    "win_rate",
    "average_deal_size",
    "sales_cycle_days",
    "pipeline_value",
    "weighted_pipeline",
    "new_opportunities",
    "activities",
    "calls",
    "meetings",
    "quota_attainment",
    "new_leads",
    "lead_conversion_rate",
    "mrr",
    "customer_churn_rate",
)
"""Issue 10's headline set: bookings, deals won, win rate, average deal size, sales cycle, pipeline, weighted
pipeline, new opportunities, activities, calls, meetings, quota attainment, new leads, lead conversion, MRR,
churn."""

FIELD_SCOPE: dict[str, str] = {"opportunity": "opportunity", "account": "account", "user": "rep"}
"""The KPI scope whose `scope_id` is the id of a record of that object."""


def _known_kpis(kpis: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [kpi for kpi in kpis if kpi not in CATALOG or CATALOG[kpi].hidden]
    if unknown:
        raise ValueError(f"unknown KPI id(s) {', '.join(map(repr, unknown))}; `crm-kpi kpis` lists them")
    if not kpis:
        raise ValueError("name at least one KPI")
    return kpis


class SnapshotTarget(BaseModel):
    """KPI snapshot records: every KPI × scope × grain × one of the latest `periods` periods."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kpis: tuple[str, ...] = HEADLINE_KPIS
    scopes: tuple[SnapshotScope, ...] = ("org", "team", "rep")
    grains: tuple[PeriodGrain, ...] = ("month", "quarter")
    periods: int = Field(12, ge=1)
    """How many of each grain's latest periods (the one holding the as-of date included) are written."""

    @field_validator("kpis")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _known_kpis(value)


class FieldTarget(BaseModel):
    """KPI fields on one CRM object (`CRMKPI_<kpi>__c`, `crmkpi_<kpi>`): one value per record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    object: FieldObject
    kpis: tuple[str, ...]
    grain: FieldGrain = "to_date"
    """`to_date`: the value as of the run; a period grain: the value of the latest (current) period."""

    @field_validator("kpis")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _known_kpis(value)

    @model_validator(mode="after")
    def _kpis_have_the_object_scope(self) -> FieldTarget:
        scope = FIELD_SCOPE[self.object]
        wrong = [kpi for kpi in self.kpis if scope not in CATALOG[kpi].scopes]
        if wrong:
            raise ValueError(
                f"{', '.join(wrong)} have no {scope!r} scope, so they cannot be {self.object} fields"
            )
        return self

    @property
    def scope(self) -> str:
        return FIELD_SCOPE[self.object]


DEFAULT_SNAPSHOTS: tuple[SnapshotTarget, ...] = (
    SnapshotTarget(grains=("month",), periods=12),
    SnapshotTarget(grains=("quarter",), periods=8),
)
DEFAULT_FIELDS: tuple[FieldTarget, ...] = (
    FieldTarget(object="opportunity", kpis=("days_open", "days_in_stage")),
    FieldTarget(object="account", kpis=("account_lifetime_revenue",)),
    FieldTarget(
        object="user", kpis=("bookings", "win_rate", "quota_attainment", "pipeline_value"), grain="quarter"
    ),
)


class WritebackSettings(BaseModel):
    """The `[writeback]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    snapshots: tuple[SnapshotTarget, ...] = DEFAULT_SNAPSHOTS
    fields: tuple[FieldTarget, ...] = DEFAULT_FIELDS
    """User fields are written only where the instance sets `user_fields = true` (Salesforce only)."""
    max_first_sync_records: int = Field(50_000, ge=0)
    """A first sync creating more snapshot records than this stops before writing unless told to go on."""
    decimals: int = Field(6, ge=0, le=12)
    """Values are rounded to this many decimals before they are compared and written (Salesforce number
    fields hold 18 digits with 6 decimals; a value it rounded must not look changed on every run)."""
    relative_tolerance: float = Field(1e-9, ge=0, lt=1e-3)
    """Two values closer than this (relative to the larger) are equal: float sums differ in the last bit."""
