"""Links from the data-quality section to the record in its CRM."""

import pytest

from sync.report import ReportInstance, record_url

SF = ReportInstance("acme-sf", "salesforce", web_url="https://acme.my.salesforce.com/")
HS = ReportInstance("acme-hs", "hubspot", portal_id="4711")
SF_OPPORTUNITY = "0065g000000MO8bAAG"


@pytest.mark.parametrize(
    ("table", "crm_id", "sobject"),
    [
        ("opportunities", SF_OPPORTUNITY, "Opportunity"),
        ("accounts", "0015g0000035YAfAAM", "Account"),
        ("users", "0055g000001VBZgAAO", "User"),
        ("leads", "00Q5g000001abcdEAA", "Lead"),
        ("line_items", "00k5g000001abcdEAA", "OpportunityLineItem"),
        # Activities are Tasks or Events: the id's key prefix says which.
        ("activities", "00T5g00001OfK9EAK", None),  # 17 characters: no Salesforce id, no link
        ("activities", "00T5g000001OfK9EAK", "Task"),
        ("activities", "00U5g000001wz3WEAQ", "Event"),
    ],
)
def test_salesforce_links_open_the_lightning_record_page(
    table: str, crm_id: str, sobject: str | None
) -> None:
    expected = (
        None if sobject is None else f"https://acme.my.salesforce.com/lightning/r/{sobject}/{crm_id}/view"
    )
    assert record_url(SF, table, crm_id) == expected


def test_salesforce_15_character_ids_and_an_explicit_object() -> None:
    assert (
        record_url(SF, "snapshots", "a015g00000AbCdE", "KPI_Snapshot__c")
        == "https://acme.my.salesforce.com/lightning/r/KPI_Snapshot__c/a015g00000AbCdE/view"
    )


@pytest.mark.parametrize(
    ("instance", "table", "crm_id", "crm_object"),
    [
        (SF, "activities", "0025g000001abcdEAA", None),  # a Note: neither Task nor Event
        (SF, "quotas", SF_OPPORTUNITY, None),  # no CRM record
        (SF, "opportunities", "006 5g000000MO8bAA", None),  # not an id
        (SF, "opportunities", SF_OPPORTUNITY, "Opportunity/../../x"),  # not an object name
        (SF, "opportunities", None, None),
        (ReportInstance("no-url", "salesforce"), "opportunities", SF_OPPORTUNITY, None),
        (HS, "users", "10000000001", None),  # owners have no record page
        (HS, "deals", "12ab", None),
        (ReportInstance("no-portal", "hubspot"), "deals", "10000000001", None),
    ],
)
def test_no_link_rather_than_a_wrong_one(
    instance: ReportInstance, table: str, crm_id: str | None, crm_object: str | None
) -> None:
    assert record_url(instance, table, crm_id, crm_object) is None


@pytest.mark.parametrize(
    ("table", "crm_object", "type_id"),
    [
        ("opportunities", None, "0-3"),
        ("accounts", None, "0-2"),
        ("leads", None, "0-1"),
        ("line_items", None, "0-8"),
        ("activities", "calls", "0-48"),
        ("activities", "emails", "0-49"),
        ("activities", "meetings", "0-47"),
        ("activities", "tasks", "0-27"),
        ("activities", "notes", "0-46"),
        ("snapshots", "2-3456789", "2-3456789"),  # the kpi_snapshot custom object's objectTypeId
    ],
)
def test_hubspot_links_open_the_record_under_the_portal(
    table: str, crm_object: str | None, type_id: str
) -> None:
    assert (
        record_url(HS, table, "10000000042", crm_object)
        == f"https://app.hubspot.com/contacts/4711/record/{type_id}/10000000042"
    )


def test_hubspot_activities_without_their_object_get_no_link_and_eu_portals_their_host() -> None:
    assert record_url(HS, "activities", "10000000042") is None
    eu = ReportInstance("eu", "hubspot", web_url="https://app-eu1.hubspot.com", portal_id="99")
    assert record_url(eu, "deals", "7") == "https://app-eu1.hubspot.com/contacts/99/record/0-3/7"
