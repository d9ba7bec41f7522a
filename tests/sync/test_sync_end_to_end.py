"""A sync against each sandbox CRM, through the real client libraries: what it writes, what it reads back,
and that a second run with nothing changed writes nothing."""

from __future__ import annotations

import math

import pytest
from sync_sandboxes import AS_OF, SandboxFactory, instance_for, settings_for, write_calls

from connectors.base import CurrentValue
from sync.connections import open_connector
from sync.install import install_instance
from sync.pipeline import RunOptions
from sync.runner import sync_instance
from sync.store.store import Store

OPTIONS = RunOptions(as_of=AS_OF)


def crm_snapshots(instance) -> dict[str, CurrentValue]:  # type: ignore[no-untyped-def]
    connector = open_connector(instance)
    try:
        return {value.key: value for value in connector.read_snapshots(None)}
    finally:
        connector.close()


def same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_first_sync_writes_the_plan_and_the_crm_holds_exactly_the_ledger(
    sandboxes: SandboxFactory, store_url: str, crm: str
) -> None:
    with sandboxes.start(crm) as sb, Store.open(store_url) as store:
        instance = instance_for(sb)
        settings = settings_for(store_url, instance)
        assert install_instance(settings, instance, dry_run=False).error is None
        sb.ledger.reset()
        report = sync_instance(instance, settings, store, OPTIONS)
        assert report.status == "ok", report.message
        assert report.plan is not None and report.plan.first_sync
        planned = len(report.plan.creates) + len(report.plan.updates) + len(report.plan.field_writes)
        assert report.written == planned and report.rejected == 0
        batch = 200 if crm == "salesforce" else 100
        snapshots = len(report.plan.creates)
        fields_by_object: dict[str, int] = {}
        for write in report.plan.field_writes:
            fields_by_object[write.object] = fields_by_object.get(write.object, 0) + 1
        # Full batches: ceil(changed / batch) calls. Salesforce's collections update mixes objects
        # in one call;
        # HubSpot's batch update is per object type.
        if crm == "salesforce":
            field_calls = -(-sum(fields_by_object.values()) // batch)
        else:
            field_calls = sum(-(-n // batch) for n in fields_by_object.values())
        expected_calls = -(-snapshots // batch) + field_calls
        assert write_calls(sb) == expected_calls

        in_crm = crm_snapshots(instance)
        ledger = store.ledger(instance.name)
        assert len(in_crm) == snapshots  # one record per key: nothing duplicated
        for key, value in in_crm.items():
            written = ledger[key].written
            assert written is not None
            for name in ("value", "numerator", "denominator"):
                assert same(value.values[name], written[name]), (key, name)


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_a_sync_with_nothing_changed_writes_nothing(
    sandboxes: SandboxFactory, store_url: str, crm: str
) -> None:
    with sandboxes.start(crm) as sb, Store.open(store_url) as store:
        instance = instance_for(sb)
        settings = settings_for(store_url, instance)
        install_instance(settings, instance, dry_run=False)
        first = sync_instance(instance, settings, store, OPTIONS)
        assert first.status == "ok" and first.written > 0
        # The first run's field writes touched deals and accounts; the second reads them back, finds
        # them equal.
        second = sync_instance(instance, settings, store, OPTIONS)
        assert second.status == "ok" and second.written == 0
        sb.ledger.reset()
        third = sync_instance(instance, settings, store, OPTIONS)
        assert third.status == "ok"
        assert third.written == 0 and write_calls(sb) == 0
        assert third.plan is not None and third.plan.is_empty


def test_a_field_a_rep_overwrote_is_set_right_again(sandboxes: SandboxFactory, store_url: str) -> None:
    with sandboxes.start("salesforce") as sb, Store.open(store_url) as store:
        instance = instance_for(sb)
        settings = settings_for(store_url, instance)
        install_instance(settings, instance, dry_run=False)
        first = sync_instance(instance, settings, store, OPTIONS)
        assert first.plan is not None
        target = next(
            w for w in first.plan.field_writes if w.object == "opportunity" and "days_open" in w.values
        )
        connector = open_connector(instance)
        try:
            connector.client.sf.Opportunity.update(target.record_id, {"CRMKPI_days_open__c": 9999})  # type: ignore[attr-defined]
        finally:
            connector.close()
        sb.ledger.reset()
        second = sync_instance(instance, settings, store, OPTIONS)
        assert second.plan is not None
        rewritten = [w for w in second.plan.field_writes if w.record_id == target.record_id]
        assert [w.values for w in rewritten] == [{"days_open": target.values["days_open"]}]
        assert second.written == len(second.plan.field_writes) + len(second.plan.snapshot_writes)
        connector = open_connector(instance)
        try:
            current = {v.key: v.values for v in connector.read_fields("opportunity", ["days_open"], None)}
        finally:
            connector.close()
        assert current[target.key]["days_open"] == target.values["days_open"]
