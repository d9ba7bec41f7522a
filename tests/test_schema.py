"""Validation of the shared schema: each CRM quirk is accepted as a clean value or rejected by field."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from kpi_engine.schema import (
    Activity,
    Lead,
    LineItem,
    Opportunity,
    PipelineStage,
    Quota,
    Spend,
    describe_rejection,
)

OPEN_DEAL = {
    "source": "salesforce",
    "id": "006A",
    "modified_at": "2024-03-02T09:00:00Z",
    "stage": "Proposal",
    "created_at": "2024-03-01T10:00:00Z",
    "is_closed": False,
    "is_won": False,
}


def opportunity(**changes: Any) -> Opportunity:
    return Opportunity.model_validate_json(json.dumps(OPEN_DEAL | changes))


def rejection(**changes: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        opportunity(**changes)
    return describe_rejection(caught.value)


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("1,200.50", 1200.50),
        ("$1 200", 1200.0),
        ("1200", 1200.0),
        ("€ 1 234 567.8", 1234567.8),
        ("-$1,000", -1000.0),
        (99, 99.0),
        (12.5, 12.5),
    ],
)
def test_amounts_in_text_become_numbers(sent: object, expected: float) -> None:
    assert opportunity(amount=sent).amount == expected


@pytest.mark.parametrize("sent", ["1.200,50", "1,2", "twelve", "12 34", True, "$"])
def test_ambiguous_or_non_amounts_are_rejected_naming_the_field(sent: object) -> None:
    reason = rejection(amount_original=sent)
    assert reason.startswith("amount_original: not an amount")


def test_line_item_and_quota_numbers_accept_the_same_spellings() -> None:
    item = LineItem.model_validate(
        {
            "source": "hubspot",
            "id": "1",
            "modified_at": "2024-01-01T00:00:00Z",
            "opportunity_id": "9",
            "quantity": "1,000",
            "unit_price": "$2.50",
            "total_price": "2 500",
        }
    )
    assert (item.quantity, item.unit_price, item.total_price) == (1000.0, 2.5, 2500.0)
    quota = Quota.model_validate(
        {"owner": "u1", "period_start": "2024-01-01", "period_end": "2024-03-31", "amount": "50,000"}
    )
    assert quota.amount == 50000.0


def test_datetimes_with_an_offset_are_converted_to_utc() -> None:
    # 10:00 at +02:00 is 08:00 UTC.
    deal = opportunity(modified_at="2024-03-02T10:00:00+02:00")
    assert deal.modified_at == datetime(2024, 3, 2, 8, 0, tzinfo=UTC)
    assert deal.modified_at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("sent", [1709287200000, "1709287200000"])
def test_epoch_milliseconds_are_utc(sent: object) -> None:
    # 1709287200 s = 19783 days (2024-03-01) + 36000 s (10:00) after 1970-01-01.
    assert opportunity(created_at=sent).created_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


def test_a_naive_datetime_is_rejected() -> None:
    reason = rejection(created_at="2024-03-01T10:00:00")
    assert reason.startswith("created_at: no time zone")


def test_a_date_field_takes_the_date_part_of_a_datetime() -> None:
    # The date as written, not moved to UTC (22:00 at -05:00 is 03:00 UTC the next day).
    assert opportunity(close_date="2024-03-31T22:00:00-05:00").close_date == date(2024, 3, 31)
    # HubSpot's midnight-UTC epoch ms: 1711843200000 ms = 19813 days = 2024-03-31.
    assert opportunity(close_date=1711843200000).close_date == date(2024, 3, 31)


def test_a_datetime_field_does_not_take_a_bare_date() -> None:
    # A bare date has no time zone: midnight where?
    assert rejection(created_at="2024-03-01").startswith("created_at: no time zone")


def test_a_closed_deal_needs_a_close_date() -> None:
    assert rejection(is_closed=True) == "close_date: closed deal without a close date"


def test_a_won_deal_must_be_closed() -> None:
    assert rejection(is_won=True, close_date="2024-03-05").startswith("is_won: won but not closed")


def test_close_date_before_creation_is_rejected_beyond_one_day() -> None:
    # Created 2024-03-01 (UTC): closing on 2024-02-29 is within the day of time-zone slack ...
    assert opportunity(is_closed=True, close_date="2024-02-29").close_date == date(2024, 2, 29)
    # ... 2024-02-28 is not.
    reason = rejection(is_closed=True, close_date="2024-02-28")
    assert reason == "close_date: close date 2024-02-28 is before the creation date 2024-03-01"


@pytest.mark.parametrize(
    ("sent", "expected"), [(0.4, 0.4), (40, 0.4), ("75", 0.75), (100, 1.0), (1, 1.0), (0, 0.0)]
)
def test_probability_percent_becomes_a_fraction(sent: object, expected: float) -> None:
    assert opportunity(probability=sent).probability == pytest.approx(expected)


@pytest.mark.parametrize("sent", [-0.1, 101, 250])
def test_probability_outside_0_to_100_is_rejected(sent: float) -> None:
    assert rejection(probability=sent).startswith("probability: probability")


def test_stage_probability_follows_the_same_rule() -> None:
    stage = PipelineStage.model_validate(
        {
            "source": "hubspot",
            "id": "s",
            "modified_at": 0,
            "stage": "won",
            "order": 1,
            "probability": 90,
            "is_closed": True,
            "is_won": True,
        }
    )
    assert stage.probability == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("field", "sent", "expected"),
    [
        ("forecast_category", "Best Case", "best_case"),
        ("forecast_category", "BestCase", "best_case"),
        ("forecast_category", "best-case", "best_case"),
        ("forecast_category", "OMIT", "omitted"),
        ("type", "New Business", "new_business"),
        ("type", "", "other"),
        ("source", "HubSpot", "hubspot"),
    ],
)
def test_enum_spellings_are_normalised(field: str, sent: str, expected: str) -> None:
    assert getattr(opportunity(**{field: sent}), field) == expected


def test_activity_enums_are_normalised() -> None:
    call = Activity.model_validate(
        {
            "source": "salesforce",
            "id": "a",
            "modified_at": "2024-01-01T00:00:00Z",
            "kind": "Call",
            "occurred_at": "2024-01-01T00:00:00Z",
            "outcome": "No Answer",
            "direction": "OUTBOUND",
        }
    )
    assert (call.kind, call.outcome, call.direction) == ("call", "no_answer", "outbound")


def test_unknown_enum_values_are_rejected_with_the_allowed_list() -> None:
    reason = rejection(forecast_category="Maybe")
    assert (
        reason
        == "forecast_category: unknown value 'Maybe'; allowed: pipeline, best_case, commit, closed, omitted"
    )
    assert rejection(type="Upsell").startswith("type: unknown value 'Upsell'; allowed: new_business")


def test_every_bad_field_is_named_in_one_line() -> None:
    reason = rejection(amount="lots", probability=500, currency=None, stage=None)
    assert "\n" not in reason
    for field in ("amount:", "probability:", "stage:"):
        assert field in reason


LEAD = {"id": "00Q1", "modified_at": "2024-01-01T00:00:00Z", "created_at": "2024-01-01T00:00:00Z"}


def test_a_lead_with_a_crm_source_keeps_its_lead_source() -> None:
    lead = Lead.model_validate(LEAD | {"source": "salesforce", "lead_source": "Web"})
    assert (lead.source, lead.lead_source) == ("salesforce", "Web")


def test_a_lead_source_text_in_source_moves_to_lead_source_with_the_crm_key() -> None:
    lead = Lead.model_validate(LEAD | {"source": "Partner Referral", "crm": "hubspot"})
    assert (lead.source, lead.lead_source) == ("hubspot", "Partner Referral")


def test_a_lead_source_text_takes_the_crm_from_the_context_default() -> None:
    lead = Lead.model_validate(LEAD | {"source": "Web"}, context={"default_source": "salesforce"})
    assert (lead.source, lead.lead_source) == ("salesforce", "Web")


def test_an_explicit_lead_source_is_not_overwritten() -> None:
    lead = Lead.model_validate(LEAD | {"source": "Web", "lead_source": "Webinar", "crm": "hubspot"})
    assert lead.lead_source == "Webinar"


def test_a_lead_without_any_crm_is_rejected_with_how_to_write_it() -> None:
    with pytest.raises(ValidationError) as caught:
        Lead.model_validate(LEAD | {"source": "Web"})
    reason = describe_rejection(caught.value)
    assert reason.startswith("source: source 'Web' is not a CRM")
    assert "lead_source" in reason and "`crm`" in reason


def test_not_json_and_not_an_object_are_described() -> None:
    with pytest.raises(ValidationError) as caught:
        Opportunity.model_validate_json("{not json")
    assert describe_rejection(caught.value).startswith("not valid JSON")
    with pytest.raises(ValidationError) as caught:
        Opportunity.model_validate_json("[1, 2]")
    assert describe_rejection(caught.value) == "not a JSON object"


def test_a_missing_field_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        Opportunity.model_validate({k: v for k, v in OPEN_DEAL.items() if k != "stage"})
    assert describe_rejection(caught.value) == "stage: missing"


def test_a_quota_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValidationError) as caught:
        Quota.model_validate(
            {"owner": "u", "period_start": "2024-03-01", "period_end": "2024-01-31", "amount": 1}
        )
    assert describe_rejection(caught.value).startswith("period_end: period_end 2024-01-31 is before")


def test_docs_hold_the_record_tables_generated_from_the_models() -> None:
    from pathlib import Path

    from kpi_engine.schema_docs import record_tables_markdown

    page = (Path(__file__).parent.parent / "docs" / "schema.md").read_text(encoding="utf-8")
    assert record_tables_markdown() in page, "docs/schema.md is stale: python -m kpi_engine.schema_docs"


def test_a_month_aligned_period_end_written_inclusively_becomes_exclusive() -> None:
    # 2024-01-01..2024-03-31 can only mean "Q1, March 31 included": stored as the exclusive end April 1.
    quarter = Quota(owner="u1", period_start="2024-01-01", period_end="2024-03-31", amount=910)
    assert quarter.period_end == date(2024, 4, 1)
    # Already exclusive, or not month-aligned: left as written.
    assert Quota(owner="u1", period_start="2024-01-01", period_end="2024-04-01", amount=1).period_end == date(
        2024, 4, 1
    )
    assert Spend(period_start="2024-01-15", period_end="2024-02-29", amount=1).period_end == date(2024, 2, 29)
    assert Spend(period_start="2024-02-01", period_end="2024-02-29", amount=1).period_end == date(2024, 3, 1)
