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
class DeepDepth:
    """Order books deeper than the main feed's, streamed by adapters built for one level count
    (`BrokerPlugin.streaming_adapter(session, instruments, depth_levels=N)`).

    Such an adapter carries DEPTH subscriptions only, and its ticks may hold nothing but the book
    (Dhan's and Fyers' deep sockets send no LTP): the hub's pool keeps the symbol on the main feed
    too and lays the deep book over the main feed's quote fields.

    `own_socket` says whether the broker serves these books on a separate endpoint (Dhan's
    twentydepth URL, Fyers' TBT socket) or as a mode of the feed socket (Angel's mode 4, Upstox's
    full_d30); either way the pool gives deep subscriptions their own connections, since one
    adapter serves one level count. `shares_connection_limit`: deep connections count toward
    `Capabilities.max_connections_per_user` as well as toward `max_connections`.
    """

    levels: tuple[int, ...]
    exchanges: frozenset[Exchange]
    max_symbols_per_connection: int = 50
    max_connections: int = 1
    own_socket: bool = True
    shares_connection_limit: bool = True

    def serves(self, exchange: Exchange | str) -> bool:
        return exchange in self.exchanges  # StrEnum: a plain "NSE" matches Exchange.NSE


@dataclass(frozen=True)
class Capabilities:
    exchanges: frozenset[Exchange] = frozenset(Exchange)
    # Levels of the REST depth call (and of the streaming feed: `feed_depth_levels` ∪ deep levels).
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
    # Book levels of the main streaming feed's DEPTH mode (every exchange it serves).
    feed_depth_levels: int = 5
    # Deeper streamed books, when the broker offers them (None: the main feed's levels only).
    deep_depth: DeepDepth | None = None

    def stream_depth_levels(self, exchange: Exchange | str) -> tuple[int, ...]:
        """The book sizes a feed client may get for a symbol of `exchange`, ascending."""
        levels = {min(5, self.feed_depth_levels), self.feed_depth_levels}  # 5 is universal: a prefix
        if self.deep_depth is not None and self.deep_depth.serves(exchange):
            levels.update(self.deep_depth.levels)
        return tuple(sorted(levels))
