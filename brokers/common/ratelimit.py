"""Client-side token buckets, one per broker endpoint group, so we never trip a broker's limits."""

from __future__ import annotations

import asyncio
import time

from brokers.contract.capabilities import RateLimit


class TokenBucket:
    """Waits (never fails) until a token is free. Fair: callers are served in arrival order."""

    def __init__(self, limit: RateLimit, clock=time.monotonic) -> None:
        self.rate = limit.rate / limit.per_seconds  # tokens per second
        self.capacity = float(limit.burst or max(1, int(limit.rate)))
        self.tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self, tokens: float = 1.0) -> float:
        """Take `tokens`; returns the seconds waited."""
        waited = 0.0
        async with self._lock:
            self._refill()
            while self.tokens < tokens:
                delay = (tokens - self.tokens) / self.rate
                await asyncio.sleep(delay)
                waited += delay
                self._refill()
            self.tokens -= tokens
        return waited


class RateLimiter:
    """Buckets by endpoint group ("orders", "quotes", "history", "other"); unknown groups are unlimited."""

    def __init__(self, limits: dict[str, RateLimit]) -> None:
        self.buckets = {group: TokenBucket(limit) for group, limit in limits.items()}

    async def acquire(self, group: str) -> float:
        bucket = self.buckets.get(group) or self.buckets.get("other")
        return await bucket.acquire() if bucket else 0.0
