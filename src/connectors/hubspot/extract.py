"""Reading a stream's pages from a portal and turning them into batches with their cursor.

Full load: list pages (`GET /crm/v3/objects/{type}`, 100 a page) of live records, then of archived ones
(tombstones). Incremental: search (`POST .../search`, 200 a page) for records whose modification time lies
in the window [since - lookback, until], sorted by `hs_object_id` and always restarted from the last id
read (`hs_object_id > last`) instead of paging with an offset. That is what crosses HubSpot's 10,000-result
cap without a loop or a rescan, and what keeps a record that leaves the result set mid-window (modified
again, so now past `until`) from shifting the offsets and hiding its neighbour. Then the archived list for
the deletes of the window. Each page becomes one batch whose cursor says exactly where to resume:

    full, in progress      {"mode": "full", "started": ms, "phase": "live"|"archived",
                            "after": "<token>"|null}
    changes, in progress   {"mode": "changes", "since": ms, "until": ms, "phase": "changes"|"archived",
                            "after_id": "<hs_object_id>"|null, "after": "<token>"|null}
    complete               {"since": ms, "seen": {id: ms}}   (the next run searches from since - lookback)

The look-back window is read again on the next run, for records committed late; `seen` holds the records
of that window already delivered, with their modification time, so the next run delivers only those that
changed since (as the Salesforce keyset does) — a run with nothing changed stores nothing. The in-progress
cursors carry the `seen` of the previous window (`prev_seen`) and the one being built (`next_seen`).

A stream that feeds two tables (deals → opportunities and stage_changes) yields the other table's batch
first with no cursor, then the stream's own table with the cursor, so a cursor is never stored ahead of
the records it covers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from connectors.base import Batch, Cursor, Quarantined, RecordTable
from connectors.errors import RequestRejected
from connectors.hubspot.associations import AssociationReader
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.context import MappingContext
from connectors.hubspot.mapping import STAGE_ENTERED, Unmappable, as_list, map_stage
from connectors.hubspot.paging import LIST_PAGE, SEARCH_PAGE, list_pages, next_after, search_pages
from connectors.hubspot.streams import HubSpotStream
from connectors.hubspot.values import instant
from kpi_engine.schema import Record, describe_rejection

OWNERS_PAGE = 500

TABLE_OF: dict[str, RecordTable] = {
    "User": "users",
    "Account": "accounts",
    "Lead": "leads",
    "Opportunity": "opportunities",
    "StageChange": "stage_changes",
    "PipelineStage": "stages",
    "Activity": "activities",
    "LineItem": "line_items",
}


def now_ms() -> int:
    return int(time.time() * 1000)


class Extractor:
    """Reads streams through one client; `context()` gives the mappers' context (built once)."""

    def __init__(
        self,
        client: HubSpotClient,
        context: Callable[[], MappingContext],
        *,
        lookback_seconds: int,
        list_page: int = LIST_PAGE,
        search_page: int = SEARCH_PAGE,
        clock_ms: Callable[[], int] = now_ms,
    ) -> None:
        self.client = client
        self.context = context
        self.lookback_ms = lookback_seconds * 1000
        self.list_page = list_page
        self.search_page = search_page
        self.clock_ms = clock_ms
        self.associations = AssociationReader(client)
        # Owners and pipelines are read once per connector (one run): the mappers' context and the
        # owners / deal_pipelines streams share the same pages.
        self._owner_pages: dict[bool, list[list[dict[str, Any]]]] = {}
        self._pipeline_cache: list[dict[str, Any]] | None = None

    # -- the entry point ---------------------------------------------------------------------------
    def extract(self, stream: HubSpotStream, cursor: Cursor | None, *, full: bool = False) -> Iterator[Batch]:
        try:
            if stream.kind == "owners":
                yield from self._owners(stream)
            elif stream.kind == "pipelines":
                yield from self._pipelines(stream)
            elif full or not cursor or stream.cursor_field is None:
                yield from self._full(stream, None)  # from the start
            elif cursor.get("mode") == "full":
                yield from self._full(stream, cursor)  # a full load that stopped half-way
            else:
                yield from self._changes(stream, cursor)
        except RequestRejected as exc:
            if not (stream.optional and exc.status == 403):
                raise
            # A portal without the object's scope (goal targets): nothing to read, said once in the batch.
            yield Batch(
                stream.name,
                stream.table,
                [],
                None,
                [Quarantined(stream.table, stream.name, None, str(exc), {})],
            )

    # -- directories -------------------------------------------------------------------------------
    def _owners(self, stream: HubSpotStream) -> Iterator[Batch]:
        ctx = self.context()
        for archived in (False, True):
            for page in self.owner_pages(archived):
                yield self._batch(stream, page, None, ctx, full=True)

    def owner_pages(self, archived: bool) -> list[list[dict[str, Any]]]:
        if archived not in self._owner_pages:
            self._owner_pages[archived] = list(self._read_owner_pages(archived))
        return self._owner_pages[archived]

    def _read_owner_pages(self, archived: bool) -> Iterator[list[dict[str, Any]]]:
        api = self.client.api("crm.owners.owners_api")
        after: str | None = None
        while True:
            kwargs: dict[str, Any] = {"limit": OWNERS_PAGE, "archived": archived}
            if after:
                kwargs["after"] = after
            body = self.client.read_json(
                "owners", f"list {'archived ' if archived else ''}owners", api.get_page, **kwargs
            )
            yield list(body.get("results") or [])
            after = next_after(body)
            if after is None:
                return

    def pipelines(self) -> list[dict[str, Any]]:
        if self._pipeline_cache is None:
            api = self.client.api("crm.pipelines.pipelines_api")
            body = self.client.read_json("pipelines", "list deal pipelines", api.get_all, "deals")
            self._pipeline_cache = list(body.get("results") or [])
        return self._pipeline_cache

    def _pipelines(self, stream: HubSpotStream) -> Iterator[Batch]:
        records: list[Record | Mapping[str, Any]] = []
        quarantined: list[Quarantined] = []
        for pipeline in self.pipelines():
            for stage in pipeline.get("stages") or []:
                try:
                    records.append(map_stage(pipeline, stage))
                except (ValidationError, Unmappable, KeyError, ValueError) as exc:
                    quarantined.append(
                        Quarantined(stream.table, stream.name, str(stage.get("id")), _reason(exc), stage)
                    )
        yield Batch(stream.name, stream.table, records, None, quarantined, full=True)

    # -- objects -----------------------------------------------------------------------------------
    def properties(self, stream: HubSpotStream, ctx: MappingContext) -> list[str]:
        names = list(stream.fields)
        if stream.name == "deals":
            names += [STAGE_ENTERED + stage_id for stage_id in ctx.stage_ids]
        return names

    def _full(self, stream: HubSpotStream, cursor: Cursor | None) -> Iterator[Batch]:
        ctx = self.context()
        names = self.properties(stream, ctx)
        started = int(cursor["started"]) if cursor else self.clock_ms()
        phase = cursor.get("phase", "live") if cursor else "live"
        resume = cursor.get("after") if cursor else None
        window = SeenWindow(
            {}, dict(cursor.get("next_seen") or {}) if cursor else {}, started - self.lookback_ms
        )
        if phase == "live":
            for page, following in list_pages(
                self.client, stream.name, names, archived=False, after=resume, limit=self.list_page
            ):
                window.note(page)
                done = {
                    "mode": "full",
                    "started": started,
                    "phase": "live" if following else "archived",
                    "after": following,
                    "next_seen": dict(window.next_seen),
                }
                yield from self._page_batches(stream, page, done, ctx, full=True)
            resume = None
        for page, following in list_pages(
            self.client, stream.name, names, archived=True, after=resume, limit=self.list_page
        ):
            window.note(page)
            done = (
                {
                    "mode": "full",
                    "started": started,
                    "phase": "archived",
                    "after": following,
                    "next_seen": dict(window.next_seen),
                }
                if following
                else {"since": started, "seen": dict(window.next_seen)}
            )
            yield from self._page_batches(stream, page, done, ctx, full=True)

    def _changes(self, stream: HubSpotStream, cursor: Cursor) -> Iterator[Batch]:
        ctx = self.context()
        names = self.properties(stream, ctx)
        if cursor.get("mode") == "changes":
            since, until = int(cursor["since"]), int(cursor["until"])
            phase, last_id, resume = (
                cursor.get("phase", "changes"),
                cursor.get("after_id"),
                cursor.get("after"),
            )
            prev_seen, next_seen = dict(cursor.get("prev_seen") or {}), dict(cursor.get("next_seen") or {})
        else:
            since, until, phase, last_id, resume = (
                int(cursor["since"]),
                self.clock_ms(),
                "changes",
                None,
                None,
            )
            prev_seen, next_seen = dict(cursor.get("seen") or {}), {}
        lower = since - self.lookback_ms
        window = SeenWindow(prev_seen, next_seen, until - self.lookback_ms)

        def position(**moved: Any) -> Cursor:
            return {
                "mode": "changes",
                "since": since,
                "until": until,
                "phase": "changes",
                "after_id": None,
                "after": None,
                "prev_seen": window.prev_seen,
                "next_seen": dict(window.next_seen),
                **moved,
            }

        if phase == "changes":
            for page, read_to, more in search_pages(
                self.client,
                stream.name,
                names,
                field=stream.cursor_field or "hs_lastmodifieddate",
                lower=lower,
                until=until,
                after_id=last_id,
                limit=self.search_page,
            ):
                fresh = window.fresh(page)
                yield from self._page_batches(
                    stream, fresh, position(after_id=read_to) if more else position(phase="archived"), ctx
                )
            resume = None
        for page, following in list_pages(
            self.client, stream.name, names, archived=True, after=resume, limit=self.list_page
        ):
            gone = window.fresh([r for r in page if _ms(r) >= lower])
            yield from self._page_batches(
                stream,
                gone,
                position(phase="archived", after=following)
                if following
                else {"since": until, "seen": dict(window.next_seen)},
                ctx,
            )

    # -- pages ---------------------------------------------------------------------------------------
    def _page_batches(
        self,
        stream: HubSpotStream,
        page: list[dict[str, Any]],
        cursor: Cursor,
        ctx: MappingContext,
        *,
        full: bool = False,
    ) -> Iterator[Batch]:
        if stream.associations and page:
            links = self.associations.read(
                stream.name, [str(r["id"]) for r in page if not r.get("archived")], stream.associations
            )
            for row in page:
                row["associations"] = links.get(str(row["id"]), {})
        yield from self._batches(stream, page, cursor, ctx, full=full)

    def _batch(
        self,
        stream: HubSpotStream,
        page: Sequence[Mapping[str, Any]],
        cursor: Cursor | None,
        ctx: MappingContext,
        *,
        full: bool = False,
    ) -> Batch:
        batches = list(self._batches(stream, page, cursor, ctx, full=full))
        return batches[-1]

    def _batches(
        self,
        stream: HubSpotStream,
        page: Sequence[Mapping[str, Any]],
        cursor: Cursor | None,
        ctx: MappingContext,
        *,
        full: bool = False,
    ) -> Iterator[Batch]:
        assert stream.mapper is not None
        by_table: dict[RecordTable, list[Record | Mapping[str, Any]]] = {stream.table: []}
        quarantined: list[Quarantined] = []
        for row in page:
            try:
                mapped = as_list(stream.mapper(row, ctx))
            except (ValidationError, Unmappable) as exc:
                quarantined.append(
                    Quarantined(stream.table, stream.name, str(row.get("id")), _reason(exc), row)
                )
                continue
            for record in mapped:
                table = TABLE_OF.get(type(record).__name__, stream.table)
                by_table.setdefault(table, []).append(record)
        for table, records in by_table.items():
            if table != stream.table:
                yield Batch(stream.name, table, records, None, (), full=full)
        yield Batch(stream.name, stream.table, by_table[stream.table], cursor, quarantined, full=full)


class SeenWindow:
    """The records of a look-back window already delivered, by id and modification time (ms)."""

    def __init__(self, prev_seen: dict[str, int], next_seen: dict[str, int], horizon: int) -> None:
        self.prev_seen = prev_seen
        """Delivered by the previous window: skipped when read again unchanged."""
        self.next_seen = next_seen
        """Delivered now and inside the next run's look-back (modified at or after `horizon`)."""
        self.horizon = horizon

    def note(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for row in rows:
            moment = _ms(row)
            if moment >= self.horizon:
                self.next_seen[str(row["id"])] = moment

    def fresh(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`rows` without those the previous window delivered with the same modification time."""
        self.note(rows)
        return [row for row in rows if self.prev_seen.get(str(row["id"])) != _ms(row)]


def _ms(row: Mapping[str, Any]) -> int:
    moment = instant(row.get("archivedAt")) or instant(row.get("updatedAt"))
    return int(moment.timestamp() * 1000) if moment else 0


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return describe_rejection(exc)
    return str(exc)
