"""Faults mid-run: which rate limit was hit decides (wait and retry, or stop with cursors saved), an
expired token is refreshed once, a revoked private-app token stops with the setting to fix."""

from __future__ import annotations

import time

import pytest
from hs_connect import Extracted, connector_for, run

from connectors.config import InstanceConfig
from connectors.errors import AuthError, BudgetExhausted, DailyLimitReached
from connectors.hubspot import connect
from connectors.hubspot.auth import EXPIRY_MARGIN_SECONDS, OAuthRefresh

pytestmark = pytest.mark.slow

TABLES = (
    "users",
    "accounts",
    "leads",
    "opportunities",
    "stage_changes",
    "activities",
    "line_items",
    "quotas",
)


@pytest.fixture(scope="module")
def clean(tiny_org, hs_state):
    """The records of an undisturbed full extract, to compare faulty runs with."""
    from sandbox.runtime import Sandbox

    with Sandbox(crm="hubspot", org=tiny_org, state_dir=hs_state) as sb, pytest.MonkeyPatch.context() as mp:
        return run(connector_for(sb, mp)).tables


def test_ten_secondly_rolling_waits_retry_after_or_backs_off_and_goes_on(
    start_hubspot, tiny_org, monkeypatch, clean
):
    sb = start_hubspot(
        tiny_org,
        faults="429@label=objects_list,calls=3,retry_after=7;"
        "429@label=associations,calls=2;503@label=objects_list,calls=9",
    )
    waits: list[float] = []
    out = run(connector_for(sb, monkeypatch, sleep=waits.append))
    assert {t: out.tables[t] for t in TABLES} == {t: clean[t] for t in TABLES}
    assert sb.ledger.count(status=429) == 2 and sb.ledger.count(status=503) == 1
    assert waits[0] == 7.0  # Retry-After honoured
    assert len(waits) == 3 and all(0 < w < 7 for w in waits[1:])  # no header / 503: jittered back-off


def test_daily_limit_stops_the_run_with_its_cursors_and_the_next_run_resumes(
    start_hubspot, tiny_org, monkeypatch, clean
):
    sb = start_hubspot(tiny_org, faults="daily@label=objects_list,calls=8")
    stored = Extracted()
    connector = connector_for(sb, monkeypatch)
    with pytest.raises(DailyLimitReached, match="daily API limit"):
        for stream in connector.streams():
            for batch in connector.extract(stream, stored.cursors.get(stream.name)):
                stored.store(batch)
    stopped_in = [s.name for s in connector.streams() if s.name not in stored.cursors and s.cursor_field]
    assert stopped_in, "the run stopped before every stream was complete"
    list_calls = sb.ledger.count("objects_list")

    resumed = run(connector_for(sb, monkeypatch), stored)
    for table in TABLES:
        merged = {**stored.tables[table], **resumed.tables[table]}
        assert merged == clean[table], table
    # The 8th list call (the calls' 2nd page: companies, contacts, deals and calls' first page took 7) was
    # refused. The resumed run reads calls from that page on and the streams after it whole (24 - 7 pages
    # in all); the three streams already complete are incremental now: one archived-list page each.
    assert sb.ledger.count("objects_list") - list_calls == (24 - 7) + 3
    assert stored.cursors["calls"]["mode"] == "full" and stored.cursors["calls"]["phase"] == "live"


def test_expired_oauth_token_is_refreshed_once_and_the_run_goes_on(
    start_hubspot, tiny_org, monkeypatch, clean
):
    sb = start_hubspot(tiny_org, faults="expire@after=10")
    out = run(connector_for(sb, monkeypatch, oauth=True))
    assert {t: out.tables[t] for t in TABLES} == {t: clean[t] for t in TABLES}
    assert sb.ledger.count(status=401) == 1
    assert sb.ledger.count("oauth_token") == 2  # the first token, and the refresh after the 401


def test_revoked_private_app_token_stops_naming_the_setting(start_hubspot, tiny_org, monkeypatch):
    sb = start_hubspot(tiny_org, faults="expire@after=3")
    with pytest.raises(AuthError, match="HS_TOKEN"):
        run(connector_for(sb, monkeypatch))
    assert sb.ledger.count(status=401) == 1  # not retried


