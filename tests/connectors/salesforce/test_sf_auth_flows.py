"""Each OAuth flow against the sandbox's token endpoint, then a real read; a refused login says the fix."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sf_reading import read

from connectors.errors import AuthError
from sandbox.runtime import RunningSandbox, Sandbox
from sandbox.salesforce.jwt_keys import ensure_jwt_keys
from sandbox.salesforce.org import INTEGRATION_USER, render_org


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with Sandbox(crm="salesforce", org=render_org(None), state_dir=tmp_path_factory.mktemp("sf")) as running:
        yield running


def _reads_stages(connector) -> None:
    records, _, _ = read(connector, "OpportunityStage")
    assert len(records) == 6  # the default stages of an empty org


def test_jwt_bearer(sb: RunningSandbox, connector_for) -> None:
    keys = ensure_jwt_keys(sb.runtime.state_dir)
    connector = connector_for(
        sb,
        auth="jwt_bearer",
        username=INTEGRATION_USER,
        private_key_file=keys.private_key_file,
        client_secret_env=None,
    )
    _reads_stages(connector)
    assert connector.client.user_id == sb.store.api_user_id


def test_refresh_token(sb: RunningSandbox, connector_for, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SF_TEST_REFRESH", sb.refresh_token)
    connector = connector_for(sb, auth="refresh_token", refresh_token_env="SF_TEST_REFRESH")
    _reads_stages(connector)
    assert sb.ledger.calls(label="oauth_token")[-1].status == 200


def test_a_refused_client_secret_names_the_settings_and_never_the_secret(
    sb: RunningSandbox, connector_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector = connector_for(sb)
    monkeypatch.setenv(connector.instance_config.client_secret_env or "", "not-the-secret-123")
    with pytest.raises(AuthError) as refused:
        _reads_stages(connector)
    text = str(refused.value)
    assert "invalid_client" in text and "client_secret_env" in text and "not-the-secret-123" not in text
    assert os.environ[connector.instance_config.client_secret_env or ""] not in text
