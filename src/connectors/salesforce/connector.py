"""`SalesforceConnector`: the `connectors.base.Connector` contract over one org.

from connectors.salesforce import connect
sf = connect(instance)                        # InstanceConfig with crm = "salesforce"
for stream in sf.streams():                   # in dependency order
    for batch in sf.extract(stream, cursors.get(stream.name)):
        store(batch.records, batch.quarantined); cursors[stream.name] = batch.cursor  # one transaction
results = sf.write_fields([...]); sf.close()
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import (
    ApiUsage,
    Batch,
    CurrentValue,
    Cursor,
    FieldObject,
    FieldWrite,
    InstallPlan,
    InstallSpec,
    SnapshotWrite,
    Stream,
    WriteResult,
)
from connectors.budget import ApiBudget
from connectors.config import InstanceConfig
from connectors.errors import ConfigurationError
from connectors.salesforce import install as installer
from connectors.salesforce import writer
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.currency import Rates
from connectors.salesforce.extract import ReadPlan, raw_rows, read_stream
from connectors.salesforce.fields import MAX_SOQL_CHARS, column_groups, readable_fields
from connectors.salesforce.keyset import KeysetCursor
from connectors.salesforce.mapping import MappingContext, currency_type, dated_rate
from connectors.salesforce.streams import BY_NAME, STREAMS, SalesforceStream

RATE_OBJECTS = ("CurrencyType", "DatedConversionRate")
RATE_ROWS = {"CurrencyType": currency_type, "DatedConversionRate": dated_rate}
CONVERTS = {"opportunity", "line_item", "quota"}


class SalesforceConnector:
    """Extract, write and install for one Salesforce org (see `connectors.base.Connector`)."""

    def __init__(
        self,
        instance: InstanceConfig,
        client: SalesforceClient | None = None,
        *,
        max_query_chars: int = MAX_SOQL_CHARS,
        now: datetime | None = None,
    ) -> None:
        if instance.crm != "salesforce":
            raise ConfigurationError(
                f"instance {instance.name!r} is a {instance.crm} instance, not salesforce"
            )
        self.instance_config = instance
        self.instance = instance.name
        self.client = client if client is not None else SalesforceClient(instance)
        self.max_query_chars = max_query_chars
        self._rates: Rates | None = None
        self._rate_rows: dict[str, list[Mapping[str, Any]]] = {}
        self._now = now or datetime.now(UTC)

    # --- reading -------------------------------------------------------------------------------
    def streams(self) -> Sequence[Stream]:
        return STREAMS

    def selected_fields(self, stream: SalesforceStream) -> list[str]:
        return readable_fields(stream, self.client.describe(stream.name), self.instance_config)

    def extract(self, stream: Stream, cursor: Cursor | None, *, full: bool = False) -> Iterator[Batch]:
        """Batches from `cursor` on (everything when None or `full`), deletes as tombstones."""
        declared = BY_NAME.get(stream.name)
        if declared is None:
            raise ConfigurationError(
                f"instance {self.instance!r}: no Salesforce stream named {stream.name!r}"
            )
        if declared.optional and declared.name not in self.client.sobjects():
            return
        fields = self.selected_fields(declared)
        config = self.instance_config
        plan = ReadPlan(
            stream=declared,
            groups=column_groups(fields, self.max_query_chars),
            keyset=KeysetCursor() if full else KeysetCursor.load(cursor),
            lookback=timedelta(seconds=config.lookback_seconds),
            page_size=config.page_size,
            full=full or not cursor,
            bulk_threshold=config.bulk_threshold,
            field_types={f["name"]: f["type"] for f in self.client.describe(declared.name)["fields"]},
        )
        ctx = self._context(declared)
        captured: list[Mapping[str, Any]] = []
        for batch in read_stream(self.client, plan, ctx):
            if declared.name in RATE_OBJECTS:
                captured.extend(batch.records)  # type: ignore[arg-type]
            yield batch
        if declared.name in RATE_OBJECTS:  # read whole: the context of later streams reuses it
            self._rate_rows[declared.name] = captured
            self._rates = None

    def _context(self, stream: SalesforceStream) -> MappingContext:
        config = self.instance_config
        return MappingContext(
            reporting_currency=config.reporting_currency,
            field_mapping=config.field_mapping,
            rates=self.rates() if stream.normaliser in CONVERTS else Rates(),
            integration_user_id=self.client.user_id if stream.name == "User" else None,
            excluded_profiles=frozenset(config.excluded_profiles),
            now=self._now,
        )

    def rates(self) -> Rates:
        """The org's conversion rates, read once per connector (empty when the org is single-currency)."""
        if self._rates is None:
            present = self.client.sobjects()
            for name in RATE_OBJECTS:
                if name not in self._rate_rows:
                    stream = BY_NAME[name]
                    rows = (
                        raw_rows(self.client, stream, self.selected_fields(stream)) if name in present else []
                    )
                    self._rate_rows[name] = [RATE_ROWS[name](row, MappingContext()) for row in rows]
            self._rates = Rates.from_rows(row for rows in self._rate_rows.values() for row in rows)
        return self._rates

    # --- writing -------------------------------------------------------------------------------
    def write_snapshots(self, rows: Sequence[SnapshotWrite]) -> list[WriteResult]:
        return writer.write_snapshots(self.client, rows)

    def write_fields(self, rows: Sequence[FieldWrite]) -> list[WriteResult]:
        return writer.write_fields(self.client, rows)

    def snapshots_supported(self) -> bool:
        return True  # every org can hold the KPI_Snapshot__c custom object (install creates it)

    def read_snapshots(self, since: datetime | None) -> Iterator[CurrentValue]:
        return writer.read_snapshots(self.client, since)

    def read_fields(
        self, object: FieldObject, kpis: Sequence[str], since: datetime | None
    ) -> Iterator[CurrentValue]:
        return writer.read_fields(self.client, object, kpis, since)

    # --- install -------------------------------------------------------------------------------
    def install_plan(self, spec: InstallSpec) -> InstallPlan:
        return installer.plan(self.client, self.instance_config, spec)

    def install(self, plan: InstallPlan) -> InstallPlan:
        return installer.apply(self.client, self.instance_config, plan)

    @property
    def usage(self) -> ApiUsage:
        return self.client.usage

    def close(self) -> None:
        self.client.close()


def connect(
    instance: InstanceConfig,
    *,
    client: SalesforceClient | None = None,
    budget: ApiBudget | None = None,
    max_query_chars: int = MAX_SOQL_CHARS,
) -> SalesforceConnector:
    """The connector for `instance`; authenticates lazily, on the first call that needs the org.
    `client` replaces the default one (tests pass one that does not sleep between retries); `budget` is
    the instance's rate budget (default: counted in this process; workers share one in the store)."""
    if client is None and budget is not None:
        client = SalesforceClient(instance, budget=budget)
    return SalesforceConnector(instance, client, max_query_chars=max_query_chars)