def test_oauth_token_is_refreshed_before_it_expires_without_a_401(start_hubspot, monkeypatch):
    sb = start_hubspot(None)
    monkeypatch.setenv("ID", sb.client_id or "")
    monkeypatch.setenv("SECRET", sb.client_secret or "")
    monkeypatch.setenv("REFRESH", sb.refresh_token)
    instance = InstanceConfig(
        name="x",
        crm="hubspot",
        url=sb.base_url,
        auth="oauth_refresh",
        client_id_env="ID",
        client_secret_env="SECRET",
        refresh_token_env="REFRESH",
        ca_file=sb.ca_file,
    )
    now = [time.monotonic()]
    tokens = OAuthRefresh(instance, clock=lambda: now[0])
    first = tokens.token()
    now[0] += 1800 - EXPIRY_MARGIN_SECONDS - 1  # the sandbox's tokens live 1,800 s
    assert tokens.token() == first and tokens.refreshes == 1
    now[0] += 2
    assert tokens.token() != first and tokens.refreshes == 2
    assert sb.ledger.count(status=401) == 0


def test_a_bad_refresh_token_is_one_clear_message(start_hubspot, monkeypatch):
    sb = start_hubspot(None)
    monkeypatch.setenv("HS_CLIENT_ID", sb.client_id or "")
    monkeypatch.setenv("HS_CLIENT_SECRET", sb.client_secret or "")
    monkeypatch.setenv("HS_REFRESH_TOKEN", "not-a-refresh-token")
    instance = InstanceConfig(
        name="x",
        crm="hubspot",
        url=sb.base_url,
        auth="oauth_refresh",
        ca_file=sb.ca_file,
        client_id_env="HS_CLIENT_ID",
        client_secret_env="HS_CLIENT_SECRET",
        refresh_token_env="HS_REFRESH_TOKEN",
    )
    with pytest.raises(AuthError, match="BAD_REFRESH_TOKEN.*HS_REFRESH_TOKEN"):
        OAuthRefresh(instance).token()


def test_the_budget_from_the_rate_limit_headers_stops_the_run_before_hubspot_does(
    start_hubspot, tiny_org, monkeypatch
):
    """A portal allowed 200 calls a day, of which this product may use 10%: the run stops cleanly at 20."""
    sb = start_hubspot(tiny_org, limits="daily=200")
    connector = connector_for(sb, monkeypatch, api_budget_share=0.1)
    with pytest.raises(BudgetExhausted, match="api_budget_share"):
        run(connector)
    assert sb.ledger.count() == 20 and sb.ledger.count(status=429) == 0
    assert (connector.usage.daily_used, connector.usage.daily_limit) == (20, 200)


def test_search_calls_are_paced_on_their_own(start_hubspot, monkeypatch):
    """Four searches a second: the connector asks to wait about 0.25 s before each search after the first."""
    from test_incremental import _portal_with_changed_deals

    portal = _portal_with_changed_deals(500)
    since = min(int(r.updated_at.timestamp() * 1000) for r in portal.store.records["deals"].values())
    sb = start_hubspot(portal)
    monkeypatch.setenv("HS_TOKEN", sb.token)
    waits: list[float] = []
    now = [1000.0]  # a clock that moves only when the connector sleeps

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    instance = InstanceConfig(
        name="x",
        crm="hubspot",
        url=sb.base_url,
        auth="private_app",
        token_env="HS_TOKEN",
        ca_file=sb.ca_file,
        lookback_seconds=0,
    )
    connector = connect(
        instance, client_side_validation=True, searches_per_second=4, sleep=sleep, clock=lambda: now[0]
    )
    deals = next(s for s in connector.streams() if s.name == "deals")
    assert (
        sum(len(b.records) for b in connector.extract(deals, {"since": since}) if b.table == "opportunities")
        == 500
    )
    assert sb.ledger.count("search") == 3
    assert waits == [0.25, 0.25]
