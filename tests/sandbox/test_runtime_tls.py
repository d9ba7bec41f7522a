"""TLS: clients that trust the sandbox CA connect; clients that do not are refused."""

from __future__ import annotations

import pytest
import requests
import urllib3
from trusting_session import session_for


def test_requests_trusts_the_ca_file(start_dummy) -> None:
    sandbox = start_dummy()
    assert session_for(sandbox).get(f"{sandbox.base_url}/records").status_code == 200


def test_requests_refuses_without_the_ca_file(start_dummy) -> None:
    sandbox = start_dummy()
    session = requests.Session()
    session.trust_env = False  # the default bundle (certifi) does not know the sandbox CA
    with pytest.raises(requests.exceptions.SSLError):
        session.get(f"{sandbox.base_url}/records")


def test_urllib3_trusts_the_ca_file_under_each_server_name(start_dummy) -> None:
    sandbox = start_dummy()
    pool = urllib3.PoolManager(ca_certs=sandbox.ca_file, cert_reqs="CERT_REQUIRED")
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    for host in ("127.0.0.1", "localhost"):
        response = pool.request("GET", f"https://{host}:{sandbox.server.port}/records", headers=headers)
        assert response.status == 200


def test_urllib3_refuses_without_the_ca_file(start_dummy) -> None:
    sandbox = start_dummy()
    pool = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", retries=False)
    with pytest.raises(urllib3.exceptions.SSLError):
        pool.request("GET", f"{sandbox.base_url}/records")


def test_ca_is_reused_from_the_state_dir(start_dummy) -> None:
    first, second = start_dummy(), start_dummy()
    # Same state dir: a client configured with ca.pem once keeps trusting later sandboxes.
    assert first.ca_file == second.ca_file
    assert session_for(second).get(f"{second.base_url}/records").status_code == 200
