"""The mappers on records written by hand in each form HubSpot documents: dates as ISO text or epoch
milliseconds, ids as strings or numbers, null amounts; bad records raise with a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from connectors.hubspot.context import MappingContext, StageInfo
from connectors.hubspot.mapping import Unmappable, map_contact, map_deal, map_goal_target, map_owner
from connectors.hubspot.mapping_activities import map_call, map_email, map_meeting, map_task
from connectors.hubspot.values import day, ident, instant, number

CTX = MappingContext(
    reporting_currency="USD",
    stages={
        ("default", "s1"): StageInfo("default", "s1", "Discovery", 0, 0.2, False, False),
        ("default", "closedwon"): StageInfo("default", "closedwon", "Closed Won", 1, 1.0, True, True),
    },
    owner_of_user={"9001": "101"},
)
JULY_24 = datetime(2024, 7, 24, 17, 52, 0, 909000, tzinfo=UTC)


def record(props: dict, **top) -> dict:
    return {
        "id": "42",
        "properties": props,
        "createdAt": "2024-07-01T00:00:00.000Z",
        "updatedAt": "2024-07-25T00:00:00.000Z",
        "archived": False,
        **top,
    }


@pytest.mark.parametrize(
    "raw", ["2024-07-24T17:52:00.909Z", "1721843520909", "2024-07-24T19:52:00.909+02:00"]
)
def test_a_datetime_in_every_documented_form(raw):
    assert instant(raw) == JULY_24


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2024-07-24", date(2024, 7, 24)),
        ("1721779200000", date(2024, 7, 24)),
        ("2024-07-24T00:00:00Z", date(2024, 7, 24)),
        ("", None),
        (None, None),
    ],
)
def test_a_date_in_every_documented_form(raw, expected):
    assert day(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [("123", "123"), (123, "123"), (123.0, "123"), ("123.0", "123"), ("", None), (None, None)],
)
def test_an_id_as_string_or_number(raw, expected):
    assert ident(raw) == expected


@pytest.mark.parametrize(
    "raw, expected", [("1200.5", 1200.5), (7, 7.0), ("", None), (None, None), ("n/a", None)]
)
def test_a_number_or_nothing(raw, expected):
    assert number(raw) == expected


def deal(**props) -> dict:
    base = {
        "dealname": "D",
        "pipeline": "default",
        "dealstage": "s1",
        "createdate": "1719792000000",
        "hs_lastmodifieddate": "2024-07-25T00:00:00Z",
    }
    return record({**base, **props}, associations={"companies": ["7"]})


def test_a_deal_with_a_null_amount_and_epoch_dates():
    opp, *changes = map_deal(
        deal(amount=None, closedate="1722470400000", hs_v2_date_entered_s1="1719792000000"), CTX
    )
    assert (opp.amount, opp.amount_original, opp.currency) == (None, None, "USD")
    assert (opp.stage, opp.probability, opp.is_closed, opp.account_id) == ("Discovery", 0.2, False, "7")
    assert opp.close_date == date(2024, 8, 1) and opp.created_at == datetime(2024, 7, 1, tzinfo=UTC)
    assert [(c.stage, c.entered_at) for c in changes] == [("Discovery", datetime(2024, 7, 1, tzinfo=UTC))]


def test_a_foreign_currency_deal_takes_hubspots_home_currency_amount():
    opp = map_deal(deal(amount="920", deal_currency_code="EUR", amount_in_home_currency="1000"), CTX)[0]
    assert (opp.amount, opp.amount_original, opp.currency) == (1000.0, 920.0, "EUR")


def test_a_foreign_amount_hubspot_did_not_convert_is_refused_with_the_reason():
    with pytest.raises(Unmappable, match="920.0 EUR cannot be converted to USD"):
        map_deal(deal(amount="920", deal_currency_code="EUR"), CTX)


def test_stage_flags_come_from_the_pipeline_when_hubspot_sent_none():
    opp = map_deal(deal(dealstage="closedwon", closedate="2024-07-30"), CTX)[0]
    assert (opp.is_closed, opp.is_won, opp.probability, opp.stage) == (True, True, 1.0, "Closed Won")


def test_deal_types():
    kinds = [
        map_deal(deal(**p), CTX)[0].type
        for p in (
            {"dealtype": "newbusiness"},
            {"dealtype": "existingbusiness"},
            {"dealtype": "existingbusiness", "hs_deal_renewal_type": "renewal"},
            {},
        )
    ]
    assert kinds == ["new_business", "expansion", "renewal", "other"]


def test_a_closed_deal_without_close_date_fails_validation_naming_the_field():
    with pytest.raises(ValidationError, match="close_date"):
        map_deal(deal(hs_is_closed="true", hs_is_closed_won="false"), CTX)


def test_a_contact_converted_at_its_earliest_conversion_date():
    lead = map_contact(
        record(
            {
                "createdate": "2024-07-01T00:00:00Z",
                "hs_analytics_source": "PAID_SEARCH",
                "hs_lifecyclestage_customer_date": "1722470400000",
                "hs_lifecyclestage_opportunity_date": "2024-07-20T00:00:00Z",
                "associatedcompanyid": 7,
            },
            associations={"deals": ["9", "11"]},
        ),
        CTX,
    )
    assert (
        lead.converted_at,
        lead.converted_account_id,
        lead.converted_opportunity_id,
        lead.lead_source,
    ) == (datetime(2024, 7, 20, tzinfo=UTC), "7", "9", "Paid Search")


def test_an_unconverted_contact_names_no_conversion():
    lead = map_contact(record({"createdate": "2024-07-01T00:00:00Z", "associatedcompanyid": "7"}), CTX)
    assert (lead.converted_at, lead.converted_account_id, lead.converted_opportunity_id) == (None, None, None)


def test_engagements():
    call = map_call(
        record(
            {
                "hs_timestamp": "1721843520909",
                "hs_call_duration": "95500",
                "hs_call_disposition": "b2cf5968-551e-4856-9783-52b3da59a7d0",
                "hs_call_direction": "INBOUND",
                "hs_call_status": "COMPLETED",
            }
        ),
        CTX,
    )
    assert (call.occurred_at, call.duration_seconds, call.outcome, call.direction, call.completed) == (
        JULY_24,
        95.5,
        "voicemail",
        "inbound",
        True,
    )
    email = map_email(
        record(
            {
                "hs_timestamp": "2024-07-24T17:52:00.909Z",
                "hs_email_direction": "INCOMING_EMAIL",
                "hs_email_open_count": "0",
            }
        ),
        CTX,
    )
    assert (email.direction, email.opened) == ("inbound", False)
    meeting = map_meeting(
        record(
            {
                "hs_timestamp": "2024-07-24T17:52:00.909Z",
                "hs_meeting_outcome": "NO_SHOW",
                "hs_meeting_start_time": "2024-07-24T17:00:00Z",
                "hs_meeting_end_time": "2024-07-24T17:45:00Z",
                "hs_activity_type": "Demo",
            }
        ),
        CTX,
    )
    assert (meeting.duration_seconds, meeting.completed, meeting.subtype) == (2700.0, False, "Demo")
    task = map_task(record({"hs_timestamp": "1721843520909", "hs_task_status": "NOT_STARTED"}), CTX)
    assert (task.kind, task.completed, task.duration_seconds) == ("task", False, None)


def test_an_archived_record_is_a_tombstone_modified_when_archived():
    gone = map_call(
        record({"hs_timestamp": "1721843520909"}, archived=True, archivedAt="2024-08-01T00:00:00Z"), CTX
    )
    assert (gone.deleted, gone.modified_at) == (True, datetime(2024, 8, 1, tzinfo=UTC))


def test_an_archived_owner_is_an_inactive_user_not_a_deleted_one():
    user = map_owner(
        {
            "id": 101,
            "email": "a@x.io",
            "firstName": "Ann",
            "lastName": "Lee",
            "archived": True,
            "createdAt": "2021-01-04T09:00:00Z",
            "updatedAt": "2024-03-01T12:00:00Z",
            "teams": [
                {"id": "1", "name": "West", "primary": False},
                {"id": "2", "name": "East", "primary": True},
            ],
        },
        CTX,
    )
    assert (user.id, user.name, user.active, user.deleted, user.team, user.started_at, user.ended_at) == (
        "101",
        "Ann Lee",
        False,
        False,
        "East",
        date(2021, 1, 4),
        date(2024, 3, 1),
    )


def test_a_goal_target_is_a_quota_with_an_exclusive_end():
    quota = map_goal_target(
        record(
            {
                "hs_assignee_user_id": "9001",
                "hs_target_amount": "50000",
                "hs_start_datetime": "2024-04-01T00:00:00.000Z",
                "hs_end_datetime": "2024-06-30T23:59:59.999Z",
            }
        ),
        CTX,
    )
    assert (quota["owner"], quota["period_start"], quota["period_end"], quota["amount"]) == (
        "101",
        date(2024, 4, 1),
        date(2024, 7, 1),
        50000.0,
    )
    with pytest.raises(Unmappable, match="assignee user 1 is no owner"):
        map_goal_target(
            record({"hs_assignee_user_id": 1, "hs_start_datetime": "1", "hs_end_datetime": "2"}), CTX
        )
