"""Upstream connection pools: one per feed account, within the broker's declared limits.

Connections are opened on demand (a new one only when every open one is full), each symbol is
subscribed once at the highest mode anyone wants, and a connection that drops (the adapter calls
its optional `on_disconnect` hook, or the watchdog finds it silent) is rebuilt with exponential
back-off and full jitter, then every symbol it carried is subscribed again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from brokers.contract import Capabilities, FeedMode, Instrument, StreamingAdapter, Tick
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
    adapter: StreamingAdapter | None = None
    symbols: dict[UpstreamKey, tuple[Instrument, FeedMode]] = field(default_factory=dict)
    connected: bool = False
    reconnecting: bool = False
    reconnects: int = 0
    last_data: float = field(default_factory=time.monotonic)  # last tick, or (re)connect time
    last_error: str = ""
    generation: int = 0  # bumped on every rebuild so late ticks/disconnects of old adapters are ignored

    def health(self) -> dict[str, object]:
        return {"number": self.number, "connected": self.connected, "reconnecting": self.reconnecting,
                "symbols": len(self.symbols), "reconnects": self.reconnects,
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
        self.connections: list[UpstreamConnection] = []
        self._where: dict[UpstreamKey, UpstreamConnection] = {}
        self.last_tick: dict[UpstreamKey, float] = {}  # adapter ticks only (not REST fallback)
        self._tasks: set[asyncio.Task] = set()

    @property
    def symbol_count(self) -> int:
        return len(self._where)

    def instrument(self, key: UpstreamKey) -> tuple[Instrument, FeedMode] | None:
        connection = self._where.get(key)
        return connection.symbols.get(key) if connection else None

    # --- subscriptions ---------------------------------------------------------------------------

    async def set_mode(self, key: UpstreamKey, instrument: Instrument, mode: FeedMode) -> None:
        """Subscribe `key` at `mode`, upgrading or downgrading an existing subscription."""
        if mode not in self.capabilities.feed_modes:
            raise UpstreamError(f"{mode.name} mode is not supported by this broker")
        async with self._lock:
            connection = self._where.get(key)
            if connection is None:
                connection = await self._connection_with_room()
                connection.symbols[key] = (instrument, mode)
                self._where[key] = connection
                self.last_tick[key] = time.monotonic()
                try:
                    if connection.connected:
                        await connection.adapter.subscribe([instrument], mode)
                except Exception as exc:
                    del connection.symbols[key]
                    del self._where[key]
                    self.last_tick.pop(key, None)
                    raise UpstreamError(f"Subscription failed: {exc}") from exc
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

    async def release(self, key: UpstreamKey) -> None:
        async with self._lock:
            connection = self._where.pop(key, None)
            self.last_tick.pop(key, None)
            if connection is None:
                return
            instrument, mode = connection.symbols.pop(key)
            if connection.connected:
                try:
                    await connection.adapter.unsubscribe([instrument], mode)
                except Exception as exc:  # the key is gone from our books either way
                    log.warning("unsubscribe %s on %s failed: %s", key, self.feed_account, exc)
            if not connection.symbols:
                await self._retire(connection)

    async def resubscribe(self, key: UpstreamKey) -> None:
        """Unsubscribe and subscribe one symbol again (a symbol went silent)."""
        async with self._lock:
            connection = self._where.get(key)
            if connection is None or not connection.connected:
                return
            instrument, mode = connection.symbols[key]
            try:
                await connection.adapter.unsubscribe([instrument], mode)
                await connection.adapter.subscribe([instrument], mode)
            except Exception as exc:
                log.warning("resubscribe %s failed: %s", key, exc)
            # last_tick is left alone: the symbol stays stale (and REST-served) until a tick arrives.

    async def _connection_with_room(self) -> UpstreamConnection:
        per_connection = self.capabilities.max_symbols_per_connection
        for connection in self.connections:
            if len(connection.symbols) < per_connection:
                return connection
        if len(self.connections) >= self.capabilities.max_connections_per_user:
            raise CapacityExhausted(
                f"Maximum capacity reached: {self.capabilities.max_connections_per_user} connections × "
                f"{per_connection} symbols are in use for this broker account")
        used = {c.number for c in self.connections}
        connection = UpstreamConnection(number=min(set(range(len(used) + 1)) - used))
        try:
            await self._open(connection)
        except Exception as exc:
            raise UpstreamError(f"Broker connection failed: {exc}") from exc
        self.connections.append(connection)
        return connection

    async def _retire(self, connection: UpstreamConnection) -> None:
        self.connections.remove(connection)
        connection.generation += 1
        connection.connected = False
        if connection.adapter is not None:
            await _close_quietly(connection.adapter)

    # --- connection lifecycle ---------------------------------------------------------------------

    async def _open(self, connection: UpstreamConnection) -> None:
        connection.generation += 1
        generation = connection.generation
        adapter = await self._provider.open_adapter(self.feed_account)
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
        if key in self._where:
            self.last_tick[key] = now
            self._on_tick(key, tick)

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
        log.warning("upstream %s#%d: %s; reconnecting", self.feed_account, connection.number, reason)
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
                self._on_recovery(self.feed_account, f"connection #{connection.number} rebuilt after "
                                                     f"{attempt} attempt(s) ({reason})")
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

    def health(self) -> dict[str, object]:
        return {"symbols": self.symbol_count, "connections": [c.health() for c in self.connections],
                "limits": {"connections": self.capabilities.max_connections_per_user,
                           "symbols_per_connection": self.capabilities.max_symbols_per_connection}}


async def _close_quietly(adapter: StreamingAdapter) -> None:
    try:
        await asyncio.wait_for(adapter.close(), timeout=5)
    except Exception as exc:
        log.debug("closing adapter failed: %s", exc)
