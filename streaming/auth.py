"""What the hub needs from the rest of the application, as protocols the backend implements.

`streaming` never imports `backend`: the backend passes objects satisfying these protocols to
`StreamingHub(...)`. Tests pass small fakes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from brokers.contract import Capabilities, Instrument, StreamingAdapter, Tick


@dataclass(frozen=True, slots=True)
class FeedPrincipal:
    """Who is on the other end of a socket.

    `feed_account` names the upstream pool that serves this user: users sharing one broker
    account (or the simulator's single synthetic market) share one pool and its subscriptions;
    ticks never cross feed accounts.
    """

    user_id: str
    broker: str  # shown in acks and `market_data.broker` ("simulator", "zerodha", …)
    feed_account: str


@runtime_checkable
class ApiKeyAuthenticator(Protocol):
    """Feed protocol: API key → principal, or None when the key is unknown or revoked."""

    async def authenticate_api_key(self, api_key: str) -> FeedPrincipal | None: ...


@runtime_checkable
class SessionAuthenticator(Protocol):
    """Socket.IO: the browser's web session (cookies in `headers["cookie"]`, or the Socket.IO
    `auth` payload) → principal, or None. The browser never sees an API key."""

    async def authenticate_session(
        self, headers: Mapping[str, str], auth: Mapping[str, object] | None
    ) -> FeedPrincipal | None: ...


@runtime_checkable
class SymbolResolver(Protocol):
    """OpenAlgo exchange + symbol → the broker's instrument, or None when unknown."""

    async def resolve(self, principal: FeedPrincipal, exchange: str, symbol: str) -> Instrument | None: ...


@runtime_checkable
class UpstreamProvider(Protocol):
    """Opens upstream market-data connections for a feed account."""

    def capabilities(self, feed_account: str) -> Capabilities: ...

    async def open_adapter(self, feed_account: str, depth_levels: int | None = None) -> StreamingAdapter:
        """A new, not yet connected adapter. The pool calls `connect()` and registers `on_tick`.

        `depth_levels` asks for a deep-depth adapter (books of that size, one of
        `capabilities(feed_account).deep_depth.levels`); the pool passes it, as a keyword, only
        when the capabilities declare deep depth, so providers without it may omit the parameter."""
        ...


# REST fallback while a feed is stale: (feed_account, instruments) → latest ticks (any subset).
QuoteFetcher = Callable[[str, Sequence[Instrument]], Awaitable[Sequence[Tick]]]
# Is the market for this exchange open now? The watchdog only reports stalls while it is.
MarketClock = Callable[[str], bool]


def always_open(exchange: str) -> bool:
    return True
