"""The streaming hub: one per worker process, started and stopped by the app's lifespan.

It owns the subscription index, the upstream pools, the fan-out to feed clients, the Socket.IO
bridge, the backplane and the staleness watchdog. Everything it needs from the application
(API-key and session authentication, symbol resolution, upstream adapters, REST quotes, the
market clock) is passed in as protocols from `streaming.auth`.

Public API for the rest of the app:
- `await hub.subscribe_internal(instrument, mode, callback, feed_account=...)` → subscription
  with `await sub.close()`; the callback gets every `Tick` (unthrottled, in order);
- `await hub.publish_user_event(user_id, event, payload)` → that user's Socket.IO sockets;
- `await hub.publish_order_update(user_id, update)` → Socket.IO `order_update` and feed clients
  that sent `subscribe_orders`.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from brokers.contract import Capabilities, FeedMode, Instrument, Tick
from streaming.auth import (
    ApiKeyAuthenticator,
    FeedPrincipal,
    MarketClock,
    QuoteFetcher,
    SessionAuthenticator,
    SymbolResolver,
    UpstreamProvider,
    always_open,
)
from streaming.backplane import Backplane
from streaming.backplane.inprocess import InProcessBackplane
from streaming.config import HubConfig
from streaming.fanout import ClientSink, FeedClient, FlushClock
from streaming.index import Demand, SubscriptionIndex, UpstreamKey
from streaming.messages import MODE_LABELS, market_data_message, now_ms
from streaming.pool import UpstreamError, UpstreamPool
from streaming.watchdog import StalenessWatchdog

log = logging.getLogger("algogate.streaming")

TickCallback = Callable[[Tick], Any]
_tokens = itertools.count(1)


class InternalSubscription:
    """An in-app consumer's subscription. Async callbacks run in order on one task per
    subscription (bounded: beyond 10,000 waiting ticks the oldest are dropped and counted)."""

    MAX_BACKLOG = 10_000

    def __init__(self, hub: StreamingHub, key: UpstreamKey, mode: FeedMode, callback: TickCallback) -> None:
        self.token = next(_tokens)
        self.key = key
        self.mode = mode
        self.dropped = 0
        self._hub = hub
        self._callback = callback
        self._is_async = inspect.iscoroutinefunction(callback)
        self._backlog: deque[Tick] = deque(maxlen=self.MAX_BACKLOG)
        self._ready = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._drain()) if self._is_async else None

    def __call__(self, tick: Tick) -> None:
        if not self._is_async:
            try:
                self._callback(tick)
            except Exception:
                log.exception("in-app tick consumer failed")
            return
        if len(self._backlog) == self.MAX_BACKLOG:
            self.dropped += 1
        self._backlog.append(tick)
        self._ready.set()

    async def _drain(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._backlog:
                try:
                    await self._callback(self._backlog.popleft())
                except Exception:
                    log.exception("in-app tick consumer failed")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        await self._hub._remove_internal(self)


class StreamingHub:
    def __init__(self, config: HubConfig | None = None, *, upstreams: UpstreamProvider | None = None,
                 api_keys: ApiKeyAuthenticator | None = None, sessions: SessionAuthenticator | None = None,
                 symbols: SymbolResolver | None = None, quote_fetcher: QuoteFetcher | None = None,
                 market_open: MarketClock = always_open, backplane: Backplane | None = None,
                 default_feed_account: str = "simulator", supported_brokers: list[str] | None = None,
                 cors_allowed_origins: list[str] | None = None) -> None:
        self.config = config or HubConfig()
        self.upstreams = upstreams
        self.api_keys = api_keys
        self.sessions = sessions
        self.symbols = symbols
        self.default_feed_account = default_feed_account
        self.supported_brokers = supported_brokers or []
        self.backplane = backplane or InProcessBackplane()
        self.index = SubscriptionIndex()
        self.pools: dict[str, UpstreamPool] = {}
        self.watchdog = StalenessWatchdog(self.config, lambda: self.pools.values(), self.deliver_tick,
                                          market_open, quote_fetcher)
        self.clients: set[FeedClient] = set()
        self.flush_clock = FlushClock(self.config.throttle_seconds)
        self._clients_by_user: defaultdict[str, set[FeedClient]] = defaultdict(set)
        self._broker_of_account: dict[str, str] = {}
        self._pushed_demand: dict[UpstreamKey, Demand] = {}
        self._key_locks: defaultdict[UpstreamKey, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._user_event_sinks: list[Callable[[str, str, Any], None]] = []
        self._listeners: list[Any] = []
        self._cors_allowed_origins = cors_allowed_origins
        self.socketio: Any = None  # the Socket.IO bridge, created on start
        self.listener_error = ""  # set by the app when the feed port could not be opened
        self._running = asyncio.Event()
        self.ticks_in = 0

    @property
    def running(self) -> bool:
        return self._running.is_set()

    async def start(self) -> None:
        from streaming.transports.socketio import SocketIOBridge

        await self.backplane.start(self)
        self.watchdog.start()
        self.flush_clock.start()
        self.socketio = SocketIOBridge(self, self._cors_allowed_origins)
        await self.socketio.start()
        self._running.set()
        log.debug("streaming hub started (%s backplane)", self.backplane.name)

    async def add_listener(self, listener: Any) -> None:
        """Extra transports with their own lifecycle (the feed port); stopped with the hub."""
        await listener.start()
        self._listeners.append(listener)

    def add_user_event_sink(self, sink: Callable[[str, str, Any], None]) -> None:
        self._user_event_sinks.append(sink)

    async def stop(self) -> None:
        self._running.clear()
        for listener in reversed(self._listeners):
            await listener.stop()
        self._listeners.clear()
        if self.socketio is not None:
            await self.socketio.stop()
        clients = list(self.clients)
        closing = asyncio.gather(*(c.sink.close(1001, "server shutting down") for c in clients),
                                 return_exceptions=True)
        try:
            await asyncio.wait_for(closing, timeout=5)
        except TimeoutError:
            log.warning("some feed clients did not close in time")
        for client in clients:
            await self.disconnect_client(client)
        await self.flush_clock.stop()
        await self.watchdog.stop()
        await self.backplane.stop()
        for pool in self.pools.values():
            await pool.close()
        self.pools.clear()
        log.debug("streaming hub stopped")

    async def close_feed_account(self, feed_account: str) -> bool:
        """Tear down a feed account's upstream connections (its broker session died or logged out).
        Clients keep their subscriptions in the index; a new pool opens, with a fresh session, on
        the next subscription after the user logs in again."""
        pool = self.pools.pop(feed_account, None)
        if pool is None:
            return False
        await pool.close()
        for key in [key for key in self._pushed_demand if key[0] == feed_account]:
            self._pushed_demand.pop(key, None)
        log.info("upstream feeds of %s closed", feed_account)
        return True

    def health(self) -> dict[str, object]:
        stalled = any(c.reconnecting for pool in self.pools.values() for c in pool.connections)
        return {
            "status": "ok" if self.running else "error",
            "clients": len(self.clients),
            "upstream": {account: pool.health() for account, pool in self.pools.items()},
            "feed_degraded": stalled or bool(self.watchdog.stale),
            "ticks_in": self.ticks_in,
            "feed_listeners": [f"{lst.host}:{lst.port}" for lst in self._listeners],
            **({"listener_error": self.listener_error} if self.listener_error else {}),
            **self.index.stats(), **self.watchdog.health(), **self.backplane.health(),
        }

    # --- feed clients (used by the transports) -----------------------------------------------------

    def connect_client(self, sink: ClientSink, remote: str = "") -> FeedClient:
        client = FeedClient(sink, self.config, remote, self.flush_clock)
        self.clients.add(client)
        client.start()
        return client

    async def disconnect_client(self, client: FeedClient) -> None:
        if client not in self.clients:
            return
        self.clients.discard(client)
        if client.principal is not None:
            self._clients_by_user[client.principal.user_id].discard(client)
        await client.stop()
        for change in self.index.remove_client(client):
            if change.changed:
                await self._sync_demand(change.key, change.instrument, swallow=True)

    async def authenticate(self, client: FeedClient, api_key: str) -> FeedPrincipal | None:
        if self.api_keys is None:
            return None
        principal = await self.api_keys.authenticate_api_key(api_key)
        if principal is None:
            return None
        if client.principal is not None:
            self._clients_by_user[client.principal.user_id].discard(client)
        client.principal = principal
        self._clients_by_user[principal.user_id].add(client)
        self._broker_of_account[principal.feed_account] = principal.broker
        return principal

    def too_many_clients(self, user_id: str) -> bool:
        return len(self._clients_by_user.get(user_id, ())) > self.config.max_clients_per_user

    def capabilities(self, feed_account: str) -> Capabilities:
        if feed_account in self.pools:
            return self.pools[feed_account].capabilities
        return self.upstreams.capabilities(feed_account) if self.upstreams else Capabilities()

    async def subscribe(self, client: FeedClient, exchange: str, symbol: str, mode: FeedMode,
                        depth: int) -> dict[str, Any]:
        """Subscribe one symbol; returns the ack's per-symbol entry."""
        principal = client.principal
        result: dict[str, Any] = {"symbol": symbol, "exchange": exchange}
        instrument = await self._resolve(principal, exchange, symbol)
        if instrument is None:
            return {**result, "status": "error", "message": "Symbol not found", "broker": principal.broker}
        key = (principal.feed_account, exchange, symbol)
        if (not self.index.holds(client, key, mode)
                and self.index.subscription_count(client) >= self.config.max_subscriptions_per_client):
            return {**result, "status": "error", "broker": principal.broker,
                    "message": f"Subscription limit reached ({self.config.max_subscriptions_per_client} per "
                               "connection)"}
        levels = self._depth_levels(principal.feed_account, exchange, depth)
        self.index.add(client, key, instrument, mode, levels)
        try:
            await self._sync_demand(key, instrument)
        except UpstreamError as exc:
            self.index.remove(client, key, mode)
            await self._sync_demand(key, instrument, swallow=True)
            return {**result, "status": "error", "message": str(exc), "broker": principal.broker}
        return {**result, "status": "success", "mode": MODE_LABELS[mode], "depth": levels,
                "broker": principal.broker}

    async def unsubscribe(self, client: FeedClient, exchange: str, symbol: str,
                          mode: FeedMode | None) -> dict[str, Any]:
        """Remove one subscription (every mode of the symbol when `mode` is None)."""
        principal = client.principal
        key = (principal.feed_account, exchange, symbol)
        entry = {"symbol": symbol, "exchange": exchange, "broker": principal.broker}
        held = self.index.get(key)
        modes = list(held.client_modes.get(client, {})) if held else []
        targets = modes if mode is None else [m for m in modes if m == mode]
        if not targets:
            label = MODE_LABELS[mode] if mode else "any mode"
            return {**entry, "status": "error", "message": f"Not subscribed to {exchange}:{symbol} ({label})"}
        for target in targets:
            change = self.index.remove(client, key, target)
            if change and change.changed:
                try:
                    await self._sync_demand(key, change.instrument)
                except UpstreamError as exc:
                    return {**entry, "status": "error", "message": str(exc)}
        return {**entry, "status": "success"}

    async def unsubscribe_all(self, client: FeedClient) -> list[dict[str, Any]]:
        done = []
        for key in list(self.index.client_keys(client)):
            done.append(await self.unsubscribe(client, key[1], key[2], None))
        return done

    async def _resolve(self, principal: FeedPrincipal, exchange: str, symbol: str) -> Instrument | None:
        if self.symbols is None:
            return None
        try:
            return await self.symbols.resolve(principal, exchange, symbol)
        except Exception:
            log.exception("symbol resolution failed for %s:%s", exchange, symbol)
            return None

    def _depth_levels(self, feed_account: str, exchange: str, requested: int) -> int:
        """The book size a client gets: the requested one if the feed streams it for `exchange`,
        else the largest below it (or the smallest offered). The ack reports it."""
        levels = self.capabilities(feed_account).stream_depth_levels(exchange)
        if requested in levels:
            return requested
        below = [level for level in levels if level < requested]
        return below[-1] if below else levels[0]

    async def _sync_demand(self, key: UpstreamKey, instrument: Instrument, swallow: bool = False) -> None:
        """Push the index's current demand for `key` to the backplane (idempotent, per-key serial)."""
        async with self._key_locks[key]:
            entry = self.index.get(key)
            wanted = entry.demand() if entry else None
            if self._pushed_demand.get(key) == wanted:
                return
            try:
                await self.backplane.set_demand(key, instrument, wanted)
            except Exception:
                if not swallow:
                    raise
                log.exception("updating upstream demand for %s failed", key)
                return
            if wanted is None:
                self._pushed_demand.pop(key, None)
            else:
                self._pushed_demand[key] = wanted

    # --- backplane host ----------------------------------------------------------------------------

    async def own_upstream(self, key: UpstreamKey, instrument: Instrument, demand: Demand) -> None:
        if self.upstreams is None:
            raise UpstreamError("No market-data feed is configured")
        pool = self.pools.get(key[0])
        if pool is None:
            pool = self.pools[key[0]] = UpstreamPool(key[0], self.upstreams, self.config, self._upstream_tick,
                                                     self.watchdog.record)
        await pool.set_mode(key, instrument, demand.mode, demand.depth_levels)

    async def disown_upstream(self, key: UpstreamKey) -> None:
        pool = self.pools.get(key[0])
        if pool is not None:
            await pool.release(key)

    def _upstream_tick(self, key: UpstreamKey, tick: Tick) -> None:
        self.ticks_in += 1
        self.backplane.publish_tick(key, tick)

    def deliver_tick(self, key: UpstreamKey, tick: Tick) -> None:
        """Encode once per audience, offer to each client (never blocks), call in-app consumers."""
        entry = self.index.get(key)
        if entry is None:
            return
        if entry.audiences:
            received = now_ms()
            broker = self._broker_of_account.get(key[0], key[0])
            for audience, clients in entry.audiences.items():
                message = market_data_message(tick, min(audience.mode, tick.mode), audience.depth_levels,
                                              broker, received)
                for client in clients:
                    client.offer(key, message)
        for _, consumer in list(entry.internal.values()):
            consumer(tick)

    def deliver_user_event(self, user_id: str, event: str, payload: Any) -> None:
        if event == "order_update":
            message = {"type": "order_update", "user_id": user_id, **payload}
            for client in list(self._clients_by_user.get(user_id, ())):
                if client.wants_order_updates:
                    asyncio.get_running_loop().create_task(client.send_now(message))
        for sink in self._user_event_sinks:
            try:
                sink(user_id, event, payload)
            except Exception:
                log.exception("user event sink failed")

    # --- public API for the application ---------------------------------------------------------------

    async def subscribe_internal(self, instrument: Instrument, mode: FeedMode, callback: TickCallback,
                                 feed_account: str | None = None) -> InternalSubscription:
        account = feed_account or self.default_feed_account
        key = (account, str(instrument.exchange), instrument.symbol)
        subscription = InternalSubscription(self, key, mode, callback)
        self.index.add_internal(subscription.token, key, instrument, mode, subscription)
        try:
            await self._sync_demand(key, instrument)
        except Exception:
            await subscription.close()
            raise
        return subscription

    async def _remove_internal(self, subscription: InternalSubscription) -> None:
        change = self.index.remove_internal(subscription.token, subscription.key)
        if change and change.changed:
            await self._sync_demand(subscription.key, change.instrument, swallow=True)

    async def publish_user_event(self, user_id: str, event: str, payload: Any) -> None:
        """Deliver an event to one user's sockets on every worker (Socket.IO; `order_update` also
        reaches feed clients that subscribed to orders)."""
        await self.backplane.publish_user_event(user_id, event, payload)

    async def publish_order_update(self, user_id: str, update: dict[str, Any]) -> None:
        await self.publish_user_event(user_id, "order_update", update)
