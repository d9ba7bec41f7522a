"""`--data DIR`: round trip through export, and errors that name file, record and property."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sandbox.generator import generate_org
from sandbox.hubspot import export_org, load_data
from sandbox.hubspot.org import render_org
from sandbox.hubspot.portal import Portal
from sandbox.plugin import SandboxDataError


@pytest.fixture(scope="module")
def rendered() -> Portal:
    return render_org(generate_org("tiny", 3, dt.date(2026, 6, 30), "hubspot"), Portal())


def snapshot(portal: Portal) -> dict:
    return {name: {rid: (r.properties, r.created_at, r.updated_at, r.archived) for rid, r in table.items()}
            for name, table in portal.store.records.items()}


def test_export_then_load_gives_the_same_portal(rendered, tmp_path):
    export_org(rendered, tmp_path)
    loaded = load_data(tmp_path)
    assert snapshot(loaded) == snapshot(rendered)
    assert {o.id: o.to_api() for o in loaded.owners.values()} == {o.id: o.to_api() for o in rendered.owners.values()}
    deal = next(iter(rendered.store.records["deals"]))
    assert [h.value for h in loaded.store.records["deals"][deal].history["dealstage"]] == \
        [h.value for h in rendered.store.records["deals"][deal].history["dealstage"]]
    assert loaded.associations.edges == rendered.associations.edges
    assert loaded.currencies == rendered.currencies and loaded.currencies
    assert [p.to_api()["stages"] for p in loaded.pipelines.by_id.values()] == \
        [p.to_api()["stages"] for p in rendered.pipelines.by_id.values()]


def write(tmp_path, name, records):
    (tmp_path / name).write_text(json.dumps(records))


GOOD = {"id": "11", "properties": {"dealname": "A", "amount": "10"}, "createdAt": "2024-01-01T00:00:00Z",
        "updatedAt": "2024-01-02T00:00:00Z", "archived": False}


@pytest.mark.parametrize("record, expected", [
    ({**GOOD, "properties": {"amount": "ten"}}, "deals.json: record 1 (id 11): property 'amount': ten was not a valid number."),
    ({**GOOD, "properties": {"nope": "1"}}, "deals.json: record 1 (id 11): property 'nope' does not exist on deals"),
    ({**GOOD, "properties": {"dealstage": "nowhere"}}, "deals.json: record 1 (id 11): property 'dealstage': nowhere was not one"),
    ({**GOOD, "createdAt": "yesterday"}, "deals.json: record 1 (id 11): createdAt: 'yesterday' is not an ISO 8601"),
    ({**GOOD, "id": "abc"}, "deals.json: record 1: id: 'abc' is not a numeric id"),
    ({**GOOD, "associations": {"companies": ["77"]}}, "deals.json: record 1 (id 11): associations.companies: no companies record 77"),
])
def test_malformed_records_are_named(tmp_path, record, expected):
    write(tmp_path, "deals.json", [{**GOOD, "id": "10"}, record])
    with pytest.raises(SandboxDataError) as raised:
        load_data(tmp_path)
    assert str(raised.value).startswith(expected)


def test_bad_json_names_line_and_column(tmp_path):
    (tmp_path / "contacts.json").write_text('[\n{"id": "1",,}]')
    with pytest.raises(SandboxDataError, match=r"contacts.json: line 2, column 12"):
        load_data(tmp_path)


def test_unknown_file_is_named(tmp_path):
    write(tmp_path, "widgets.json", [])
    with pytest.raises(SandboxDataError, match="widgets.json: file: unknown object type 'widgets'"):
        load_data(tmp_path)
