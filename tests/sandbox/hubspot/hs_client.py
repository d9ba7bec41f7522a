"""The real hubspot-api-client pointed at a running HubSpot sandbox, and reading its answers."""

from __future__ import annotations

import json
import time

from hubspot import HubSpot


def client_for(sandbox, token: str | None = None, retry=None) -> HubSpot:
    """The real client as a connector builds it: host and CA file go straight into its Configuration.

    `retry=None` keeps urllib3's default Retry(3), which already sleeps and retries GETs answered
    429/503 *with* Retry-After; pass `urllib3.Retry(0)` to see every answer."""
    return HubSpot(access_token=token or sandbox.token, host=sandbox.base_url, ssl_ca_cert=sandbox.ca_file,
                   client_side_validation=True, retry=retry)


def api_error(call, *args, **kwargs) -> tuple[int, dict, dict]:
    """Run a client call that must fail; (status, JSON body, headers). Each hubspot sub-package has its
    own ApiException class, so match on the shared attributes rather than the class."""
    try:
        call(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - asserted below
        if not hasattr(exc, "status") or not hasattr(exc, "body"):
            raise
        return exc.status, json.loads(exc.body) if exc.body else {}, exc.headers  # case-insensitive
    raise AssertionError("the call succeeded; an API error was expected")


def ledger_count(sandbox, label: str, status: int | None = None, expected: int = 1) -> int:
    """The ledger's count once it reaches `expected` (or after 2 s): the server records a call only
    after its response is sent, so a count read right after a call can lag by one."""
    deadline = time.monotonic() + 2
    while sandbox.ledger.count(label, status=status) < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return sandbox.ledger.count(label, status=status)
