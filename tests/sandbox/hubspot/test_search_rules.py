"""Search filter semantics, evaluated in-process over a store (no server): one row per rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox.hubspot.errors import ApiError
from sandbox.hubspot.portal import Portal
from sandbox.hubspot.search import compile_groups, sort_key

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def deals():
    portal = Portal()
    rows = [  # id, amount, dealname, closedate
        ("1", "9", "Alpha renewal", "2024-03-01T00:00:00Z"),
        ("2", "10", "Beta expansion", "2024-03-02T12:00:00Z"),
        ("3", "", "gamma new", "2024-04-01T00:00:00Z"),
        ("4", "250.5", "Delta renewal 2024", ""),
    ]
    for rid, amount, name, close in rows:
        portal.store.load("deals", rid, {"amount": amount, "dealname": name, "closedate": close}, T0, T0)
    return portal


def matching(portal, *filters) -> list[str]:
    match = compile_groups(portal.types["deals"], [{"filters": list(filters)}])
    return [r.id for r in portal.store.iter("deals") if match(r)]


@pytest.mark.parametrize("flt, expected", [
    # numbers compare numerically: "9" < "10" (text order would say otherwise)
    ({"propertyName": "amount", "operator": "LT", "value": "10"}, ["1"]),
    ({"propertyName": "amount", "operator": "GTE", "value": "10"}, ["2", "4"]),
    # NEQ also matches the deal without an amount
    ({"propertyName": "amount", "operator": "NEQ", "value": "9"}, ["2", "3", "4"]),
    ({"propertyName": "amount", "operator": "NOT_HAS_PROPERTY"}, ["3"]),
    ({"propertyName": "amount", "operator": "BETWEEN", "value": "9", "highValue": "10"}, ["1", "2"]),
    # text is case-insensitive; IN takes a list
    ({"propertyName": "dealname", "operator": "EQ", "value": "GAMMA NEW"}, ["3"]),
    ({"propertyName": "dealname", "operator": "IN", "values": ["alpha renewal", "x"]}, ["1"]),
    ({"propertyName": "dealname", "operator": "NOT_IN", "values": ["alpha renewal"]}, ["2", "3", "4"]),
    # tokens: a word matches, `*` is a wildcard
    ({"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "renewal"}, ["1", "4"]),
    ({"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "exp*"}, ["2"]),
    ({"propertyName": "dealname", "operator": "NOT_CONTAINS_TOKEN", "value": "renewal"}, ["2", "3"]),
    # datetimes: ISO or epoch millis (1709294400000 = 2024-03-01T12:00:00Z)
    ({"propertyName": "closedate", "operator": "GT", "value": "1709294400000"}, ["2", "3"]),
    ({"propertyName": "closedate", "operator": "LTE", "value": "2024-03-02"}, ["1"]),
    ({"propertyName": "hs_object_id", "operator": "GT", "value": "2"}, ["3", "4"]),
])
def test_operator(deals, flt, expected):
    assert matching(deals, flt) == expected


def test_groups_are_or_and_filters_are_and(deals):
    match = compile_groups(deals.types["deals"], [
        {"filters": [{"propertyName": "amount", "operator": "GT", "value": "0"},
                     {"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "renewal"}]},
        {"filters": [{"propertyName": "amount", "operator": "NOT_HAS_PROPERTY"}]}])
    assert [r.id for r in deals.store.iter("deals") if match(r)] == ["1", "3", "4"]


def test_sort_descending_puts_missing_values_first_ascending_last(deals):
    key, descending = sort_key(deals.types["deals"], [{"propertyName": "amount", "direction": "DESCENDING"}])
    ordered = sorted(deals.store.iter("deals"), key=key, reverse=descending)
    assert [r.id for r in ordered] == ["3", "4", "2", "1"]
    key, descending = sort_key(deals.types["deals"], ["amount"])
    assert [r.id for r in sorted(deals.store.iter("deals"), key=key, reverse=descending)] == ["1", "2", "4", "3"]


@pytest.mark.parametrize("groups", [
    [{"filters": [{"propertyName": "nope", "operator": "EQ", "value": "1"}]}],
    [{"filters": [{"propertyName": "amount", "operator": "LIKE", "value": "1"}]}],
    [{"filters": [{"propertyName": "amount", "operator": "IN"}]}],
    [{"filters": [{"propertyName": "amount", "operator": "HAS_PROPERTY"}] * 11}],
    [{"filters": [{"propertyName": "amount", "operator": "HAS_PROPERTY"}]}] * 6,
])
def test_invalid_requests_are_400(deals, groups):
    with pytest.raises(ApiError) as raised:
        compile_groups(deals.types["deals"], groups)
    assert raised.value.status == 400


def test_user_edit_bumps_lastmodified_and_history():
    deals = Portal()
    deals.store.load("deals", "1", {"dealname": "Alpha"}, T0, T0)
    record = deals.edit("deals", "1", {"dealstage": "closedwon"})
    assert record.updated_at > T0
    assert record.properties["hs_lastmodifieddate"] != "2024-01-01T00:00:00.000Z"
    assert record.properties["hs_is_closed_won"] == "true"
    assert [h.value for h in record.history["dealstage"]] == ["closedwon"]
    assert deals.delete("deals", "1") and deals.store.get("deals", "1") is None
    assert deals.store.get("deals", "1", archived=True).archived_at is not None


def test_amount_in_home_currency_follows_amount_and_currency():
    portal = Portal()
    portal.currencies.update({"USD": 1.0, "EUR": 0.8})
    deal = portal.add("deals", {"dealname": "X", "amount": "100", "deal_currency_code": "EUR"})
    assert deal.properties["amount_in_home_currency"] == "125"  # 100 EUR / 0.8 EUR per USD
    portal.edit("deals", deal.id, {"deal_currency_code": "USD"})
    assert deal.properties["amount_in_home_currency"] == "100"
