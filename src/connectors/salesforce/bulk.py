"""Bulk API 2.0 query jobs for large reads: create, poll until JobComplete, read CSV results page by page.

Above the threshold a stream's first REST page is delivered as usual and the rest is read by one job
(`ORDER BY SystemModstamp, Id` after the first page's last key); a results page of `BULK_PAGE` rows costs
one call where REST needs five. CSV values are text: `typed_row` gives them the types REST would (from
describe) and nests `Parent.Field` columns as REST does. A job that fails or is refused raises
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


def typed_row(header: list[str], values: list[str], converters: list[Callable[[str], Any]]) -> dict[str, Any]:
    """One CSV row as REST would give it: typed values, null for empty, `A.B` nested as {"A": {"B": ...}}."""
    row: dict[str, Any] = {}
    for name, text, convert in zip(header, values, converters, strict=True):
        value = convert(text) if text != "" else None
        if "." in name:
            parent, _, child = name.partition(".")
            nested = row.get(parent)
            if not isinstance(nested, dict):
                nested = row[parent] = {}
            nested[child] = value
        else:
            row[name] = value
    for name in [n.partition(".")[0] for n in header if "." in n]:
        nested = row.get(name)
        if isinstance(nested, dict) and all(v is None for v in nested.values()):
            row[name] = None  # REST gives a null parent, not a parent of nulls
    return row


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


def bulk_pages(client: SalesforceClient, soql: str, *, include_deleted: bool, field_types: Mapping[str, str],
               sleep: Callable[[float], None]) -> Iterator[list[dict[str, Any]]]:
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
        response = client.send("bulk_results", "GET", f"jobs/query/{job['id']}/results", params=params, raw=True)
        reader = csv.reader(io.StringIO(response.text))
        header = next(reader, None)
        if header is None:
            return
        lowered = {k.lower(): v for k, v in field_types.items()}
        converters = [_converter(lowered.get(name.lower(), "string")) for name in header]
        yield [typed_row(header, values, converters) for values in reader]
        locator = response.headers.get("Sforce-Locator")
        if not locator or locator == "null":
            return
