"""Engine settings: the `[kpis]` table of settings.toml. Defaults are KPIS.md's."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


class KpiConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    time_zone: str = Field("UTC", description="IANA time zone that datetimes are bucketed in")
    fiscal_year_start_month: int = Field(1, ge=1, le=12, description="1 = January")
    default_contract_months: int = Field(12, gt=0, description="for opportunities without contract_months")
    recurring_types: tuple[str, ...] = ("new_business", "renewal", "expansion")
    demo_subtypes: tuple[str, ...] = Field(
        ("demo",), description="meeting subtypes counted as demos (any case)"
    )
    referral_sources: tuple[str, ...] = Field(
        ("referral", "partner referral", "customer referral", "employee referral"),
        description="lead sources counted as referrals (any case)",
    )
    working_hours_per_week: float = Field(40.0, gt=0)
    velocity_window: int = Field(4, ge=1, description="trailing periods for sales_velocity")
    max_quarantined_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="largest share of a table's records that may fail validation before a run fails",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as 'Europe/Berlin'"
            ) from None
        return value
