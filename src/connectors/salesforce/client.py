"""The one way crm-kpi talks to a Salesforce org: a simple-salesforce session over a verifying requests
session, every call under the one retry policy, the rate budget and the usage count.

`send` is the only place a request leaves: it charges the budget, counts the call, reads
`Sforce-Limit-Info`, classifies the answer (`classify.error_for`) and lets `call_with_retry` decide —
refreshing the session through `auth.fetch_token` when Salesforce says it expired. Everything above
(queries, describe, collections, tooling) is a thin method over it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import certifi
import orjson
import requests
from simple_salesforce.api import Salesforce

from connectors.base import ApiUsage
from connectors.budget import ApiBudget
from connectors.config import InstanceConfig
from connectors.retry import call_with_retry
from connectors.salesforce.auth import SessionToken, fetch_token
from connectors.salesforce.classify import connection_error, error_for

API_VERSION = "59.0"
TIMEOUT_SECONDS = 120.0
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


@dataclass(frozen=True)
class Page:
    """One page of a query: its records and the query's total row count."""

    records: list[dict[str, Any]]
    total_size: int


def trust_bundle(ca_file: str) -> str:
    """A CA bundle of the usual public CAs (certifi's, as requests uses) plus `ca_file`: the setting adds a
    CA, it does not replace the others. Written once per content next to nothing secret (CAs are public)."""
    combined = Path(certifi.where()).read_bytes() + b"\n" + Path(ca_file).read_bytes()
    path = Path(tempfile.gettempdir()) / f"crm-kpi-ca-{hashlib.sha256(combined).hexdigest()[:16]}.pem"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(combined)
        partial.replace(path)
    return str(path)


def verified_session(instance: InstanceConfig) -> requests.Session:
    """A requests session that verifies TLS against the public CAs plus `ca_file`, and that no
    REQUESTS_CA_BUNDLE / proxy variable of the environment can override (`trust_env = False`)."""
    session = requests.Session()
    session.trust_env = False
    verify = instance.verify()
    session.verify = trust_bundle(verify) if isinstance(verify, str) else True
    return session


class SalesforceClient:
    """Authenticated, budgeted, retried REST calls to one org."""

    def __init__(
        self,
        instance: InstanceConfig,
        *,
        http: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        budget: ApiBudget | None = None,
    ) -> None:
        self.instance = instance
        self.http = http if http is not None else verified_session(instance)
        self.budget = budget or ApiBudget(instance.name, instance.api_budget_share)
        """The instance's budget; workers pass one whose count all of them share."""
        self.usage = ApiUsage()
        self.sleep = sleep
        """How the client waits (back-off, Bulk polling); tests pass one that does not."""
        self._sf: Salesforce | None = None
        self._token: SessionToken | None = None
        self._describes: dict[str, dict[str, Any]] = {}
        self._sobjects: set[str] | None = None

    # --- session -------------------------------------------------------------------------------
    def login(self) -> None:
        """(Re)authenticate with the instance's flow; also the refresh after INVALID_SESSION_ID."""
        token = call_with_retry(lambda: fetch_token(self.instance, self.http), sleep=self.sleep)
        self._token = token
        self._sf = Salesforce(
            session_id=token.access_token,
            instance_url=token.instance_url,
            session=self.http,
            version=API_VERSION,
        )

    @property
    def sf(self) -> Salesforce:
        if self._sf is None:
            self.login()
        assert self._sf is not None
        return self._sf

    @property
    def user_id(self) -> str | None:
        """The integration user this connector runs as (from the token's identity URL)."""
        if self._token is None:
            self.login()
        return self._token.user_id if self._token else None

    # --- the one request path -----------------------------------------------------------------
    def send(
        self,
        label: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        raw: bool = False,
    ) -> Any:
        """Call `path` (relative to /services/data/vXX.X/, or server-relative starting with /services).

        Returns the parsed JSON body (None when empty), or the response itself when `raw`.
        """
        what = f"instance {self.instance.name!r}: {method} {path.split('?')[0]}"

        def once() -> Any:
            sf = self.sf
            url = f"https://{sf.sf_instance}{path}" if path.startswith("/") else sf.base_url + path
            self.budget.charge()
            self.usage.calls += 1
            self.usage.calls_by_label[label] = self.usage.calls_by_label.get(label, 0) + 1
            try:
                response = self.http.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    timeout=TIMEOUT_SECONDS,
                    headers={**sf.headers, **(headers or {})},
                )
            except requests.RequestException as error:
                raise connection_error(error, what) from None
            self._observe(response)
            if response.status_code >= 300:
                raise error_for(response, what)
            if raw:
                return response
            return orjson.loads(response.content) if response.content else None

        return call_with_retry(once, refresh=self.login, sleep=self.sleep)

    def _observe(self, response: requests.Response) -> None:
        match = _USAGE.search(response.headers.get("Sforce-Limit-Info", ""))
        if match:
            used, limit = int(match.group(1)), int(match.group(2))
            self.budget.observe(used, limit)
            self.usage.daily_used, self.usage.daily_limit = used, limit

    # --- reads ---------------------------------------------------------------------------------
    def query_pages(
        self, soql: str, *, include_deleted: bool = False, batch_size: int | None = None
    ) -> Iterator[Page]:
        """Every page of `soql` (queryAll when `include_deleted`), one request each, lazily."""
        endpoint = "queryAll/" if include_deleted else "query/"
        label = "query_all" if include_deleted else "query"
        headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else None
        body = self.send(label, "GET", endpoint, params={"q": soql}, headers=headers)
        yield Page(body["records"], int(body.get("totalSize", 0)))
        while not body.get("done", True) and body.get("nextRecordsUrl"):
            body = self.send(label + "_more", "GET", body["nextRecordsUrl"], headers=headers)
            yield Page(body["records"], int(body.get("totalSize", 0)))

    def query_rows(self, soql: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        for page in self.query_pages(soql, include_deleted=include_deleted):
            yield from page.records

    def sobjects(self) -> set[str]:
        """The names of the org's sObjects (one global describe per connector)."""
        if self._sobjects is None:
            body = self.send("sobjects", "GET", "sobjects/")
            self._sobjects = {o["name"] for o in body.get("sobjects", [])}
        return self._sobjects

    def describe(self, sobject: str, *, fresh: bool = False) -> dict[str, Any]:
        """The sObject's describe (cached: one call per object per connector unless `fresh`)."""
        if fresh or sobject not in self._describes:
            self._describes[sobject] = self.send("describe", "GET", f"sobjects/{sobject}/describe/")
        return self._describes[sobject]

    def forget_metadata(self) -> None:
        """Drop cached describes (after install created fields)."""
        self._describes.clear()
        self._sobjects = None

    def limits(self) -> dict[str, Any]:
        """`/limits`; also feeds the budget with DailyApiRequests."""
        body: dict[str, Any] = self.send("limits", "GET", "limits/")
        daily = body.get("DailyApiRequests") or {}
        if "Max" in daily and "Remaining" in daily:
            used, limit = int(daily["Max"]) - int(daily["Remaining"]), int(daily["Max"])
            self.budget.observe(used, limit)
            self.usage.daily_used, self.usage.daily_limit = used, limit
        return body

    def tooling_query(self, soql: str) -> list[dict[str, Any]]:
        body = self.send("tooling_query", "GET", "tooling/query/", params={"q": soql})
        records: list[dict[str, Any]] = list(body["records"])
        while not body.get("done", True) and body.get("nextRecordsUrl"):
            body = self.send("tooling_query", "GET", body["nextRecordsUrl"])
            records.extend(body["records"])
        return records

    def close(self) -> None:
        self.http.close()
