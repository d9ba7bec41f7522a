"""`Store.export`: the files of `compute --input`, loading back to what the store holds (deleted left out)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from polars.testing import assert_frame_equal
from records_factory import account, activity, batch, opportunity, user

from kpi_engine.loading import load_dataset
from kpi_engine.schema import Lead, LineItem, PipelineStage, StageChange
from sync.store import Store

T = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _fill(store: Store) -> None:
    store.save_batch(
        "acme",
        batch(
            "users",
            [user("005A"), user("005B", active=False, ended_at=date(2025, 2, 1)), user("005Z", deleted=True)],
        ),
    )
    store.save_batch("acme", batch("accounts", [account("001A"), account("001B", industry="Retail")]))
    store.save_batch(
        "acme",
        batch(
            "leads",
            [
                Lead(
                    source="salesforce",
                    id="00QA",
                    modified_at=T,
                    owner_id="005A",
                    created_at=T,
                    lead_source="Web",
                    status="Converted",
                    converted_at=T,
                    converted_account_id="001A",
                )
            ],
        ),
    )
    store.save_batch(
        "acme",
        batch(
            "opportunities",
            [
                opportunity("006A"),
                opportunity(
                    "006B",
                    stage="Prospecting",
                    is_closed=False,
                    is_won=False,
                    close_date=date(2025, 6, 30),
                    amount=None,
                    probability=0.1,
                    forecast_category="pipeline",
                    contract_months=None,
                ),
                opportunity("006C", deleted=True),
            ],
        ),
    )
    store.save_batch(
        "acme",
        batch(
            "stage_changes",
            [
                StageChange(
                    source="salesforce",
                    id="008A",
                    modified_at=T,
                    opportunity_id="006B",
                    stage="Prospecting",
                    entered_at=T,
                )
            ],
        ),
    )
    store.save_batch(
        "acme",
        batch(
            "stages",
            [
                PipelineStage(
                    source="salesforce",
                    id="01JA",
                    modified_at=T,
                    stage="Prospecting",
                    order=1,
                    probability=0.1,
                    is_closed=False,
                    is_won=False,
                )
            ],
        ),
    )
    store.save_batch(
        "acme",
        batch(
            "activities",
            [
                activity("00TA", outcome="connected", direction="outbound"),
                activity("00UA", kind="email", opened=True),
            ],
        ),
    )
    store.save_batch(
        "acme",
        batch(
            "line_items",
            [
                LineItem(
                    source="salesforce",
                    id="00kA",
                    modified_at=T,
                    opportunity_id="006A",
                    quantity=2,
                    unit_price=600.25,
                    total_price=1200.5,
                )
            ],
        ),
    )
    store.save_batch(
        "acme",
        batch(
            "quotas",
            [
                {
                    "id": "0J9A",
                    "owner": "005A",
                    "period_start": "2025-01-01",
                    "period_end": "2025-04-01",
                    "amount": 9e4,
                },
                {
                    "id": "0J9B",
                    "owner": "005B",
                    "period_start": "2025-01-01",
                    "period_end": "2025-04-01",
                    "amount": 1,
                    "deleted": True,
                },
            ],
        ),
    )


def test_exported_files_load_back_equal_to_the_stored_records(store: Store, tmp_path: Path) -> None:
    _fill(store)
    written = store.export("acme", tmp_path)
    assert written == {
        "users.jsonl": 2,
        "accounts.jsonl": 2,
        "leads.jsonl": 1,
        "opportunities.jsonl": 2,
        "stage_changes.jsonl": 1,
        "stages.jsonl": 1,
        "activities.jsonl": 2,
        "line_items.jsonl": 1,
        "quotas.csv": 1,
    }
    loaded = load_dataset(tmp_path, org_id="acme")
    assert loaded.quarantined == []
    stored = store.dataset("acme")
    for table, frame in stored.tables().items():
        live = frame.filter(~frame["deleted"]) if "deleted" in frame.columns else frame
        assert_frame_equal(loaded.dataset.tables()[table], live, check_row_order=False)


def test_an_instance_with_nothing_stored_exports_empty_files(store: Store, tmp_path: Path) -> None:
    written = store.export("nobody", tmp_path / "out")
    assert set(written.values()) == {0}
    assert (tmp_path / "out" / "opportunities.jsonl").read_text() == ""
