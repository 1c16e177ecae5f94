"""Upstream connection pools: one per feed account, within the broker's declared limits.

Connections are opened on demand (a new one only when every open one is full), each symbol is
subscribed once at the highest mode anyone wants, and a connection that drops (the adapter calls
its optional `on_disconnect` hook, or the watchdog finds it silent) is rebuilt with exponential
back-off and full jitter, then every symbol it carried is subscribed again.

Deep depth (`Capabilities.deep_depth`) lives in a second group of connections, one level count
per connection, opened only when a symbol's demand is DEPTH with more levels than the main feed
carries, on an exchange the deep feed serves, and retired with its last symbol. Such a symbol
stays on the main feed at DEPTH as well: deep sockets often send the book alone (no LTP, no OHLC),
so every tick of the symbol is the main feed's latest tick with the latest deep book laid over
it. One merged tick serves every audience: a 5-level client gets the first 5 rows of the deep
book, a 20-level client all 20. While a deep connection is down its books are dropped, so clients
get the main feed's 5 levels rather than a frozen deep book. Dropping back to 5 levels removes
the symbol from the deep group only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from brokers.contract import Capabilities, Depth, FeedMode, Instrument, Quote, StreamingAdapter, Tick
from streaming.auth import UpstreamProvider
from streaming.config import HubConfig
from streaming.index import UpstreamKey

log = logging.getLogger("algogate.streaming.pool")

TickSink = Callable[[UpstreamKey, Tick], None]


class UpstreamError(Exception):
    """Subscribing upstream failed; the message is shown to the client per symbol."""


class CapacityExhausted(UpstreamError):
    pass


@dataclass
class UpstreamConnection:
    number: int
    depth_levels: int | None = None  # None: the main feed; N: a deep-depth connection for N-level books
    adapter: StreamingAdapter | None = None
    symbols: dict[UpstreamKey, tuple[Instrument, FeedMode]] = field(default_factory=dict)
    connected: bool = False
    reconnecting: bool = False
    reconnects: int = 0
    last_data: float = field(default_factory=time.monotonic)  # last tick, or (re)connect time
    last_error: str = ""
    generation: int = 0  # bumped on every rebuild so late ticks/disconnects of old adapters are ignored

    @property
    def group(self) -> str:
        return "main" if self.depth_levels is None else f"depth-{self.depth_levels}"

    def health(self) -> dict[str, object]:
        return {"number": self.number, "group": self.group, "connected": self.connected,
                "reconnecting": self.reconnecting, "symbols": len(self.symbols), "reconnects": self.reconnects,
                "silent_seconds": round(time.monotonic() - self.last_data, 1), "last_error": self.last_error}


class UpstreamPool:
    def __init__(self, feed_account: str, provider: UpstreamProvider, config: HubConfig, on_tick: TickSink,
                 on_recovery: Callable[[str, str], None] | None = None) -> None:
        self.feed_account = feed_account
        self.capabilities: Capabilities = provider.capabilities(feed_account)
        self._provider = provider
        self._config = config
        self._on_tick = on_tick
        self._on_recovery = on_recovery or (lambda account, what: None)
        self._lock = asyncio.Lock()
        self._closed = False
        self.connections: list[UpstreamConnection] = []  # both groups
        self._where: dict[UpstreamKey, UpstreamConnection] = {}  # main feed
        self._deep_where: dict[UpstreamKey, UpstreamConnection] = {}  # deep-depth group
        self._main_tick: dict[UpstreamKey, Tick] = {}  # latest main-feed tick of each deep key
        self._main_tick_at: dict[UpstreamKey, float] = {}  # and when it came (the watchdog's clue)
        self._deep_book: dict[UpstreamKey, Depth] = {}  # latest deep book of each deep key
        self.last_tick: dict[UpstreamKey, float] = {}  # adapter ticks only (not REST fallback)
        self._tasks: set[asyncio.Task] = set()

    @property
    def symbol_count(self) -> int:
        return len(self._where)

    def instrument(self, key: UpstreamKey) -> tuple[Instrument, FeedMode] | None:
        connection = self._where.get(key)
        return connection.symbols.get(key) if connection else None

    def deep_levels(self, key: UpstreamKey) -> int | None:
        """The book size `key` is subscribed at in the deep group (None: main feed only)."""
        connection = self._deep_where.get(key)
        return connection.depth_levels if connection else None

    def _deep_target(self, instrument: Instrument, mode: FeedMode, depth_levels: int) -> int | None:
        """The deep connection group a demand belongs to, or None when the main feed covers it."""
        deep = self.capabilities.deep_depth
        if (mode != FeedMode.DEPTH or deep is None or depth_levels <= self.capabilities.feed_depth_levels
                or not deep.serves(instrument.exchange)):
            return None
        offered = sorted(deep.levels)
        return next((levels for levels in offered if levels >= depth_levels), offered[-1])

    # --- subscriptions ---------------------------------------------------------------------------

    async def set_mode(self, key: UpstreamKey, instrument: Instrument, mode: FeedMode,
                       depth_levels: int = 5) -> None:
        """Subscribe `key` at `mode` (and, at DEPTH, books of `depth_levels`), upgrading or
        downgrading an existing subscription; a failure leaves the previous subscription."""
        if mode not in self.capabilities.feed_modes:
            raise UpstreamError(f"{mode.name} mode is not supported by this broker")
        async with self._lock:
            before = self.deep_levels(key)
            await self._set_deep(key, instrument, self._deep_target(instrument, mode, depth_levels))
            try:
                await self._set_main(key, instrument, mode)
            except UpstreamError:
                try:
                    await self._set_deep(key, instrument, before)
                except UpstreamError as exc:
                    log.warning("restoring the depth subscription of %s failed: %s", key, exc)
                raise

    async def _set_main(self, key: UpstreamKey, instrument: Instrument, mode: FeedMode) -> None:
        connection = self._where.get(key)
        if connection is None:
            self._where[key] = await self._add(key, instrument, mode, None)
            self.last_tick[key] = time.monotonic()
            return
        _, current = connection.symbols[key]
        if current == mode:
            return
        connection.symbols[key] = (instrument, mode)
        if connection.connected:
            try:
                if mode < current:  # downgrade: brokers keep the higher mode otherwise
                    await connection.adapter.unsubscribe([instrument], current)
                await connection.adapter.subscribe([instrument], mode)
            except Exception as exc:
                connection.symbols[key] = (instrument, current)
                raise UpstreamError(f"Changing mode failed: {exc}") from exc

    async def _set_deep(self, key: UpstreamKey, instrument: Instrument | None, levels: int | None) -> None:
        """Move `key` to the deep connection group for `levels` (None: out of the deep group)."""
        current = self._deep_where.get(key)
        if (current.depth_levels if current else None) == levels:
            return
        if levels is not None:
            try:
                self._deep_where[key] = await self._add(key, instrument, FeedMode.DEPTH, levels)
            except CapacityExhausted:
                raise
            except UpstreamError as exc:
                raise UpstreamError(f"{levels}-level depth: {exc}") from exc
        else:
            del self._deep_where[key]
        if current is not None:
            self._deep_book.pop(key, None)
            await self._drop(current, key)
        if levels is None:
            self._main_tick.pop(key, None)
            self._main_tick_at.pop(key, None)

    async def _add(self, key: UpstreamKey, instrument: Instrument, mode: FeedMode,
                   depth_levels: int | None) -> UpstreamConnection:
        connection = await self._connection_with_room(depth_levels)
        connection.symbols[key] = (instrument, mode)
        try:
            if connection.connected:
                await connection.adapter.subscribe([instrument], mode)
        except Exception as exc:
            del connection.symbols[key]
            if not connection.symbols:
                await self._retire(connection)
            raise UpstreamError(f"Subscription failed: {exc}") from exc
        return connection

    async def _drop(self, connection: UpstreamConnection, key: UpstreamKey) -> None:
        instrument, mode = connection.symbols.pop(key)
        if connection.connected:
            try:
                await connection.adapter.unsubscribe([instrument], mode)
            except Exception as exc:  # the key is gone from our books either way
                log.warning("unsubscribe %s on %s#%d failed: %s", key, self.feed_account, connection.number, exc)
        if not connection.symbols:
            await self._retire(connection)

    async def release(self, key: UpstreamKey) -> None:
        async with self._lock:
            self.last_tick.pop(key, None)
            await self._set_deep(key, None, None)
            connection = self._where.pop(key, None)
            if connection is not None:
                await self._drop(connection, key)

    async def resubscribe(self, key: UpstreamKey) -> None:
        """Unsubscribe and subscribe one symbol again (a symbol went silent)."""
        async with self._lock:
            for connection in (self._where.get(key), self._deep_where.get(key)):
                if connection is None or not connection.connected:
                    continue
                instrument, mode = connection.symbols[key]
                try:
                    await connection.adapter.unsubscribe([instrument], mode)
                    await connection.adapter.subscribe([instrument], mode)
                except Exception as exc:
                    log.warning("resubscribe %s failed: %s", key, exc)
            # last_tick is left alone: the symbol stays stale (and REST-served) until a tick arrives.

    async def _connection_with_room(self, depth_levels: int | None = None) -> UpstreamConnection:
        caps = self.capabilities
        deep = caps.deep_depth
        if depth_levels is None:
            per_connection, group_limit = caps.max_symbols_per_connection, caps.max_connections_per_user
        else:
            per_connection, group_limit = deep.max_symbols_per_connection, deep.max_connections
        for connection in self.connections:
            if connection.depth_levels == depth_levels and len(connection.symbols) < per_connection:
                return connection
        if depth_levels is None:
            group = [c for c in self.connections if c.depth_levels is None]
            if len(group) >= group_limit:
                raise CapacityExhausted(
                    f"Maximum capacity reached: {group_limit} connections × {per_connection} symbols are in "
                    "use for this broker account")
        elif len([c for c in self.connections if c.depth_levels is not None]) >= group_limit:
            raise CapacityExhausted(
                f"Maximum capacity reached for {depth_levels}-level depth: {group_limit} connection(s) × "
                f"{per_connection} symbols are in use for this broker account")
        shared = [c for c in self.connections
                  if c.depth_levels is None or (deep is not None and deep.shares_connection_limit)]
        sharing = depth_levels is None or deep.shares_connection_limit
        if sharing and len(shared) >= caps.max_connections_per_user:
            raise CapacityExhausted(
                f"Maximum capacity reached: all {caps.max_connections_per_user} connections of this broker "
                "account (market feed and depth) are in use")
        used = {c.number for c in self.connections}
        connection = UpstreamConnection(number=min(set(range(len(used) + 1)) - used), depth_levels=depth_levels)
        try:
            await self._open(connection)
        except Exception as exc:
            if connection.adapter is not None:
                await _close_quietly(connection.adapter)
            raise UpstreamError(f"Broker connection failed: {exc}") from exc
        self.connections.append(connection)
        return connection

    async def _retire(self, connection: UpstreamConnection) -> None:
        if connection in self.connections:
            self.connections.remove(connection)
        connection.generation += 1
        connection.connected = False
        if connection.adapter is not None:
            await _close_quietly(connection.adapter)

    # --- connection lifecycle ---------------------------------------------------------------------

    async def _open(self, connection: UpstreamConnection) -> None:
        connection.generation += 1
        generation = connection.generation
        if connection.depth_levels is None:
            adapter = await self._provider.open_adapter(self.feed_account)
        else:
            adapter = await self._provider.open_adapter(self.feed_account, depth_levels=connection.depth_levels)
        adapter.on_tick(lambda tick: self._tick(connection, generation, tick))
        hook = getattr(adapter, "on_disconnect", None)
        if callable(hook):
            hook(lambda reason="connection lost": self._lost(connection, generation, reason))
        connection.adapter = adapter
        await adapter.connect()
        connection.connected = True
        connection.last_data = time.monotonic()

    def _tick(self, connection: UpstreamConnection, generation: int, tick: Tick) -> None:
        if generation != connection.generation:
            return
        now = time.monotonic()
        connection.last_data = now
        key = (self.feed_account, str(tick.exchange), tick.symbol)
        if connection.depth_levels is None:
            if key not in self._where:
                return
            if key in self._deep_where:
                self._main_tick[key] = tick
                self._main_tick_at[key] = now
                book = self._deep_book.get(key)
                if book is not None:
                    tick = with_book(tick, book)
        else:
            if self._deep_where.get(key) is not connection or tick.depth is None:
                return
            self._deep_book[key] = tick.depth
            main = self._main_tick.get(key)
            if main is not None:
                tick = with_book(main, tick.depth)
            elif tick.ltp <= 0:
                return  # a bare book waits for the main feed's first tick (its price fields)
        self.last_tick[key] = now
        self._on_tick(key, tick)

    def traded_since(self, keys, since: float) -> bool:
        """Whether the main feed delivered a tick for any of the deep `keys` after `since`."""
        return any(self._main_tick_at.get(key, 0.0) > since for key in keys)

    def _lost(self, connection: UpstreamConnection, generation: int, reason: str) -> None:
        if generation == connection.generation and not self._closed:
            self.reconnect(connection, f"disconnected: {reason}")

    def reconnect(self, connection: UpstreamConnection, reason: str) -> None:
        """Rebuild a connection in the background (idempotent while one rebuild is running)."""
        if connection.reconnecting or self._closed or connection not in self.connections:
            return
        connection.reconnecting = True
        connection.connected = False
        connection.generation += 1  # ignore whatever the old adapter still delivers
        connection.last_error = reason
        if connection.depth_levels is not None:
            for key in connection.symbols:  # the main feed's 5 levels meanwhile, not a frozen deep book
                self._deep_book.pop(key, None)
        log.warning("upstream %s#%d (%s): %s; reconnecting", self.feed_account, connection.number,
                    connection.group, reason)
        task = asyncio.get_running_loop().create_task(self._rebuild(connection, reason))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _rebuild(self, connection: UpstreamConnection, reason: str) -> None:
        attempt = 0
        try:
            while not self._closed and connection in self.connections:
                if attempt:
                    ceiling = min(self._config.reconnect_max_seconds,
                                  self._config.reconnect_initial_seconds * 2 ** (attempt - 1))
                    await asyncio.sleep(random.uniform(0, ceiling))  # full jitter
                attempt += 1
                old = connection.adapter
                connection.adapter = None
                if old is not None:
                    await _close_quietly(old)
                try:
                    async with self._lock:
                        if connection not in self.connections:
                            return
                        await self._open(connection)
                        await self._subscribe_all(connection)
                except Exception as exc:
                    connection.connected = False
                    connection.last_error = f"reconnect attempt {attempt} failed: {exc}"
                    log.warning("upstream %s#%d: %s", self.feed_account, connection.number, connection.last_error)
                    continue
                connection.reconnects += 1
                now = time.monotonic()
                for key in connection.symbols:
                    self.last_tick[key] = now
                self._on_recovery(self.feed_account, f"connection #{connection.number} ({connection.group}) "
                                                     f"rebuilt after {attempt} attempt(s) ({reason})")
                return
        finally:
            connection.reconnecting = False

    async def _subscribe_all(self, connection: UpstreamConnection) -> None:
        by_mode: dict[FeedMode, list[Instrument]] = {}
        for instrument, mode in connection.symbols.values():
            by_mode.setdefault(mode, []).append(instrument)
        chunk = max(1, self.capabilities.max_instruments_per_subscribe)
        for mode, instruments in by_mode.items():
            for start in range(0, len(instruments), chunk):
                await connection.adapter.subscribe(instruments[start:start + chunk], mode)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for connection in list(self.connections):
            await self._retire(connection)
        self._where.clear()
        self._deep_where.clear()
        self._main_tick.clear()
        self._main_tick_at.clear()
        self._deep_book.clear()

    def health(self) -> dict[str, object]:
        caps = self.capabilities
        limits: dict[str, object] = {"connections": caps.max_connections_per_user,
                                     "symbols_per_connection": caps.max_symbols_per_connection}
        if caps.deep_depth is not None:
            limits["depth"] = {"levels": list(caps.deep_depth.levels),
                               "connections": caps.deep_depth.max_connections,
                               "symbols_per_connection": caps.deep_depth.max_symbols_per_connection,
                               "shares_connection_limit": caps.deep_depth.shares_connection_limit}
        return {"symbols": self.symbol_count, "depth_symbols": len(self._deep_where),
                "connections": [c.health() for c in self.connections], "limits": limits}


def with_book(tick: Tick, book: Depth) -> Tick:
    """`tick` (the main feed's) carrying `book` (a deep feed's) as its order book."""
    quote = tick.depth.quote if tick.depth is not None else Quote(
        ltp=tick.ltp, open=tick.open, high=tick.high, low=tick.low, prev_close=tick.close, volume=tick.volume,
        oi=tick.oi)
    total_buy = book.total_buy_qty or tick.total_buy_quantity
    total_sell = book.total_sell_qty or tick.total_sell_quantity
    best_bid = book.bids[0] if book.bids else None
    best_ask = book.asks[0] if book.asks else None
    return dataclasses.replace(
        tick, mode=FeedMode.DEPTH, depth=Depth(quote, book.bids, book.asks, total_buy, total_sell),
        bid=best_bid.price if best_bid else tick.bid, ask=best_ask.price if best_ask else tick.ask,
        bid_qty=best_bid.quantity if best_bid else tick.bid_qty, ask_qty=best_ask.quantity if best_ask else tick.ask_qty,
        total_buy_quantity=total_buy, total_sell_quantity=total_sell)


async def _close_quietly(adapter: StreamingAdapter) -> None:
    try:
        await asyncio.wait_for(adapter.close(), timeout=5)
    except Exception as exc:
        log.debug("closing adapter failed: %s", exc)
