"""Reading one stream into batches: the SOQL, the pages, the keyset cursor, the join of column groups and
the normalisation with quarantine. Memory holds one page (per column group), never the object.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from connectors.base import Batch, Cursor, Quarantined
from connectors.salesforce.bulk import BulkUnavailable, bulk_pages
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.keyset import (
    KeysetCursor,
    parse_stamp,
    row_key,
    soql_datetime,
)
from connectors.salesforce.mapping import (
    NORMALISERS,
    MappingContext,
    Unmappable,
    bare_tombstone,
)
from connectors.salesforce.read_ahead import read_ahead
from connectors.salesforce.streams import STAMP, SalesforceStream
from kpi_engine.schema import describe_rejection

Row = dict[str, Any]


@dataclass(frozen=True)
class ReadPlan:
    """How one stream is read this time: its column groups, where it starts, page size, look-back."""

    stream: SalesforceStream
    groups: list[list[str]]
    keyset: KeysetCursor
    lookback: timedelta
    page_size: int | None
    full: bool
    bulk_threshold: int | None = None
    """Rows above which the rest of an ordered read goes through a Bulk API 2.0 job (None: never)."""
    field_types: Mapping[str, str] = field(default_factory=dict)


def soql(stream: SalesforceStream, fields: list[str], where: str | None) -> str:
    text = f"SELECT {', '.join(fields)} FROM {stream.name}"
    if where:
        text += f" WHERE {where}"
    if stream.cursor_field is not None:
        text += f" ORDER BY {STAMP}, Id"
    return text


def normalise(
    stream: SalesforceStream, rows: list[Row], ctx: MappingContext
) -> tuple[list[Any], list[Quarantined]]:
    """Records, and the rows that failed with their reason (the rest go on)."""
    normaliser = NORMALISERS[stream.normaliser]
    records: list[Any] = []
    quarantined: list[Quarantined] = []
    for row in rows:
        try:
            records.append(normaliser(row, ctx))
        except ValidationError as error:
            reason = describe_rejection(error)
        except (Unmappable, ValueError, TypeError, KeyError) as error:
            reason = f"{type(error).__name__}: {error}"
        else:
            continue
        tombstone = bare_tombstone(stream.normaliser, row)
        if tombstone is not None:
            records.append(tombstone)  # a delete is applied even when the deleted row was never valid
            continue
        raw = {k: v for k, v in row.items() if k != "attributes"}
        quarantined.append(Quarantined(stream.table, stream.name, row.get("Id"), reason, raw))
    return records, quarantined


def _key_bound(op: str, stamp: str, row_id: str) -> str:
    """(SystemModstamp, Id) `op` (stamp, id), for op in > and <=."""
    literal = soql_datetime(parse_stamp(stamp))
    strict = ">" if op == ">" else "<"
    return f"({STAMP} {strict} {literal} OR ({STAMP} = {literal} AND Id {op} '{row_id}'))"


def _joined_pages(client: SalesforceClient, plan: ReadPlan, where: str | None) -> Iterator[list[Row]]:
    """Pages of the first column group, each completed with the other groups' columns for the same key
    range. A row whose version differs between groups was changed while we read: it is left out here and
    read whole by the next run (its new SystemModstamp is after this run's mark)."""
    stream = plan.stream
    previous: tuple[str, str] | None = None
    for page in client.query_pages(
        soql(stream, plan.groups[0], where), include_deleted=stream.include_deleted, batch_size=plan.page_size
    ):
        rows = page.records
        if not rows:
            yield rows
            continue
        last = row_key(rows[-1], STAMP)
        merged = {row_key(r, STAMP): dict(r) for r in rows}
        complete = set(merged)
        for group in plan.groups[1:]:
            bounds = [_key_bound("<=", last[1], last[0])]
            if previous is not None:
                bounds.insert(0, _key_bound(">", previous[1], previous[0]))
            elif where:
                bounds.insert(0, f"({where})")
            found: set[tuple[str, str]] = set()
            for other in client.query_rows(
                soql(stream, group, " AND ".join(bounds)), include_deleted=stream.include_deleted
            ):
                key = row_key(other, STAMP)
                if key in merged:
                    merged[key].update(other)
                    found.add(key)
            complete &= found
        previous = last
        yield [merged[row_key(r, STAMP)] for r in rows if row_key(r, STAMP) in complete]


def _pages(client: SalesforceClient, plan: ReadPlan, where: str | None) -> Iterator[list[Row]]:
    if len(plan.groups) > 1:
        yield from _joined_pages(client, plan, where)
        return
    stream = plan.stream
    pages = client.query_pages(
        soql(stream, plan.groups[0], where), include_deleted=stream.include_deleted, batch_size=plan.page_size
    )
    first = next(pages)
    yield first.records
    rest = first.total_size - len(first.records)
    if (
        plan.bulk_threshold is None
        or first.total_size <= plan.bulk_threshold
        or rest <= 0
        or stream.cursor_field is None
        or not first.records
    ):
        yield from (page.records for page in read_ahead(pages))
        return
    last = row_key(first.records[-1], STAMP)  # the REST locator is left unread: the job reads the rest
    try:
        for rows in read_ahead(_bulk_after(client, plan, where, last)):
            yield rows
            if rows:
                last = row_key(rows[-1], STAMP)
        return
    except BulkUnavailable:
        pass  # go on with REST after the last row delivered
    for page in read_ahead(
        client.query_pages(
            soql(stream, plan.groups[0], _after(where, last)),
            include_deleted=stream.include_deleted,
            batch_size=plan.page_size,
        )
    ):
        yield page.records


def _after(where: str | None, last: tuple[str, str]) -> str:
    bound = _key_bound(">", last[1], last[0])
    return f"({where}) AND {bound}" if where else bound


def _bulk_after(
    client: SalesforceClient, plan: ReadPlan, where: str | None, last: tuple[str, str]
) -> Iterator[list[Row]]:
    yield from bulk_pages(
        client,
        soql(plan.stream, plan.groups[0], _after(where, last)),
        include_deleted=plan.stream.include_deleted,
        field_types=plan.field_types,
        sleep=client.sleep,
    )


def read_stream(client: SalesforceClient, plan: ReadPlan, ctx: MappingContext) -> Iterator[Batch]:
    """Batches of `plan.stream`; each carries the cursor covering it and every batch before."""
    stream = plan.stream
    keyset = plan.keyset
    incremental = stream.cursor_field is not None
    where = keyset.where(STAMP, plan.lookback) if incremental else None
    for rows in _pages(client, plan, where):
        cursor: Cursor | None = None
        if incremental:
            fresh = [r for r in rows if keyset.is_new(*row_key(r, STAMP))]
            keyset.advance([row_key(r, STAMP) for r in rows], plan.lookback)
            cursor = keyset.dump()
            rows = fresh
        records, quarantined = normalise(stream, rows, ctx)
        yield Batch(
            stream=stream.name,
            table=stream.table,
            records=records,
            cursor=cursor,
            quarantined=quarantined,
            full=plan.full or not incremental,
        )


def raw_rows(
    client: SalesforceClient, stream: SalesforceStream, fields: list[str]
) -> list[Mapping[str, Any]]:
    """A small reference object whole (rates), for the normalisers' context."""
    return list(client.query_rows(soql(stream, fields, None), include_deleted=False))
