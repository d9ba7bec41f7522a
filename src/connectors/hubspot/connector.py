"""`HubSpotConnector`: the `connectors.base.Connector` protocol over one HubSpot portal."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
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
from connectors.hubspot import install
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.context import MappingContext
from connectors.hubspot.extract import Extractor
from connectors.hubspot.mapping import stage_info
from connectors.hubspot.paging import LIST_PAGE, SEARCH_PAGE, list_pages, search_pages
from connectors.hubspot.streams import STREAMS, HubSpotStream
from connectors.hubspot.values import ident, instant, number
from connectors.hubspot.writer import FIELD_OBJECTS, SNAPSHOT_KEY, Writer, field_name

SNAPSHOT_VALUES = ("value", "numerator", "denominator")
_UNSET = object()


class HubSpotConnector:
    """One portal. Build it with `connectors.hubspot.connect(instance)`; one run, one thread."""

    def __init__(self, client: HubSpotClient) -> None:
        self.client = client
        self.instance = client.instance.name
        self._context: MappingContext | None = None
        self._snapshot_type: object = _UNSET
        self._custom_objects: bool | None = None
        page = client.instance.page_size
        self.extractor = Extractor(
            client,
            self.context,
            lookback_seconds=client.instance.lookback_seconds,
            list_page=min(page or LIST_PAGE, LIST_PAGE),
            search_page=min(page or SEARCH_PAGE, SEARCH_PAGE),
        )
        self.writer = Writer(client, self.snapshot_type)

    # -- reading -----------------------------------------------------------------------------------
    def streams(self) -> Sequence[Stream]:
        return STREAMS

    def extract(self, stream: Stream, cursor: Cursor | None, *, full: bool = False) -> Iterator[Batch]:
        if not isinstance(stream, HubSpotStream):
            raise TypeError(f"{stream.name!r} is not a HubSpot stream; use connector.streams()")
        return self.extractor.extract(stream, cursor, full=full)

    def context(self) -> MappingContext:
        """Stages and owners for the mappers: two small reads, once per connector (one run)."""
        if self._context is None:
            stages = {
                (info.pipeline, info.stage_id): info
                for pipeline in self.extractor.pipelines()
                for info in (stage_info(pipeline, s) for s in pipeline.get("stages") or [])
            }
            owners = {
                str(o["userId"]): str(o["id"])
                for archived in (False, True)
                for page in self.extractor.owner_pages(archived)
                for o in page
                if o.get("userId") is not None
            }
            instance = self.client.instance
            self._context = MappingContext(
                reporting_currency=instance.reporting_currency,
                stages=stages,
                owner_of_user=owners,
                field_mapping=dict(instance.field_mapping),
            )
        return self._context

    # -- writing -----------------------------------------------------------------------------------
    def snapshot_type(self) -> str | None:
        if self._snapshot_type is _UNSET:
            self._snapshot_type = install.snapshot_object_type(self.client)
        return self._snapshot_type  # type: ignore[return-value]

    def snapshots_supported(self) -> bool:
        if self._custom_objects is None:
            self._custom_objects = install.custom_objects_available(self.client)
        return self._custom_objects

    def write_snapshots(self, rows: Sequence[SnapshotWrite]) -> list[WriteResult]:
        return self.writer.write_snapshots(rows)

    def write_fields(self, rows: Sequence[FieldWrite]) -> list[WriteResult]:
        return self.writer.write_fields(rows)

    def read_snapshots(self, since: datetime | None) -> Iterator[CurrentValue]:
        object_type = self.snapshot_type()
        if object_type is None:
            return
        for page in _pages(self.client, object_type, (SNAPSHOT_KEY, *SNAPSHOT_VALUES), since):
            for row in page:
                p = row.get("properties") or {}
                if p.get(SNAPSHOT_KEY):
                    yield CurrentValue(
                        str(p[SNAPSHOT_KEY]),
                        {name: number(p.get(name)) for name in SNAPSHOT_VALUES},
                        instant(row.get("updatedAt")),
                    )

    def read_fields(
        self, object: FieldObject, kpis: Sequence[str], since: datetime | None
    ) -> Iterator[CurrentValue]:
        object_type = FIELD_OBJECTS.get(object)
        if object_type is None or not kpis:
            return
        names = [field_name(k) for k in kpis]
        for page in _pages(self.client, object_type, names, since):
            for row in page:
                p = row.get("properties") or {}
                yield CurrentValue(
                    f"{object}:{ident(row['id'])}",
                    {k: number(p.get(field_name(k))) for k in kpis},
                    instant(row.get("updatedAt")),
                )

    # -- install -----------------------------------------------------------------------------------
    def install_plan(self, spec: InstallSpec) -> InstallPlan:
        return install.plan(self.client, self.instance, spec)

    def install(self, plan: InstallPlan) -> InstallPlan:
        done = install.apply(self.client, plan)
        self._snapshot_type = _UNSET
        return done

    @property
    def usage(self) -> ApiUsage:
        return self.client.usage

    def close(self) -> None:
        self.client.close()


def _pages(
    client: HubSpotClient, object_type: str, properties: Sequence[str], since: datetime | None
) -> Iterator[list[dict[str, Any]]]:
    """Every record (list) or those modified since `since` (search from the last id)."""
    if since is None:
        for page, _ in list_pages(client, object_type, properties):
            yield page
    else:
        lower = int(since.timestamp() * 1000)
        for page, _, _ in search_pages(
            client, object_type, properties, field="hs_lastmodifieddate", lower=lower
        ):
            yield page
