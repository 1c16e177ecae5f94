"""The async interfaces a broker plugin implements. A mode is a composition of a data client and
an execution client (live: broker + broker; analyzer: broker data + paper engine; simulator:
synthetic market + paper engine)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date
from typing import Protocol, runtime_checkable

from brokers.contract.capabilities import Capabilities
from brokers.contract.types import (
    Candle,
    Depth,
    FeedMode,
    Funds,
    Gtt,
    GttRequest,
    Holding,
    Instrument,
    Order,
    OrderRequest,
    Position,
    Quote,
    Tick,
    Trade,
)


class InstrumentLookup(Protocol):
    """The installed master contract of one broker, as plugins see it: our symbol ↔ the broker's
    token and trading symbol. Exchanges are ours (`NSE`, `NFO`, `NSE_INDEX`…) except in
    `by_brsymbol`, which takes the broker's exchange/segment code."""

    def get(self, exchange: str, symbol: str) -> Instrument | None: ...

    def by_token(self, exchange: str, token: str) -> Instrument | None: ...

    def by_brsymbol(self, brexchange: str, brsymbol: str) -> Instrument | None: ...


@runtime_checkable
class DataClient(Protocol):
    """Market data for one user's session."""

    capabilities: Capabilities

    async def quote(self, instrument: Instrument) -> Quote: ...

    async def multiquote(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        """Keyed by `EXCHANGE:SYMBOL`; batched within the broker's limit by the plugin."""
        ...

    async def depth(self, instrument: Instrument) -> Depth: ...

    async def history(self, instrument: Instrument, interval: str, start: date, end: date) -> list[Candle]: ...


@runtime_checkable
class ExecutionClient(Protocol):
    """Orders and books for one user's session."""

    async def place_order(self, request: OrderRequest) -> Order: ...

    async def modify_order(self, orderid: str, request: OrderRequest) -> Order: ...

    async def cancel_order(self, orderid: str) -> Order: ...

    async def orders(self) -> list[Order]: ...

    async def trades(self) -> list[Trade]: ...

    async def positions(self) -> list[Position]: ...

    async def holdings(self) -> list[Holding]: ...

    async def funds(self) -> Funds: ...


TickHandler = Callable[[Tick], Awaitable[None] | None]


@runtime_checkable
class StreamingAdapter(Protocol):
    """One upstream market-data connection. The hub's pool opens as many as the capabilities allow.

    An adapter built for deep depth (`streaming_adapter(..., depth_levels=N)`, declared by
    `Capabilities.deep_depth`) is subscribed with `FeedMode.DEPTH` only and delivers ticks whose
    `depth` holds up to N levels per side; its other tick fields may be empty (`ltp` 0) when the
    broker's deep socket sends only the book. The pool merges such ticks with the main feed's.
    """

    async def connect(self) -> None: ...

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None: ...

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None: ...

    def on_tick(self, handler: TickHandler) -> None:
        """Register the callback that receives every normalised tick."""
        ...

    # Optional: `def on_disconnect(self, callback: Callable[[str], None]) -> None`. An adapter that
    # has it calls `callback(reason)` when its socket drops; the hub's pool then reconnects with
    # back-off and resubscribes everything. Adapters keep their own heartbeat (WebSocket ping or
    # the broker's application-level heartbeat) so a half-open socket is noticed.

    async def close(self) -> None: ...


@runtime_checkable
class MarginClient(Protocol):
    """Optional, for brokers with `capabilities.basket_margin`: the margin a basket needs."""

    async def margin(self, requests: Sequence[OrderRequest]) -> dict[str, float]:
        """Keys: `total_margin_required`, `span_margin`, `exposure_margin` (OpenAlgo's margin API)."""
        ...


@runtime_checkable
class InstrumentProvider(Protocol):
    """Downloads and transforms the broker's master contract into our instrument model."""

    async def download(self, progress: Callable[[str, float], None] | None = None) -> list[Instrument]: ...


@runtime_checkable
class GttClient(Protocol):
    """Optional, for brokers with `capabilities.gtt`: the execution client also manages GTTs.
    Every call returns or names the broker's trigger id."""

    async def place_gtt(self, request: GttRequest) -> str: ...

    async def modify_gtt(self, trigger_id: str, request: GttRequest) -> str: ...

    async def cancel_gtt(self, trigger_id: str) -> str: ...

    async def gtts(self) -> list[Gtt]:
        """The broker's GTT book (any status; callers keep the active ones)."""
        ...
