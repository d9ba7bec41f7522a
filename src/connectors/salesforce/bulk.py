"""Bulk API 2.0 query jobs for large reads: create, poll until JobComplete, read CSV results page by page.

Above the threshold a stream's first REST page is delivered as usual and the rest is read by one job
(`ORDER BY SystemModstamp, Id` after the first page's last key); a results page of `BULK_PAGE` rows costs
one call where REST needs five. CSV values are text: `row_reader` gives them the types REST would (from
describe) and nests `Parent.Field` columns as REST does (`row_reader`). A job that fails or is refused raises
`BulkUnavailable` and the caller goes on with REST.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from connectors.errors import RequestRejected
from connectors.salesforce.client import SalesforceClient

BULK_PAGE = 10_000
"""Rows per results request: five REST pages for one call, memory still a page."""
MAX_POLLS = 60
FIRST_POLL_WAIT, MAX_POLL_WAIT = 0.5, 10.0


class BulkUnavailable(Exception):
    """The job could not run (refused, Failed or Aborted, or never finished): read with REST instead."""


def _converter(field_type: str) -> Callable[[str], Any]:
    if field_type == "boolean":
        return lambda text: text == "true"
    if field_type == "int":
        return lambda text: int(float(text))
    if field_type in ("double", "currency", "percent"):
        return float
    return str


def row_reader(header: list[str], field_types: Mapping[str, str]) -> Callable[[list[str]], dict[str, Any]]:
    """A function turning one CSV row into the row REST would give: typed values, null for empty,
    `A.B` columns nested as {"A": {"B": ...}} (and a parent of nothing but nulls as null, as REST has it).
    The per-column work is decided once per page, not once per cell."""
    lowered = {k.lower(): v for k, v in field_types.items()}
    plain = [
        (i, name, _converter(lowered.get(name.lower(), "string")))
        for i, name in enumerate(header)
        if "." not in name
    ]
    nested: dict[str, list[tuple[int, str]]] = {}
    for i, name in enumerate(header):
        if "." in name:
            parent, _, child = name.partition(".")
            nested.setdefault(parent, []).append((i, child))

    def read(values: list[str]) -> dict[str, Any]:
        row = {name: convert(values[i]) if values[i] != "" else None for i, name, convert in plain}
        for parent, children in nested.items():
            found = {child: values[i] or None for i, child in children}
            row[parent] = found if any(v is not None for v in found.values()) else None
        return row

    return read


def _wait_for_completion(client: SalesforceClient, job_id: str, sleep: Callable[[float], None]) -> None:
    wait = FIRST_POLL_WAIT
    for _ in range(MAX_POLLS):
        state = client.send("bulk_job", "GET", f"jobs/query/{job_id}").get("state")
        if state == "JobComplete":
            return
        if state in ("Failed", "Aborted"):
            raise BulkUnavailable(f"Bulk API 2.0 job {job_id} ended {state}")
        sleep(wait)
        wait = min(wait * 2, MAX_POLL_WAIT)
    raise BulkUnavailable(f"Bulk API 2.0 job {job_id} did not complete after {MAX_POLLS} polls")


def bulk_pages(
    client: SalesforceClient,
    soql: str,
    *,
    include_deleted: bool,
    field_types: Mapping[str, str],
    sleep: Callable[[float], None],
) -> Iterator[list[dict[str, Any]]]:
    """Pages of `soql` through one query job; `field_types` maps field API names to describe types."""
    operation = "queryAll" if include_deleted else "query"
    try:
        job = client.send("bulk_create", "POST", "jobs/query/", json={"operation": operation, "query": soql})
    except RequestRejected as error:
        raise BulkUnavailable(str(error)) from None
    _wait_for_completion(client, job["id"], sleep)
    locator: str | None = None
    while True:
        params: dict[str, Any] = {"maxRecords": BULK_PAGE} | ({"locator": locator} if locator else {})
        response = client.send(
            "bulk_results", "GET", f"jobs/query/{job['id']}/results", params=params, raw=True
        )
        reader = csv.reader(io.StringIO(response.text))
        header = next(reader, None)
        if header is None:
            return
        read = row_reader(header, field_types)
        yield [read(values) for values in reader]
        locator = response.headers.get("Sforce-Locator")
        if not locator or locator == "null":
            return
