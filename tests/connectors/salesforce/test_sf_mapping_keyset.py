"""Pure pieces: the keyset cursor's SOQL and de-duplication, the normalisers, currency conversion."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from connectors.salesforce.currency import Rates
from connectors.salesforce.keyset import KeysetCursor, soql_datetime
from connectors.salesforce.mapping import (
    MappingContext,
    Unmappable,
    event,
    opportunity,
    quota,
    task,
    user,
)

T = "2025-06-29T23:59:59.000+0000"


def test_keyset_where_without_and_with_look_back() -> None:
    cursor = KeysetCursor.load({"modstamp": T, "id": "006A"})
    assert cursor.where("SystemModstamp", timedelta(0)) == (
        "(SystemModstamp > 2025-06-29T23:59:59.000Z OR "
        "(SystemModstamp = 2025-06-29T23:59:59.000Z AND Id > '006A'))"
    )
    assert (
        cursor.where("SystemModstamp", timedelta(seconds=300)) == "SystemModstamp >= 2025-06-29T23:54:59.000Z"
    )
    assert KeysetCursor().where("SystemModstamp", timedelta(0)) is None


def test_keyset_delivers_each_version_once_within_the_look_back() -> None:
    lookback = timedelta(seconds=300)
    cursor = KeysetCursor()
    cursor.advance([("006A", T), ("006B", T)], lookback)
    assert cursor.dump()["modstamp"] == "2025-06-29T23:59:59.000Z" and cursor.id == "006B"
    assert not cursor.is_new("006A", T) and not cursor.is_new("006B", "2025-06-29T23:59:59Z")
    assert cursor.is_new("006C", T)  # same stamp, later id
    assert cursor.is_new("006A", "2025-06-30T00:00:00.000+0000")  # changed again
    assert cursor.is_new("006Z", "2025-06-29T23:58:00.000Z")  # committed late, inside the window
    cursor.advance([("006D", "2025-06-30T00:10:00.000Z")], lookback)
    assert set(cursor.seen) == {"006D"}  # 006A and 006B fell out of the window


def test_soql_datetime_is_milliseconds_utc() -> None:
    moment = datetime(2025, 6, 30, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=2)))
    assert soql_datetime(moment) == "2025-06-29T23:59:59.999Z"


OPP = {
    "Id": "006X",
    "IsDeleted": False,
    "SystemModstamp": T,
    "Name": "Deal",
    "StageName": "Closed Won",
    "Probability": 1,
    "ForecastCategoryName": "Best Case",
    "Type": "Existing Customer - Upgrade",
    "Amount": 920.0,
    "CurrencyIsoCode": "EUR",
    "CreatedDate": "2025-01-01T10:00:00.000+0000",
    "CloseDate": "2025-03-15",
    "IsClosed": True,
    "IsWon": True,
    "Contract_Months__c": 12.0,
}
RATES = Rates.from_rows(
    [
        {"iso_code": "USD", "rate": 1.0, "is_corporate": True},
        {"iso_code": "EUR", "rate": 0.92},
        {"iso_code": "GBP", "rate": 0.8},
        {"iso_code": "EUR", "rate": 0.8, "start_date": date(2025, 3, 1)},
        {"iso_code": "EUR", "rate": 0.9, "start_date": date(2025, 1, 1)},
    ]
)


def test_opportunity_probability_percent_and_dated_conversion() -> None:
    ctx = MappingContext(
        reporting_currency="USD",
        rates=RATES,
        field_mapping={"opportunity.contract_months": "Contract_Months__c"},
    )
    record = opportunity(OPP, ctx)
    assert record.probability == pytest.approx(0.01)  # Salesforce's 1 (%) is 0.01, never 1.0
    assert record.amount == pytest.approx(920.0 / 0.8)  # the EUR rate dated 2025-03-01 applies on 03-15
    assert (record.amount_original, record.currency, record.type) == (920.0, "EUR", "expansion")
    assert (record.forecast_category, record.contract_months) == ("best_case", 12)
    in_gbp = opportunity(OPP, MappingContext(reporting_currency="GBP", rates=RATES))
    assert in_gbp.amount == pytest.approx(920.0 / 0.8 * 0.8)  # GBP has no dated rate: its static one
    with pytest.raises(Unmappable, match="JPY"):
        opportunity(OPP | {"CurrencyIsoCode": "JPY"}, ctx)
    with pytest.raises(ValidationError, match="won but not closed"):
        opportunity(OPP | {"IsClosed": False}, ctx)


def test_calls_tasks_and_events() -> None:
    call = {
        "Id": "00T1",
        "SystemModstamp": T,
        "TaskSubtype": "Call",
        "Type": "Call",
        "IsClosed": True,
        "CreatedDate": "2025-06-01T09:30:00.000+0000",
        "CompletedDateTime": "2025-06-02T00:00:00.000+0000",
        "CallDisposition": "Left Voicemail",
        "CallType": "Outbound",
        "CallDurationInSeconds": 45,
        "WhatId": "0065g000001",
        "WhoId": "00Q5g000001",
        "OwnerId": "005A",
    }
    record = task(call, MappingContext())
    assert (record.kind, record.outcome, record.direction, record.duration_seconds) == (
        "call",
        "voicemail",
        "outbound",
        45,
    )
    assert record.occurred_at == datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
    assert (record.opportunity_id, record.account_id, record.lead_id) == ("0065g000001", None, "00Q5g000001")
    todo = task(
        call | {"TaskSubtype": "Task", "Type": "Other", "IsClosed": False, "ActivityDate": "2025-06-05"},
        MappingContext(),
    )
    assert (todo.kind, todo.completed, todo.outcome) == ("task", False, None)
    assert todo.occurred_at == datetime(2025, 6, 5, tzinfo=UTC)
    meeting = {
        "Id": "00U1",
        "SystemModstamp": T,
        "Type": "Demo",
        "StartDateTime": "2025-06-03T14:00:00.000+0000",
        "EndDateTime": "2025-06-03T14:30:00.000+0000",
        "DurationInMinutes": 30,
        "OwnerId": "005A",
        "WhatId": "0015g000001",
    }
    before = MappingContext(now=datetime(2025, 6, 3, 14, 29, tzinfo=UTC))
    after = MappingContext(now=datetime(2025, 6, 3, 14, 30, tzinfo=UTC))
    assert (event(meeting, before).completed, event(meeting, after).completed) == (False, True)
    assert (event(meeting, after).subtype, event(meeting, after).duration_seconds) == ("Demo", 1800.0)
    assert event(meeting, after).account_id == "0015g000001"


def test_non_sales_users_are_tombstones() -> None:
    rep = {
        "Id": "005000000000002AAA",
        "SystemModstamp": T,
        "Name": "Ann Rep",
        "IsActive": True,
        "UserType": "Standard",
        "CreatedDate": "2024-02-01T00:00:00.000+0000",
        "Profile": {"Name": "Sales"},
        "UserRole": {"Name": "EMEA"},
        "ManagerId": "005M",
    }
    ctx = MappingContext(integration_user_id="005000000000001", excluded_profiles=frozenset({"API Only"}))
    record = user(rep, ctx)
    assert (record.deleted, record.team, record.started_at) == (False, "EMEA", date(2024, 2, 1))
    assert user(rep | {"Id": "005000000000001AAA"}, ctx).deleted  # the integration user itself
    assert user(rep | {"Profile": {"Name": "API Only"}}, ctx).deleted
    assert user(rep | {"UserType": "AutomatedProcess"}, ctx).deleted


def test_quota_covers_a_quarter_in_the_reporting_currency() -> None:
    row = {
        "Id": "0J9A",
        "SystemModstamp": T,
        "QuotaOwnerId": "005A",
        "QuotaAmount": 92.0,
        "CurrencyIsoCode": "EUR",
        "StartDate": "2025-04-01",
    }
    mapped = quota(
        row,
        MappingContext(
            rates=Rates.from_rows([{"iso_code": "USD", "rate": 1.0}, {"iso_code": "EUR", "rate": 0.92}])
        ),
    )
    assert (mapped["period_start"], mapped["period_end"], mapped["owner"]) == (
        date(2025, 4, 1),
        date(2025, 7, 1),
        "005A",
    )
    assert mapped["amount"] == pytest.approx(100.0) and mapped["amount_original"] == 92.0


def test_a_deleted_row_that_never_validated_still_deletes() -> None:
    from connectors.salesforce.extract import normalise
    from connectors.salesforce.streams import BY_NAME

    broken = OPP | {"IsClosed": False, "IsDeleted": True}  # won but open: invalid, and deleted
    records, quarantined = normalise(
        BY_NAME["Opportunity"], [broken, OPP | {"IsClosed": False, "Id": "006Y"}], MappingContext(rates=RATES)
    )
    assert [(r.id, r.deleted) for r in records] == [("006X", True)]
    assert [(q.crm_id, q.reason) for q in quarantined] == [
        ("006Y", "is_won: won but not closed (is_closed is false)")
    ]
