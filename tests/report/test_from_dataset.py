"""What the report takes from a dataset besides the values: rep names, the stage order, quarantine rows."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kpi_engine.config import KpiConfig
from kpi_engine.dataset import Dataset
from kpi_engine.loading import QuarantinedRecord, load_dataset
from kpi_engine.schema import PipelineStage, User
from sandbox.generator import generate_org
from sync.report import (
    QuarantineRow,
    ReportInstance,
    ReportQuality,
    quarantine_rows,
    report_from_datasets,
    scope_names,
    stage_order,
)
from sync.report.sections import period_label

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def stage(pipeline: str, name: str, order: int, closed: bool = False, deleted: bool = False) -> PipelineStage:
    return PipelineStage(
        source="hubspot",
        id=f"{pipeline}-{name}",
        modified_at=NOW,
        pipeline=pipeline,
        stage=name,
        order=order,
        is_closed=closed,
        is_won=False,
        deleted=deleted,
    )


def test_stage_order_lists_open_stages_once_in_pipeline_order() -> None:
    dataset = Dataset.from_records(
        stages=[
            stage("renewals", "Qualified", 1),
            stage("new", "Demo", 2),
            stage("new", "Qualified", 1),
            stage("new", "Won", 9, closed=True),
            stage("new", "Old stage", 0, deleted=True),
            stage("renewals", "Contract", 3),
        ]
    )
    assert stage_order(dataset) == ("Qualified", "Demo", "Contract")


def test_scope_names_map_user_ids_to_names() -> None:
    dataset = Dataset.from_records(
        users=[
            User(source="salesforce", id="005A", modified_at=NOW, name="Ann Lee"),
            User(source="salesforce", id="005B", modified_at=NOW, name="Bo"),
        ]
    )
    assert scope_names(dataset) == {"005A": "Ann Lee", "005B": "Bo"}


def test_quarantine_rows_name_the_table_file_and_line() -> None:
    loaded = [
        QuarantinedRecord("opportunities.jsonl", 7, "006X", "amount: not an amount", "{}"),
        QuarantinedRecord("quotas.csv", 3, None, "amount: missing", "a,b"),
    ]
    assert quarantine_rows("acme", loaded) == [
        QuarantineRow("acme", "opportunities", "006X", "opportunities.jsonl line 7: amount: not an amount"),
        QuarantineRow("acme", "quotas", None, "quotas.csv line 3: amount: missing"),
    ]


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        (date(2026, 7, 1), date(2026, 8, 1), "Jul 2026"),
        (date(2026, 12, 1), date(2027, 1, 1), "Dec 2026"),  # a month ending on New Year's Day
        (date(2026, 7, 1), date(2026, 10, 1), "Jul–Sep 2026"),
        (date(2026, 11, 1), date(2027, 2, 1), "Nov 2026–Jan 2027"),  # a fiscal quarter across the year end
        (date(2026, 2, 1), date(2027, 2, 1), "Feb 2026–Jan 2027"),  # a fiscal year starting in February
    ],
)
def test_period_labels(start: date, end: date, label: str) -> None:
    assert period_label(start, end) == label


def test_report_from_two_datasets_gives_each_instance_its_part(tmp_path: Path) -> None:
    as_of = date(2026, 11, 30)
    parts = []
    for source in ("salesforce", "hubspot"):
        generate_org("tiny", seed=2, as_of=as_of, source=source).write_jsonl(tmp_path / source)
        parts.append(load_dataset(tmp_path / source).dataset)
    salesforce, hubspot = parts
    quality = ReportQuality(
        [QuarantineRow("acme-hs", "opportunities", "10000000001", "amount: not an amount")]
    )
    page = report_from_datasets(
        [
            (ReportInstance("acme-sf", "salesforce", web_url="https://acme.my.salesforce.com"), salesforce),
            (ReportInstance("acme-hs", "hubspot", portal_id="4711", names={"x": "y"}), hubspot),
        ],
        quality,
        KpiConfig(),
        title="Both",
        as_of=as_of,
    )
    assert page.count('data-chart="acme-sf/') == page.count('data-chart="acme-hs/') == 9
    # Reps are named from their instance's own users: names shown, ids never.
    activity = page.split('data-chart="acme-hs/activity"')[1].split("</figure>")[0]
    assert any(f">{name}<" in activity for name in hubspot.users["name"].to_list())
    assert not any(user_id in activity for user_id in hubspot.users["id"].to_list())
    assert "/contacts/4711/record/0-3/10000000001" in page
