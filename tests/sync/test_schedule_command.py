"""`crm-kpi schedule` as a process: it runs due syncs, and SIGTERM lets the run in progress stop at its next
checkpoint with its progress saved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sync_sandboxes import SandboxFactory, instance_for, settings_for, write_calls

from sync.demo import settings_toml
from sync.install import install_instance
from sync.pipeline import RunOptions
from sync.runner import sync_instance
from sync.store.store import Store


def test_sigterm_stops_the_run_at_a_checkpoint_and_the_next_run_finishes(
    sandboxes: SandboxFactory, tmp_path: Path
) -> None:
    with sandboxes.start("salesforce") as sb:
        instance = instance_for(sb)
        url = f"sqlite:///{tmp_path / 'crm-kpi.db'}"
        settings = settings_for(url, instance)
        install_instance(settings, instance, dry_run=False)
        config = tmp_path / "settings.toml"
        config.write_text(settings_toml(settings) + '\n[schedule]\ncron = "0 3 * * *"\n', encoding="utf-8")
        sb.ledger.reset()
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "sync", "schedule", "--config", str(config), "--run-now"],
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while write_calls(sb) < 1:  # the run is writing back
            assert scheduler.poll() is None and time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.005)
        scheduler.send_signal(signal.SIGTERM)
        out, err = scheduler.communicate(timeout=120)
        assert scheduler.returncode == 0, err
        assert "acme-sf: sync on '0 3 * * *' (UTC)" in err and "scheduler stopped" in err
        with Store.open(url) as store:
            (stopped,) = store.runs(instance.name)
            assert stopped.status == "interrupted"
            assert stopped.message is not None and "stopped on request at a checkpoint" in stopped.message
            assert stopped.writes > 0
            written_before = {
                key for key, entry in store.ledger(instance.name).items() if entry.run == stopped.run_id
            }
            assert len(written_before) == stopped.writes
            finished = sync_instance(instance, settings, store, RunOptions())  # as of today, as the scheduler
            assert finished.status == "ok" and finished.plan is not None
            planned = [w.key for w in finished.plan.snapshot_writes] + [
                w.key for w in finished.plan.field_writes
            ]
            assert planned and not set(planned) & written_before  # nothing written twice
            assert finished.written == len(planned)  # nothing lost
