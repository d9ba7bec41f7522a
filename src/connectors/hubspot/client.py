"""hubspot-api-client for one portal: token, retry policy, rate budget, search pacing, call counts.

Every request goes through `HubSpotClient.call`, which (1) charges the instance's budget, (2) paces search
calls on their own (HubSpot allows about 5 a second per account, on top of the 10-second rolling limit),
(3) runs the call under the one retry policy (`connectors.retry`) with HubSpot's errors classified into
`connectors.errors`, and (4) reads the `X-HubSpot-RateLimit-Daily*` headers into the budget.

hubspot-api-client retries nothing itself here (`retry=Retry(0)`): our policy waits Retry-After and knows a
DAILY limit from a burst. Reads take `_preload_content=False` and parse the body with orjson: the generated
models would deserialise every property of every record into objects only to be flattened again, which
was most of a page's cost. Writes and install use the typed models, which check their input and (with
`client_side_validation`) the answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import orjson
import urllib3
from hubspot import HubSpot

from connectors.base import ApiUsage
from connectors.budget import ApiBudget
from connectors.config import InstanceConfig
from connectors.hubspot.auth import TokenSource
from connectors.hubspot.classify import classify
from connectors.retry import call_with_retry

T = TypeVar("T")

SEARCHES_PER_SECOND = 4.0


class HubSpotClient:
    """The portal's API as the connector uses it. Thread-safe for the counters; one run uses one thread."""

    def __init__(
        self,
        instance: InstanceConfig,
        tokens: TokenSource,
        budget: ApiBudget,
        *,
        client_side_validation: bool = False,
        searches_per_second: float = SEARCHES_PER_SECOND,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.instance = instance
        self.tokens = tokens
        self.budget = budget
        self.usage = ApiUsage()
        self._sleep = sleep
        self._clock = clock
        self._search_interval = 1.0 / searches_per_second if searches_per_second > 0 else 0.0
        self._last_search = float("-inf")
        self._token = tokens.token()
        self._hubspot = HubSpot(
            access_token=self._token,
            host=instance.url.rstrip("/"),
            ssl_ca_cert=instance.verify() if instance.ca_file else None,
            retry=urllib3.Retry(0),
            client_side_validation=client_side_validation,
        )
        self._apis: dict[str, Any] = {}
        self._lock = threading.Lock()

    # -- the APIs ----------------------------------------------------------------------------------
    def api(self, path: str) -> Any:
        """A sub-API by its dotted path under the client (`crm.objects.basic_api`), built once: the
        discovery builds a new ApiClient (and connection pool) on every attribute access."""
        api = self._apis.get(path)
        if api is None:
            api = self._hubspot
            for part in path.split("."):
                api = getattr(api, part)
            self._apis[path] = api
        return api

    def _set_token(self, token: str) -> None:
        self._token = token
        for api in self._apis.values():
            api.api_client.configuration.access_token = token
        self._hubspot.config["access_token"] = token

    def _refresh(self) -> None:
        self._set_token(self.tokens.refresh())

    # -- calls -------------------------------------------------------------------------------------
    def call(self, label: str, what: str, invoke: Callable[[], T]) -> T:
        """Run one request under the retry policy; `label` counts it (`list`, `search`, `batch_upsert`)."""

        def once() -> T:
            token = self.tokens.token()
            if token != self._token:
                self._set_token(token)
            self.budget.charge()
            if label == "search":
                self._pace_search()
            self._count(label)
            try:
                return invoke()
            except Exception as exc:  # every HTTP failure is classified, the rest re-raised as it is
                error = classify(exc, instance=self.instance.name, what=what)
                if error is None:
                    raise
                self._observe(getattr(exc, "headers", None))
                raise error from exc

        return call_with_retry(once, refresh=self._refresh, sleep=self._sleep)

    def read_json(self, label: str, what: str, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A read whose JSON body is returned as plain data (see the module docstring)."""

        def invoke() -> Any:
            response = method(*args, _preload_content=False, **kwargs)
            self._observe(response.headers)
            return orjson.loads(response.data)

        return self.call(label, what, invoke)

    def typed(self, label: str, what: str, api: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        """`api.<method>` answered with the client's model objects (writes, install) and its status;
        the `_with_http_info` variant, whose headers feed the budget."""

        def invoke() -> Any:
            data, status, headers = getattr(api, method + "_with_http_info")(*args, **kwargs)
            self._observe(headers)
            return data, status

        return self.call(label, what, invoke)

    # -- internals ---------------------------------------------------------------------------------
    def _count(self, label: str) -> None:
        with self._lock:
            self.usage.calls += 1
            self.usage.calls_by_label[label] = self.usage.calls_by_label.get(label, 0) + 1

    def _pace_search(self) -> None:
        wait = self._last_search + self._search_interval - self._clock()
        if wait > 0:
            self._sleep(wait)
        self._last_search = self._clock()

    def _observe(self, headers: Mapping[str, str] | None) -> None:
        if not headers:
            return
        lowered = {str(k).lower(): v for k, v in dict(headers).items()}
        daily, remaining = (
            lowered.get("x-hubspot-ratelimit-daily"),
            lowered.get("x-hubspot-ratelimit-daily-remaining"),
        )
        if daily is None or remaining is None:
            return
        try:
            limit, left = int(daily), int(remaining)
        except ValueError:
            return
        self.budget.observe(used=limit - left, limit=limit)
        self.usage.daily_used, self.usage.daily_limit = limit - left, limit

    def close(self) -> None:
        """Release the connection pools of the sub-APIs built so far."""
        for api in self._apis.values():
            pool = getattr(api.api_client.rest_client, "pool_manager", None)
            if pool is not None:
                pool.clear()
        self._apis.clear()
