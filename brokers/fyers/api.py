"""The one HTTP client of the plugin: Fyers' auth header, its `{"s": "ok"|"error"}` envelope and
its error codes mapped into the broker error taxonomy, and the API key's global request budget.

Fyers meters every REST call of an API key against one budget (10/s, 200/min), whatever the
endpoint, while `BrokerHttp` buckets per endpoint group; so every call also takes a token from
the global buckets here, which keeps the sum of the groups inside the broker's budget.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from brokers.common.http import BrokerHttp
from brokers.common.ratelimit import TokenBucket
from brokers.contract.capabilities import RateLimit
from brokers.contract.errors import BrokerError, OrderRejected, SessionExpired

log = logging.getLogger("algogate.brokers.fyers")

BROKER = "fyers"
GLOBAL_LIMITS = (RateLimit(10, 1.0), RateLimit(200, 60.0))
# Fyers codes for a dead or foreign token (they come with HTTP 401, or sometimes 200/400).
TOKEN_ERROR_CODES = frozenset({-8, -15, -16, -17})
MAX_429_RETRIES = 3
MAX_RETRY_AFTER = 4.0


def auth_header(app_id: str, access_token: str) -> str:
    return f"{app_id}:{access_token}"


class FyersApi:
    def __init__(self, http: BrokerHttp) -> None:
        self.http = http
        self.global_buckets = [TokenBucket(limit) for limit in GLOBAL_LIMITS]

    async def close(self) -> None:
        await self.http.close()

    async def _send(self, method: str, path: str, group: str, idempotent: bool, **kwargs: Any) -> httpx.Response:
        for attempt in range(MAX_429_RETRIES + 1):
            for bucket in self.global_buckets:
                await bucket.acquire()
            # 401 is handled here, not by BrokerHttp, so the error carries Fyers' own message.
            response = await self.http.request(method, path, group=group, idempotent=idempotent,
                                               session_expired_statuses=(), **kwargs)
            if response.status_code != 429 or not idempotent or attempt == MAX_429_RETRIES:
                return response
            await asyncio.sleep(retry_after(response, attempt))
        raise AssertionError("unreachable")

    async def call(self, method: str, path: str, *, token: str | None, group: str = "other",
                   params: Mapping[str, Any] | None = None, json: Any = None, order: bool = False,
                   idempotent: bool | None = None) -> dict[str, Any]:
        """One JSON call. `token` is the `APP_ID:ACCESS_TOKEN` header value (None for login).
        `order=True` maps a refusal to OrderRejected; order calls are never retried."""
        method = method.upper()
        if idempotent is None:
            idempotent = method == "GET" and not order
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = token
        response = await self._send(method, path, group, idempotent, params=params, json=json, headers=headers)
        return envelope(response, order=order)

    async def download(self, url: str) -> bytes:
        """A public file (the symbol master): no auth header, no envelope."""
        response = await self._send("GET", url, "other", True)
        if response.status_code != 200:
            raise BrokerError(BROKER, f"master file {url.rsplit('/', 1)[-1]} answered HTTP {response.status_code}", 502)
        return response.content


def retry_after(response: httpx.Response, attempt: int) -> float:
    """Honour Fyers' `X-Retry-After-Ms` / `Retry-After`, else back off 1 s, 2 s, 4 s."""
    for name, scale in (("x-retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = response.headers.get(name)
        if value:
            try:
                return min(MAX_RETRY_AFTER, max(0.0, float(value) * scale))
            except ValueError:
                pass
    return min(MAX_RETRY_AFTER, 2.0 ** attempt)


def envelope(response: httpx.Response, *, order: bool = False) -> dict[str, Any]:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        if status == 401:
            raise SessionExpired(BROKER)
        raise BrokerError(BROKER, f"unexpected HTTP {status} answer without a JSON envelope", 502)
    ok = str(body.get("s", "")).lower() == "ok"
    if ok and status < 400:
        return body
    message = str(body.get("message") or body.get("msg") or f"HTTP {status}")
    code = body.get("code")
    if status == 401 or code in TOKEN_ERROR_CODES:
        raise SessionExpired(BROKER, f"session expired, log in again ({message})")
    if status == 429:
        raise BrokerError(BROKER, f"rate limited: {message}", 429)
    if order:
        orderid = body.get("id")
        raise OrderRejected(BROKER, message, 400, orderid=str(orderid) if orderid else None)
    raise BrokerError(BROKER, message, 400 if status < 500 else 502)
