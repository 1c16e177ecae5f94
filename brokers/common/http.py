"""One pooled `httpx.AsyncClient` per broker, with explicit timeouts, token buckets per endpoint
group, retries for idempotent reads only, and wire errors mapped into the broker error taxonomy.

An order call is never retried: if the request may have reached the broker, retrying could place
the order twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import httpx

from brokers.common.ratelimit import RateLimiter
from brokers.contract.capabilities import RateLimit
from brokers.contract.errors import BrokerError, BrokerUnavailable, SessionExpired

log = logging.getLogger("algogate.brokers.http")

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BrokerHttp:
    def __init__(self, broker: str, base_url: str, *, limits: dict[str, RateLimit] | None = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT, max_connections: int = 20, read_retries: int = 2,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.broker = broker
        self.read_retries = read_retries
        self.limiter = RateLimiter(limits or {})
        self.client = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, transport=transport,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def request(self, method: str, path: str, *, group: str = "other", idempotent: bool | None = None,
                      session_expired_statuses: tuple[int, ...] = (401,), **kwargs: Any) -> httpx.Response:
        """Send one request. `idempotent` defaults to True for GET-like methods and False otherwise;
        only idempotent requests are retried, and only on network errors and 5xx."""
        method = method.upper()
        retryable = (method in READ_METHODS) if idempotent is None else idempotent
        attempts = 1 + (self.read_retries if retryable else 0)
        for attempt in range(1, attempts + 1):
            await self.limiter.acquire(group)
            try:
                response = await self.client.request(method, path, **kwargs)
            except httpx.TimeoutException as exc:
                error: BrokerError = BrokerUnavailable(self.broker, f"timed out calling {path}", 504)
                cause: Exception = exc
            except httpx.TransportError as exc:
                error, cause = BrokerUnavailable(self.broker, f"cannot reach broker ({type(exc).__name__})"), exc
            else:
                if response.status_code in session_expired_statuses:
                    raise SessionExpired(self.broker)
                if response.status_code < 500:
                    return response
                error, cause = BrokerUnavailable(self.broker, f"broker answered HTTP {response.status_code}",
                                                 response.status_code), None
            if attempt == attempts:
                raise error from cause
            backoff = min(2.0, 0.1 * 2 ** (attempt - 1)) * (0.5 + random.random())
            log.warning("%s %s %s failed (%s); retry %d in %.2fs", self.broker, method, path, error.message,
                        attempt, backoff)
            await asyncio.sleep(backoff)
        raise AssertionError("unreachable")
