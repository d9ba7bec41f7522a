"""The rows of the two store tables that have no `kpi_engine.schema` record: quotas and FX rates.

A connector hands them over as plain mappings (`connectors.base.Batch`: "fx_rates and quotas rows are plain
mappings of their table's columns"); these models say what the columns are, validate each row the way
every other record is validated, and give the tables their columns.
"""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from kpi_engine.lenient_types import LenientDate, UtcDatetime
from kpi_engine.schema import Quota


class QuotaRow(Quota):
    """A quota read from the CRM (Salesforce ForecastingQuota, HubSpot goal targets).

    `owner` is the user id; the period end is exclusive (an inclusive month-aligned end is moved to the next
    day, as for quotas.csv)."""

    id: str
    """The CRM's id of the quota."""
    deleted: bool = False
    modified_at: UtcDatetime | None = None


class FxRateRow(BaseModel):
    """A conversion rate of the CRM (Salesforce CurrencyType / DatedConversionRate)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, use_attribute_docstrings=True)

    id: str
    currency: str = Field(validation_alias=AliasChoices("currency", "iso_code"))
    """ISO 4217 code of the currency the rate converts from (connectors may call it `iso_code`, as
    Salesforce's IsoCode)."""
    rate: float = Field(gt=0)
    """Units of `currency` per one unit of the reporting currency (Salesforce ConversionRate)."""
    start_date: LenientDate | None = None
    """First day the rate applies (inclusive); null for an undated rate."""
    end_date: LenientDate | None = None
    """Day the next rate starts (exclusive); null while current."""
    deleted: bool = False
    modified_at: UtcDatetime | None = None
