"""The sync under bad input, contention, limits and bad settings: each reported once, nothing lost."""

from __future__ import annotations

import os
from pathlib import Path

from sync_sandboxes import AS_OF, SandboxFactory, instance_for, settings_for, write_calls
from typer.testing import CliRunner

from sync.cli import app
from sync.demo import settings_toml
from sync.install import install_instance
from sync.pipeline import RunOptions
from sync.runner import sync_instance
from sync.store.store import Store

OPTIONS = RunOptions(as_of=AS_OF)


def test_a_malformed_record_is_quarantined_and_the_others_sync(
    sandboxes: SandboxFactory, store_url: str
) -> None:
    with sandboxes.start("hubspot") as sb, Store.open(store_url) as store:
        won = next(
            r
            for r in sb.store.store.records["deals"].values()
            if r.properties.get("dealstage") == "closedwon"
        )
        sb.store.edit("deals", won.id, {"closedate": ""})  # HubSpot lets a user clear it; the schema can't
        instance = instance_for(sb)
        settings = settings_for(store_url, instance)
        install_instance(settings, instance, dry_run=False)
        report = sync_instance(instance, settings, store, OPTIONS)
        assert report.status == "partial"  # finished, with a quarantined record: exit code 3
        assert report.quarantined == {"opportunities": 1}
        assert report.written > 0
        (entry,) = store.quarantined(instance.name)
        assert entry.crm_id == won.id and "close" in entry.reason
        stored = store.table(instance.name, "opportunities")
        assert won.id not in set(stored["id"]) and stored.height == len(sb.store.store.records["deals"]) - 1


def test_more_quarantined_than_allowed_stops_before_writing(
    sandboxes: SandboxFactory, store_url: str
) -> None:
    with sandboxes.start("hubspot") as sb, Store.open(store_url) as store:
        won = [
            r
            for r in sb.store.store.records["deals"].values()
            if r.properties.get("dealstage") == "closedwon"
        ]
        for record in won:
            sb.store.edit("deals", record.id, {"closedate": ""})
        instance = instance_for(sb)
        settings = settings_for(store_url, instance)
        install_instance(settings, instance, dry_run=False)
        sb.ledger.reset()
        report = sync_instance(instance, settings, store, OPTIONS)
        assert report.status == "failed" and report.written == 0 and write_calls(sb) == 0
        assert (
            report.message is not None
            and "quarantined" in report.message
            and "nothing was written" in report.message
        )
        assert len(store.quarantined(instance.name)) == len(won)


def test_a_second_sync_of_a_busy_instance_is_refused_and_the_first_is_untouched(
    sandboxes: SandboxFactory, store_url: str
) -> None:
    with sandboxes.start("salesforce") as sb, Store.open(store_url) as store:
        instance = instance_for(sb)
        settings = settings_for(store_url, instance)
        install_instance(settings, instance, dry_run=False)
        with store.lock(instance.name, "another-host:4242"):
            report = sync_instance(instance, settings, store, OPTIONS)
        assert report.status == "failed"
        assert report.message == (
            "instance 'acme-sf' is being synced by run another-host:4242; try again when it has finished"
        )
        assert store.runs(instance.name) == []  # it never started a run of its own
        assert sync_instance(instance, settings, store, OPTIONS).status == "ok"  # free again


def test_the_daily_limit_stops_the_run_cleanly_and_the_next_run_resumes(
    sandboxes: SandboxFactory, store_url: str
) -> None:
    with (
        sandboxes.start("salesforce", faults="daily@label=query_all,calls=4") as sb,
        Store.open(store_url) as store,
    ):
        instance = instance_for(sb)
        settings = settings_for(store_url, instance)
        first = sync_instance(instance, settings, store, OPTIONS)
        assert first.status == "interrupted" and first.written == 0
        assert first.message is not None and "daily" in first.message.lower()
        cursors = store.cursors(instance.name)
        assert cursors  # the streams read before the limit keep their progress
        install_instance(settings, instance, dry_run=False)
        second = sync_instance(instance, settings, store, OPTIONS)
        assert second.status == "ok" and second.written > 0
        # Resumed, not restarted: the streams finished before the stop are not read again in full.
        assert sum(second.extracted.values()) < sum(first.extracted.values()) + sum(second.extracted.values())
        assert second.extracted.get("User", 0) == 0


def test_postgresql_as_the_store(sandboxes: SandboxFactory, pg_url: str) -> None:
    with sandboxes.start("hubspot") as sb, Store.open(pg_url) as store:
        instance = instance_for(sb)
        settings = settings_for(pg_url, instance)
        install_instance(settings, instance, dry_run=False)
        first = sync_instance(instance, settings, store, OPTIONS)
        assert first.status == "ok" and first.written > 0
        assert store.table(instance.name, "opportunities").height == len(sb.store.store.records["deals"])
        second = sync_instance(instance, settings, store, OPTIONS)
        assert second.status == "ok"


runner = CliRunner()


