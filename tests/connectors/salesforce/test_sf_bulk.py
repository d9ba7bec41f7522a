"""Above `bulk_threshold` the rest of a read goes through one Bulk API 2.0 job: the same records as REST,
fewer calls; a job Salesforce refuses falls back to REST after the last delivered row."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import responses
from sf_reading import read

from connectors.config import InstanceConfig
from connectors.salesforce import connect
from connectors.salesforce.bulk import BULK_PAGE
from connectors.salesforce.client import SalesforceClient
from sandbox.runtime import RunningSandbox, Sandbox
from sandbox.salesforce.org import render_org

ROWS = 14_500
BASE = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """14,500 accounts, stamps shared by 7 rows at a time, a few deleted, some without an industry."""
    store = render_org(None)
    stamps = [BASE + timedelta(milliseconds=i // 7) for i in range(ROWS)]
    ids = store.load(
        "Account",
        [
            {
                "Name": f"Acme {i}",
                "SystemModstamp": s,
                "CreatedDate": s,
                "LastModifiedDate": s,
                "OwnerId": store.api_user_id,
                "Industry": None if i % 5 else "Retail",
                "Region__c": "EMEA",
                "IsDeleted": i % 1000 == 0,
            }
            for i, s in enumerate(stamps)
        ],
    )
    assert len(ids) == ROWS
    with Sandbox(crm="salesforce", org=store, state_dir=tmp_path_factory.mktemp("sf")) as running:
        yield running


def test_bulk_reads_the_same_records_as_rest_in_fewer_calls(sb: RunningSandbox, connector_for) -> None:
    rest = connector_for(sb, bulk_threshold=None)
    sb.ledger.reset()
    expected, rest_cursor, _ = read(rest, "Account")
    assert sb.ledger.count("query_all") + sb.ledger.count("query_all_more") == math.ceil(ROWS / 2000)

    bulk = connector_for(sb, bulk_threshold=10_000)
    sb.ledger.reset()
    got, cursor, batches = read(bulk, "Account")
    assert got == expected and cursor == rest_cursor
    assert sum(r.deleted for r in got) == 15
    assert [len(b.records) for b in batches] == [2000, BULK_PAGE, ROWS - 2000 - BULK_PAGE]
    labels = sb.ledger.by_label()
    assert (labels["query_all"], labels["bulk_create"], labels["bulk_results"]) == (1, 1, 2)
    assert labels.get("query_all_more", 0) == 0 and labels["bulk_job"] >= 1


@pytest.mark.parametrize(("threshold", "bulk"), [(ROWS, False), (ROWS - 1, True)])
def test_bulk_only_past_the_threshold(sb: RunningSandbox, connector_for, threshold: int, bulk: bool) -> None:
    connector = connector_for(sb, bulk_threshold=threshold)
    sb.ledger.reset()
    records, _, _ = read(connector, "Account")
    assert len(records) == ROWS
    assert sb.ledger.count("bulk_create") == int(bulk)
    assert sb.ledger.count("query_all_more") == (0 if bulk else math.ceil(ROWS / 2000) - 1)


ORG = "https://acme.example.test"
DATA = f"{ORG}/services/data/v59.0"


def _row(i: int) -> dict:
    return {
        "attributes": {"type": "Account"},
        "Id": f"001{i:015d}",
        "IsDeleted": False,
        "SystemModstamp": "2025-01-01T00:00:00.000+0000",
        "Name": f"A{i}",
        "OwnerId": "005A",
        "CreatedDate": "2025-01-01T00:00:00.000+0000",
        "Industry": None,
    }


@responses.activate
def test_a_refused_job_falls_back_to_rest_after_the_last_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNIT_BULK_ID", "id")
    monkeypatch.setenv("UNIT_BULK_SECRET", "secret")
    responses.post(
        f"{ORG}/services/oauth2/token",
        json={"access_token": "t", "instance_url": ORG, "id": f"{ORG}/id/00D/005I"},
    )
    responses.get(
        f"{DATA}/sobjects/Account/describe/",
        json={
            "fields": [
                {"name": n, "type": "string", "relationshipName": None}
                for n in ("Id", "IsDeleted", "SystemModstamp", "Name", "OwnerId", "CreatedDate", "Industry")
            ]
        },
    )
    first = responses.get(
        f"{DATA}/queryAll/",
        json={
            "totalSize": 3,
            "done": False,
            "nextRecordsUrl": "/services/data/v59.0/queryAll/01g-1",
            "records": [_row(1)],
        },
    )
    responses.post(
        f"{DATA}/jobs/query/",
        status=400,
        json=[{"errorCode": "API_ERROR", "message": "Bulk API is not enabled for this org"}],
    )
    instance = InstanceConfig(
        name="acme",
        crm="salesforce",
        url=ORG,
        auth="client_credentials",
        client_id_env="UNIT_BULK_ID",
        client_secret_env="UNIT_BULK_SECRET",
        bulk_threshold=1,
        lookback_seconds=0,
    )
    connector = connect(instance, client=SalesforceClient(instance, sleep=lambda s: None))
    rest = responses.get(
        f"{DATA}/queryAll/", json={"totalSize": 2, "done": True, "records": [_row(2), _row(3)]}
    )
    got, cursor, _ = read(connector, "Account")
    assert (
        [r.name for r in got] == ["A1", "A2", "A3"] and cursor is not None and cursor["id"] == _row(3)["Id"]
    )
    assert first.call_count == 1 and rest.call_count == 1
    resumed = responses.calls[-1].request.url
    assert "Id+%3E+%27001000000000000001%27" in resumed  # after the last row the first page delivered
