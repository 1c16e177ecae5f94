"""What a broker can do, declared in data (ccxt's `has` map) so callers never probe by trial."""

from __future__ import annotations

from dataclasses import dataclass, field

from brokers.contract.types import Exchange, FeedMode


@dataclass(frozen=True)
class RateLimit:
    """Token bucket: `rate` requests per `per_seconds`, bursting up to `burst` (default = rate)."""

    rate: float
    per_seconds: float = 1.0
    burst: int | None = None


@dataclass(frozen=True)
class Capabilities:
    exchanges: frozenset[Exchange] = frozenset(Exchange)
    depth_levels: tuple[int, ...] = (5,)
    intervals: tuple[str, ...] = ("1m", "3m", "5m", "10m", "15m", "30m", "1h", "D")
    history_max_days: dict[str, int] = field(default_factory=dict)  # per interval, per request
    feed_modes: frozenset[FeedMode] = frozenset(FeedMode)
    max_symbols_per_connection: int = 1000
    max_connections_per_user: int = 3
    max_instruments_per_subscribe: int = 100
    max_symbols_per_multiquote: int = 50
    gtt: bool = False
    basket_margin: bool = False
    # Client-side token buckets per endpoint group: "orders", "quotes", "history", "other".
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