def test_cli_sync_exit_codes_and_messages(sandboxes: SandboxFactory, tmp_path: Path) -> None:
    with sandboxes.start("salesforce") as sb:
        instance = instance_for(sb)
        settings = settings_for(f"sqlite:///{tmp_path / 'crm-kpi.db'}", instance)
        config = tmp_path / "settings.toml"
        config.write_text(settings_toml(settings), encoding="utf-8")
        ok = runner.invoke(app, ["install", "--config", str(config)])
        assert ok.exit_code == 0, ok.output
        dry = runner.invoke(
            app,
            [
                "sync",
                "--config",
                str(config),
                "--dry-run",
                "--as-of",
                "2026-06-30",
                "--format",
                "json",
                "--log-format",
                "json",
            ],
        )
        assert dry.exit_code == 0, dry.output
        assert '"dry run: nothing written"' in dry.stdout and sb.ledger.count("collections") == 0
        unknown = runner.invoke(app, ["sync", "--config", str(config), "--instance", "nope"])
        assert unknown.exit_code == 2
        assert "--instance: no instance named 'nope' (known: acme-sf)" in unknown.stderr
        secret_env = instance.client_secret_env or ""
        saved = os.environ.pop(secret_env)
        try:
            missing = runner.invoke(app, ["sync", "--config", str(config), "--log-format", "json"])
        finally:
            os.environ[secret_env] = saved
        assert missing.exit_code == 1
        assert f"environment variable {secret_env} (named by client_secret_env) is not set" in missing.stderr
        assert saved not in missing.output


def test_a_secret_in_the_settings_file_is_refused_before_anything_runs(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(
        '[[instances]]\nname = "acme"\ncrm = "hubspot"\nurl = "https://api.hubapi.com"\n'
        'auth = "private_app"\ntoken = "pat-na1-0123"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["sync", "--config", str(config)])
    assert result.exit_code == 2
    assert "instances[0].token: secrets never go in the settings file" in result.stderr
    assert "pat-na1-0123" not in result.output


def test_a_first_sync_above_the_cap_stops_before_writing_unless_told_to_go_on(
    sandboxes: SandboxFactory, tmp_path: Path
) -> None:
    with sandboxes.start("hubspot") as sb:
        instance = instance_for(sb)
        settings = settings_for(f"sqlite:///{tmp_path / 'crm-kpi.db'}", instance)
        config = tmp_path / "settings.toml"
        config.write_text(settings_toml(settings) + "\n[writeback]\nmax_first_sync_records = 3199\n", "utf-8")
        assert runner.invoke(app, ["install", "--config", str(config)]).exit_code == 0
        sb.ledger.reset()
        refused = runner.invoke(
            app, ["sync", "--config", str(config), "--as-of", "2026-06-30", "--log-format", "json"]
        )
        assert refused.exit_code == 1
        # The tiny org's first sync creates 3,200 snapshot records: one past the cap.
        assert "would create 3,200 snapshot records" in refused.stderr and "--yes" in refused.stderr
        assert write_calls(sb) == 0
        went_on = runner.invoke(
            app, ["sync", "--config", str(config), "--as-of", "2026-06-30", "--log-format", "json", "--yes"]
        )
        assert went_on.exit_code == 0, went_on.output
        assert write_calls(sb) > 0


def test_a_first_sync_at_the_cap_goes_on(sandboxes: SandboxFactory, tmp_path: Path) -> None:
    with sandboxes.start("hubspot") as sb:
        instance = instance_for(sb)
        settings = settings_for(f"sqlite:///{tmp_path / 'crm-kpi.db'}", instance)
        config = tmp_path / "settings.toml"
        config.write_text(settings_toml(settings) + "\n[writeback]\nmax_first_sync_records = 3200\n", "utf-8")
        assert runner.invoke(app, ["install", "--config", str(config)]).exit_code == 0
        result = runner.invoke(
            app, ["sync", "--config", str(config), "--as-of", "2026-06-30", "--log-format", "json"]
        )
        assert result.exit_code == 0, result.output


def test_a_portal_without_custom_objects_syncs_the_fields_and_says_so(
    tmp_path: Path, sandboxes: SandboxFactory
) -> None:
    from sandbox.generator import generate_org
    from sandbox.hubspot.org import render_org
    from sandbox.hubspot.portal import Portal
    from sandbox.runtime import Sandbox

    portal = render_org(generate_org("tiny", 7, AS_OF, "hubspot"), Portal(tier="professional"))
    with Sandbox(crm="hubspot", org=portal, state_dir=sandboxes.state_dir).start() as sb:
        url = f"sqlite:///{tmp_path / 'crm-kpi.db'}"
        instance = instance_for(sb)
        settings = settings_for(url, instance)
        outcome = install_instance(settings, instance, dry_run=False)
        assert outcome.before is not None and any("custom objects" in w for w in outcome.before.warnings)
        with Store.open(url) as store:
            report = sync_instance(instance, settings, store, OPTIONS)
        assert report.status == "ok" and report.rejected == 0
        assert report.plan is not None and not report.plan.snapshot_writes and report.plan.field_writes
        assert report.written == len(report.plan.field_writes)
        assert report.message is not None and "only the KPI fields on deals and companies" in report.message
        assert sb.ledger.count("batch_upsert") == 0 and sb.ledger.count("batch_update") > 0
