"""`crm-kpi sandbox`: the JSON line, serving until SIGTERM, and clear errors for bad options."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).parent
SRC = HERE.parent.parent / "src"


def run_cli(mode: str, *args: str, **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen([sys.executable, str(HERE / "cli_with_dummy.py"), mode, "sandbox", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **popen)


def test_prints_connection_json_then_serves_until_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "export"
    data.mkdir()
    (data / "records.json").write_text(json.dumps({"009": {"Name": "From export"}}))
    process = run_cli("dummy", "--crm", "salesforce", "--data", str(data), "--state-dir", str(tmp_path / "state"),
                      "--faults", "503@calls=2")
    try:
        first = json.loads(process.stdout.readline())
        assert set(first) == {"crm", "base_url", "token", "refresh_token", "ca_file", "client_id",
                               "client_secret", "instance"}
        assert first["ca_file"] == str(tmp_path / "state" / "ca.pem")
        session = requests.Session()
        session.trust_env = False
        session.verify = first["ca_file"]
        session.headers["Authorization"] = f"Bearer {first['token']}"
        records = session.get(f"{first['base_url']}/records").json()["records"]
        assert records == [{"id": "009", "Name": "From export"}]
        assert session.get(f"{first['base_url']}/records").status_code == 503  # the fault spec applies
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert process.returncode == 0


@pytest.mark.parametrize(("args", "needle"), [
    (["--crm", "salesforce"], "exactly one of --generate"),
    (["--crm", "salesforce", "--generate", "--data", "."], "exactly one of --generate"),
    (["--crm", "hubspot", "--generate", "--faults", "503@rate=2"], "--faults: fault clause '503@rate=2'"),
    (["--crm", "hubspot", "--generate", "--limits", "daily=x"], "--limits: limit 'daily=x'"),
    (["--crm", "hubspot", "--generate", "--as-of", "yesterday"], "--as-of 'yesterday': expected a date as YYYY-MM-DD"),
    (["--crm", "hubspot", "--data", "/nonexistent-dir"], "not a directory"),
])
def test_bad_options_give_one_clear_line(args: list[str], needle: str) -> None:
    process = run_cli("dummy", *args)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert needle in err and "Traceback" not in err
    assert out == ""


def test_missing_crm_app_is_named(tmp_path: Path) -> None:
    process = run_cli("missing", "--crm", "hubspot", "--generate")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "package sandbox.hubspot" in err and "Traceback" not in err
