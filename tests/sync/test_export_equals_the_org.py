"""`crm-kpi export` of a synced sandbox holds the generator's org record for record: every record the CRM
keeps, with the values it keeps (docs/sync.md lists what a CRM cannot represent and why)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from sync_sandboxes import AS_OF, SandboxFactory, instance_for, settings_for
from typer.testing import CliRunner

from kpi_engine.loading import load_dataset
from sandbox.generator import generate_org
from sync.cli import app
from sync.demo import settings_toml
from sync.pipeline import RunOptions
from sync.runner import sync_instance
from sync.store.store import Store

# Tables whose ids the CRM keeps as the generator made them. Salesforce has no notes among its
# activities; HubSpot derives stage ids and stage-history rows itself.
SAME_IDS = {
    "salesforce": (
        "users",
        "accounts",
        "leads",
        "opportunities",
        "stage_changes",
        "stages",
        "line_items",
    ),
    "hubspot": ("users", "accounts", "leads", "opportunities", "activities", "line_items"),
}
OPPORTUNITY_FIELDS = ("stage", "close_date", "is_won", "is_closed", "owner_id", "account_id", "type")


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_export_of_a_synced_sandbox_equals_the_generated_org(
    sandboxes: SandboxFactory, tmp_path: Path, crm: str
) -> None:
    org = generate_org("tiny", 7, AS_OF, crm)
    org.write_jsonl(tmp_path / "org")
    generated = load_dataset(tmp_path / "org").dataset.tables()
    with sandboxes.start(crm) as sb:
        instance = instance_for(sb)
        url = f"sqlite:///{tmp_path / 'crm-kpi.db'}"
        settings = settings_for(url, instance)
        with Store.open(url) as store:
            assert (
                sync_instance(instance, settings, store, RunOptions(as_of=AS_OF, dry_run=True)).status == "ok"
            )
        config = tmp_path / "settings.toml"
        config.write_text(settings_toml(settings), encoding="utf-8")
        result = CliRunner().invoke(
            app,
            [
                "export",
                "--config",
                str(config),
                "--instance",
                instance.name,
                "--output",
                str(tmp_path / "out"),
            ],
        )
        assert result.exit_code == 0, result.output
    exported = load_dataset(tmp_path / "out").dataset.tables()

    for table in SAME_IDS[crm]:
        live = (
            generated[table].filter(~pl.col("deleted"))
            if "deleted" in generated[table].columns
            else generated[table]
        )
        assert sorted(exported[table]["id"]) == sorted(live["id"]), table
    assert exported["quotas"].height == generated["quotas"].height  # quotas.csv carries no ids
    activities = generated["activities"].filter(~pl.col("deleted"))
    if crm == "salesforce":
        activities = activities.filter(pl.col("kind") != "note")
    assert sorted(exported["activities"]["id"]) == sorted(activities["id"])

    pairs = generated["opportunities"].join(exported["opportunities"], on="id", suffix="_crm")
    assert pairs.height == generated["opportunities"].filter(~pl.col("deleted")).height
    for field in OPPORTUNITY_FIELDS:
        differing = pairs.filter(pl.col(field).ne_missing(pl.col(f"{field}_crm")))
        assert differing.is_empty(), (field, differing.select(field, f"{field}_crm").head(3).rows())
    # Amounts come back through the CRM's currencies, kept to the cent there: equal within a cent.
    amounts = pairs.select(pl.col("amount"), pl.col("amount_crm")).drop_nulls()
    assert amounts.height == pairs["amount"].drop_nulls().len()
    assert (amounts["amount"] - amounts["amount_crm"]).abs().max() <= 0.01  # type: ignore[operator]
    # Times are kept at the CRMs' millisecond.
    created = pairs.select((pl.col("created_at") - pl.col("created_at_crm")).dt.total_microseconds().abs())
    assert created.to_series().max() < 1000
