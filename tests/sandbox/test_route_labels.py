"""Endpoint labels come from the CRM apps' own routes: every route is named with a documented label, and
requests get the same labels the ledger and fault rules have always used."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.routing import BaseRoute

from sandbox.route_labels import unlabelled
from sandbox.runtime import RunningSandbox, Sandbox

# The labels docs/sandbox-salesforce.md and docs/sandbox-hubspot.md document.
LABELS = {
    "salesforce": {"versions", "resources", "oauth_token", "query", "query_more", "query_all", "query_all_more",
                   "sobjects", "describe", "sobject", "record", "upsert", "collections", "bulk_create",
                   "bulk_job", "bulk_results", "tooling", "tooling_query", "limits"},
    "hubspot": {"oauth_token", "search", "objects_list", "objects_get", "objects_create", "objects_update",
                "objects_archive", "batch_read", "batch_create", "batch_update", "batch_upsert", "batch_archive",
                "associations", "properties", "schemas", "owners", "pipelines"},
}


@pytest.fixture(scope="module", params=["salesforce", "hubspot"])
def running(request: pytest.FixtureRequest) -> Iterator[RunningSandbox]:
    with Sandbox(crm=request.param) as sandbox:
        yield sandbox


def _routes(sandbox: RunningSandbox) -> list[BaseRoute]:
    return sandbox.server.app.routes  # type: ignore[union-attr, no-any-return]


def test_every_route_is_named_with_a_documented_label(running: RunningSandbox) -> None:
    routes = _routes(running)
    assert len(routes) > 10
    assert unlabelled(routes, LABELS[running.crm]) == []


SF = "/services/data/v59.0"
CASES = {
    "salesforce": [
        ("GET", "/services/data", "versions"), ("GET", "/services/data/", "versions"),
        ("GET", SF, "resources"), ("GET", SF + "/", "resources"),
        ("POST", "/services/oauth2/token", "oauth_token"),
        ("GET", SF + "/query", "query"), ("GET", SF + "/query/", "query"),
        ("GET", SF + "/query/01g000000000001-2000", "query_more"),
        ("GET", SF + "/queryAll", "query_all"), ("GET", SF + "/queryAll/01g000000000001-200", "query_all_more"),
        ("GET", SF + "/sobjects", "sobjects"), ("GET", SF + "/sobjects/Account/describe", "describe"),
        ("GET", SF + "/sobjects/Account", "sobject"), ("POST", SF + "/sobjects/Account/", "sobject"),
        ("GET", SF + "/sobjects/Account/001000000000001AAA", "record"),
        ("PATCH", SF + "/sobjects/Account/001000000000001AAA", "record"),
        ("DELETE", SF + "/sobjects/Account/001000000000001AAA", "record"),
        ("PATCH", SF + "/sobjects/Account/Ext__c/42", "upsert"),
        ("POST", SF + "/composite/sobjects", "collections"),
        ("PATCH", SF + "/composite/sobjects/Account/Ext__c", "collections"),
        ("POST", SF + "/jobs/query", "bulk_create"), ("GET", SF + "/jobs/query", "bulk_job"),
        ("GET", SF + "/jobs/query/750000000000001", "bulk_job"),
        ("DELETE", SF + "/jobs/query/750000000000001", "bulk_job"),
        ("GET", SF + "/jobs/query/750000000000001/results", "bulk_results"),
        ("POST", SF + "/tooling/sobjects/CustomField", "tooling"),
        ("GET", SF + "/tooling/query", "tooling_query"),
        ("GET", SF + "/limits", "limits"), ("GET", SF + "/limits/", "limits"),
        ("GET", "/nowhere", "other"),
    ],
    "hubspot": [
        ("POST", "/oauth/v1/token", "oauth_token"), ("POST", "/oauth/2026-03/token", "oauth_token"),
        ("GET", "/oauth/v1/access-tokens/abc", "oauth_token"),
        ("POST", "/crm/v3/objects/deals/search", "search"),
        ("POST", "/crm/objects/2026-03/deals/search", "search"),
        ("GET", "/crm/v3/objects/deals", "objects_list"), ("GET", "/crm/objects/2026-03/deals", "objects_list"),
        ("POST", "/crm/v3/objects/deals", "objects_create"), ("GET", "/crm/v3/objects/deals/7", "objects_get"),
        ("PATCH", "/crm/v3/objects/deals/7", "objects_update"),
        ("DELETE", "/crm/objects/2026-03/deals/7", "objects_archive"),
        *[("POST", f"/crm/v3/objects/deals/batch/{verb}", f"batch_{verb}")
          for verb in ("read", "create", "update", "upsert", "archive")],
        ("POST", "/crm/objects/2026-03/contacts/batch/read", "batch_read"),
        ("POST", "/crm/v4/associations/deals/companies/batch/read", "associations"),
        ("GET", "/crm/v4/objects/deals/7/associations/companies", "associations"),
        ("GET", "/crm/v3/properties/deals", "properties"), ("GET", "/crm/properties/2026-03/deals", "properties"),
        ("GET", "/crm/v3/properties/deals/groups", "properties"),
        ("GET", "/properties/v1/deals/properties", "properties"),
        ("GET", "/properties/v2/products/properties", "properties"),
        ("GET", "/crm/v3/schemas", "schemas"), ("GET", "/crm-object-schemas/v3/schemas/2-1", "schemas"),
        ("GET", "/crm/v3/owners/", "owners"), ("GET", "/crm/v3/owners/12", "owners"),
        ("GET", "/crm/v3/pipelines/deals", "pipelines"),
        ("GET", "/nowhere", "other"),
    ],
}


def test_requests_get_their_endpoint_labels(running: RunningSandbox) -> None:
    routes, dialect = _routes(running), running.runtime.dialect
    got = [(method, path, dialect.label(routes, {"type": "http", "method": method, "path": path,
                                                  "root_path": "", "headers": []}))
           for method, path, _ in CASES[running.crm]]
    assert got == CASES[running.crm]


def test_public_endpoints_are_the_oauth_ones(running: RunningSandbox) -> None:
    dialect = running.runtime.dialect
    public = {label for label in LABELS[running.crm] if dialect.is_public(label)}
    assert public == ({"oauth_token", "versions"} if running.crm == "salesforce" else {"oauth_token"})
