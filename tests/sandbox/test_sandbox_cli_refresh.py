"""`crm-kpi sandbox` with the real CRM apps: the first JSON line carries a refresh token that each
sandbox's own OAuth endpoint accepts with the refresh-token grant, as extractors that only speak that
grant connect."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

CRM_KPI = Path(sys.executable).parent / "crm-kpi"
# crm -> (token path, an API call the refreshed token must be good for)
ENDPOINTS = {
    "salesforce": ("/services/oauth2/token", "/services/data/v59.0/query?q=SELECT+COUNT()+FROM+Account"),
    "hubspot": ("/oauth/v1/token", "/crm/v3/objects/deals?limit=1"),
}


def _session(ca_file: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_file
    return session


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_first_line_refresh_token_works_with_the_refresh_grant(crm: str, tmp_path: Path) -> None:
    process = subprocess.Popen([str(CRM_KPI), "sandbox", "--crm", crm, "--generate", "--size", "tiny",
                                "--seed", "3", "--as-of", "2025-06-30", "--state-dir", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first: dict[str, Any] = json.loads(process.stdout.readline() if process.stdout else "")
        assert set(first) == {"crm", "base_url", "token", "refresh_token", "ca_file", "client_id",
                              "client_secret", "instance"}
        assert first["refresh_token"] and first["refresh_token"] != first["token"]
        token_path, api_path = ENDPOINTS[crm]
        session = _session(first["ca_file"])
        grant = session.post(first["base_url"] + token_path, data={
            "grant_type": "refresh_token", "refresh_token": first["refresh_token"],
            "client_id": first["client_id"], "client_secret": first["client_secret"]})
        assert grant.status_code == 200, grant.text
        access = grant.json()["access_token"]
        assert access != first["token"]
        api = session.get(first["base_url"] + api_path, headers={"Authorization": f"Bearer {access}"})
        assert api.status_code == 200, api.text
        # an unknown refresh token is refused in the CRM's words
        bad = session.post(first["base_url"] + token_path, data={
            "grant_type": "refresh_token", "refresh_token": "not-" + first["refresh_token"],
            "client_id": first["client_id"], "client_secret": first["client_secret"]})
        assert bad.status_code == 400
        assert bad.json().get("error", bad.json().get("status")) in ("invalid_grant", "BAD_REFRESH_TOKEN")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert process.returncode == 0
