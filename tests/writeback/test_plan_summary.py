"""The plan as data (`summary`) and as `sync --dry-run` prints it (`render_plan`)."""

from __future__ import annotations

import json
from datetime import date

from rich.console import Console
from values_factory import COMPUTED_AT, entry, frame, row

from sync.writeback.plan_view import render_plan
from sync.writeback.planner import PlanContext, plan_writes
from sync.writeback.targets import FieldTarget, SnapshotTarget, WritebackSettings

SETTINGS = WritebackSettings(
    snapshots=(SnapshotTarget(kpis=("bookings",), scopes=("org", "rep"), grains=("quarter",), periods=1),),
    fields=(FieldTarget(object="opportunity", kpis=("days_open",)),),
    max_first_sync_records=2,
)
VALUES = frame(
    row("bookings", "org", "acme-sf", 1500.0, unit="currency"),
    row("bookings", "rep", "005A", 1000.0, unit="currency"),
    row("bookings", "rep", "005B", 500.0, unit="currency"),
    row("days_open", "opportunity", "006A", 12.0, grain="to_date", start=date(2025, 5, 20), unit="days"),
)
CONTEXT = PlanContext("acme-sf", "salesforce", COMPUTED_AT)


def test_the_summary_counts_creates_updates_and_unchanged_per_target() -> None:
    ledger = {
        "bookings|org|acme-sf|quarter|2025-04-01": entry(
            "bookings|org|acme-sf|quarter|2025-04-01",
            {"value": 1200.0, "numerator": None, "denominator": None},
        ),
        "bookings|rep|005B|quarter|2025-04-01": entry(
            "bookings|rep|005B|quarter|2025-04-01", {"value": 500.0, "numerator": None, "denominator": None}
        ),
    }
    summary = plan_writes(VALUES, ledger, [], SETTINGS, CONTEXT).summary(samples=5)
    data = summary.as_dict()
    assert [
        (t["target"], t["creates"], t["updates"], t["unchanged"], t["retries"]) for t in data["targets"]
    ] == [("snapshot", 1, 1, 1, 0), ("opportunity", 0, 1, 0, 0)]
    assert data["records_to_create"] == 1 and data["storage_bytes"] == 2048
    assert json.loads(json.dumps(data)) == data  # what --log-format json emits
    assert data["targets"][0]["samples"] == [
        {"key": "bookings|rep|005A|quarter|2025-04-01", "value": 1000.0, "was": None, "unit": "currency"},
        {
            "key": "bookings|org|acme-sf|quarter|2025-04-01",
            "value": 1500.0,
            "was": 1200.0,
            "unit": "currency",
        },
    ]
    assert data["targets"][1]["samples"] == [
        {"key": "opportunity:006A", "days_open": {"value": 12.0, "was": None}}
    ]


def test_the_dry_run_picture_names_targets_counts_samples_and_a_refusal() -> None:
    console = Console(record=True, width=120)
    console.print(render_plan(plan_writes(VALUES, {}, [], SETTINGS, CONTEXT).summary()))
    text = console.export_text()
    assert "Write-back plan for acme-sf (salesforce) (first sync)" in text
    assert "KPI snapshot records" in text and "opportunity fields" in text
    assert "bookings|rep|005A|quarter|2025-04-01" in text and "1,000" in text
    assert "3 records to create, about 6 KB of CRM data storage." in text
    assert (
        "Refused: the first sync of 'acme-sf' would create 3 snapshot records (about 6 KB of Salesforce"
        in text
    )


def test_storage_reads_in_kb_mb_and_gb() -> None:
    from sync.writeback.plan import describe_storage

    assert describe_storage(2048) == "2 KB"
    assert describe_storage(1024**2 - 1) == "1,024 KB"
    assert describe_storage(1024**2) == "1.0 MB"
    assert describe_storage(40_000 * 2048) == "78.1 MB"
    assert describe_storage(1024**3) == "1.0 GB"
