"""Rate limits: per client IP, per endpoint, moving window — OpenAlgo's Flask-Limiter behaviour.

Built on `limits`, the library under slowapi, through its asyncio API: slowapi's own limiter is
synchronous, so with Redis storage every request would block the event loop on a socket round
trip. Storage is in-memory by default and Redis when `REDIS_URL` is set, so limits hold across
workers.

Routers use it as a dependency:

    @router.post("/placeorder", dependencies=[rate_limit("order")])

which reads `ORDER_RATE_LIMIT` (limits syntax, compound allowed: "10 per second;40 per minute").
Over the limit: 429 in the envelope with `Retry-After`.
"""

from __future__ import annotations

import math
import time

from fastapi import Depends, FastAPI, Request
from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from backend.core.client_ip import client_ip
from backend.core.errors import AppError, envelope
from backend.core.settings import Settings

RATE_LIMIT_MESSAGE = "Rate limit exceeded. Please slow down your requests."
# Names accepted by `rate_limit(name)`; each maps to the `<name>_rate_limit` setting.
LIMIT_NAMES = ("login", "order", "smart_order", "api", "greeks", "webhook")


class RateLimitedError(AppError):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(RATE_LIMIT_MESSAGE)
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, settings: Settings, storage: Storage, enabled_names: frozenset[str]) -> None:
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)
        self.enabled_names = enabled_names
        self.items: dict[str, list[RateLimitItem]] = {
            name: parse_many(getattr(settings, f"{name}_rate_limit")) for name in LIMIT_NAMES
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        if settings.redis_url:
            url = settings.redis_url
            uri = "async+redis+" + url if url.startswith("unix://") else "async+" + url
            storage: Storage = RedisStorage(uri, implementation="redispy", key_prefix=settings.rate_limit_key_prefix)
        else:
            storage = MemoryStorage()
        return cls(settings, storage, enabled_limit_names(settings))

    async def check(self, name: str, endpoint: str, ip: str) -> None:
        """Count one hit; raise RateLimitedError when any of the name's limits is exhausted."""
        if name not in self.enabled_names:
            return
        for item in self.items[name]:
            if not await self.strategy.hit(item, name, endpoint, ip):
                stats = await self.strategy.get_window_stats(item, name, endpoint, ip)
                raise RateLimitedError(max(1, math.ceil(stats.reset_time - time.time())))

    async def reset(self) -> None:
        await self.storage.reset()


def enabled_limit_names(settings: Settings) -> frozenset[str]:
    """RATE_LIMIT_ENABLED true: all; false: none; unset: all, except under ENVIRONMENT=test where
    only the login limit applies (other suites fire many requests from 127.0.0.1)."""
    if settings.rate_limit_enabled is True:
        return frozenset(LIMIT_NAMES)
    if settings.rate_limit_enabled is False:
        return frozenset()
    return frozenset({"login"}) if settings.environment == "test" else frozenset(LIMIT_NAMES)


def rate_limit(name: str):
    """A dependency counting this request against the `name` limit, keyed by client IP and route."""
    if name not in LIMIT_NAMES:
        raise ValueError(f"unknown rate limit {name!r}; one of {', '.join(LIMIT_NAMES)}")

    async def limited(request: Request) -> None:
        limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
        if limiter is None:
            return
        route = request.scope.get("route")
        endpoint = getattr(route, "path", None) or request.url.path
        await limiter.check(name, endpoint, client_ip(request.scope))

    return Depends(limited)


def install_rate_limit_handler(app: FastAPI) -> None:
    @app.exception_handler(RateLimitedError)
    async def _limited(_: Request, exc: RateLimitedError):
        response = envelope(exc.message, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
