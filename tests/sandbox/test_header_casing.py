"""Response header names leave the sandboxes in the vendors' spelling, read as raw bytes off the socket:
clients that copy headers into a plain dict look up `Sforce-Locator`, not `sforce-locator`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from raw_http import raw_request

from sandbox.hubspot.portal import Portal
from sandbox.runtime import RunningSandbox, Sandbox
from sandbox.salesforce.org import render_org


@pytest.fixture(scope="module")
def salesforce() -> Iterator[RunningSandbox]:
    store = render_org(None)
    store.load("Account", [{"Name": f"Acct {i}"} for i in range(3)])
    with Sandbox(crm="salesforce", org=store, faults="429@label=limits,calls=2,retry_after=3") as running:
        yield running


@pytest.fixture(scope="module")
def hubspot() -> Iterator[RunningSandbox]:
    with Sandbox(crm="hubspot", org=Portal(), faults="429@label=objects_list,calls=2,retry_after=2") as running:
        yield running


def test_salesforce_rest_headers(salesforce: RunningSandbox) -> None:
    answer = raw_request(salesforce.base_url, salesforce.ca_file, "GET", "/services/data/v59.0/limits",
                         salesforce.token)
    assert answer.status == 200
    assert {"Content-Type", "Content-Length", "Date", "Sforce-Limit-Info"} <= set(answer.names())
    assert answer.header("Sforce-Limit-Info").startswith("api-usage=")
    assert answer.header("Content-Type") == "application/json"
    assert all(name[0].isupper() for name in answer.names())
    refused = raw_request(salesforce.base_url, salesforce.ca_file, "GET", "/services/data/v59.0/limits",
                          salesforce.token)  # the 2nd limits call: the 429 fault, Salesforce's 403
    assert refused.status == 403 and refused.header("Retry-After") == "3"
    assert "Sforce-Limit-Info" in refused.names()


def test_salesforce_bulk_result_headers(salesforce: RunningSandbox) -> None:
    job = json.dumps({"operation": "query", "query": "SELECT Id FROM Account"}).encode()
    created = raw_request(salesforce.base_url, salesforce.ca_file, "POST", "/services/data/v59.0/jobs/query",
                          salesforce.token, body=job)
    job_id = json.loads(created.body)["id"]
    state = ""
    for _ in range(5):  # the job answers InProgress once, then JobComplete
        polled = raw_request(salesforce.base_url, salesforce.ca_file, "GET",
                             f"/services/data/v59.0/jobs/query/{job_id}", salesforce.token)
        state = json.loads(polled.body)["state"]
        if state == "JobComplete":
            break
    assert state == "JobComplete"
    page = raw_request(salesforce.base_url, salesforce.ca_file, "GET",
                       f"/services/data/v59.0/jobs/query/{job_id}/results?maxRecords=2", salesforce.token)
    assert page.status == 200
    assert page.header("Sforce-NumberOfRecords") == "2"
    assert page.header("Sforce-Locator") not in ("", "null")
    assert page.header("Content-Type").startswith("text/csv")


def test_hubspot_headers(hubspot: RunningSandbox) -> None:
    answer = raw_request(hubspot.base_url, hubspot.ca_file, "GET", "/crm/v3/objects/deals?limit=1",
                         hubspot.token)
    assert answer.status == 200
    names = set(answer.names())
    assert {"Content-Type", "X-HubSpot-RateLimit-Daily", "X-HubSpot-RateLimit-Daily-Remaining",
            "X-HubSpot-RateLimit-Max", "X-HubSpot-RateLimit-Remaining",
            "X-HubSpot-RateLimit-Interval-Milliseconds"} <= names
    assert answer.header("X-HubSpot-RateLimit-Daily") == "1000000"
    limited = raw_request(hubspot.base_url, hubspot.ca_file, "GET", "/crm/v3/objects/deals?limit=1",
                          hubspot.token)
    assert limited.status == 429 and limited.header("Retry-After") == "2"
    assert json.loads(limited.body)["policyName"] == "TEN_SECONDLY_ROLLING"


def test_no_header_name_is_sent_twice(hubspot: RunningSandbox) -> None:
    answer = raw_request(hubspot.base_url, hubspot.ca_file, "GET", "/crm/v3/objects/deals?limit=1",
                         hubspot.token)
    lowered = [name.lower() for name in answer.names()]
    assert len(lowered) == len(set(lowered))
