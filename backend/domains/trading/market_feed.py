"""Feeds the paper engine from the streaming hub: instruments with resting paper orders or open
paper positions are subscribed once per market source through the hub (shared with every other
consumer of that feed account), and each tick goes to `engine.on_tick` with its source, which
touches only that source's orders the tick crosses.

A live broker's source is subscribed on the user's own feed account, with their broker's
instrument, only while their broker session is usable; without one, its orders rest unmatched
(never on the simulator's prices), the gap is logged once, and the next sync after a new login
subscribes again (a login also tears down the old upstream, so the session's identity is tracked).

The wanted set is re-derived after every order event and every few seconds, so subscriptions
never leak: when the last resting order or position of an instrument goes, so does its feed."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from backend.core.db import Database
from backend.domains.sandbox.models import SandboxPosition
from backend.domains.sandbox.service import SandboxService
from backend.domains.trading.market_sources import MarketSources
from brokers.contract import FeedMode, Tick

log = logging.getLogger("algogate.trading.feed")
FeedKey = tuple[str, str]  # (market source, "EXCHANGE:SYMBOL")


class PaperMarketFeed:
    def __init__(self, db: Database, sandbox: SandboxService, hub, sources: MarketSources) -> None:
        self.db = db
        self.sandbox = sandbox
        self.hub = hub
        self.sources = sources
        self.subscriptions: dict[FeedKey, object] = {}
        self.sessions: dict[str, str] = {}  # source → identity of the session its subscriptions use
        self._unavailable: set[str] = set()  # sources already reported as having no feed
        self._lock = asyncio.Lock()
        self._pending: asyncio.Task | None = None

    async def wanted(self, refresh: bool = True) -> set[FeedKey]:
        """Every (source, instrument) with a resting order or an open position. With `refresh` the
        sources of the accounts involved are looked up afresh (a user may have changed broker)."""
        engine = self.sandbox.engine
        async with self.db.sessions() as session:
            rows = (await session.execute(
                select(SandboxPosition.user_id, SandboxPosition.exchange, SandboxPosition.symbol)
                .where(SandboxPosition.quantity != 0).distinct())).all()
        await engine.learn_sources({user_id for user_id, _, _ in rows} | engine.books.users(), refresh=refresh)
        keys = {(source, contract.key) for source, contract in engine.resting_contracts()}
        keys.update((engine.source(user_id), f"{exchange}:{symbol}") for user_id, exchange, symbol in rows)
        return keys

    async def sync(self, recheck: bool = True) -> None:
        """Subscribe what is wanted and drop the rest. `recheck` (the periodic run) also re-reads
        every source's profile and broker session; a sync after an order event checks only sources
        it has not seen, so a burst of orders costs no session lookups."""
        async with self._lock:
            wanted = await self.wanted(refresh=recheck)
            by_source: defaultdict[str, set[str]] = defaultdict(set)
            for source, key in wanted:
                by_source[source].add(key)
            for source in sorted(by_source):
                if await self._usable(source, recheck):
                    await self._subscribe(source, by_source[source])
            for key in sorted(self.subscriptions.keys() - wanted):
                await self.subscriptions.pop(key).close()
            for source in (self.sessions.keys() | self._unavailable) - by_source.keys():
                self.sessions.pop(source, None)
                self._unavailable.discard(source)

    async def _usable(self, source: str, recheck: bool) -> bool:
        """Whether `source` can be fed now; subscriptions made with an older (or no longer valid)
        session are dropped so they are made again with the current one."""
        if not recheck and (source in self.sessions or source in self._unavailable):
            return source in self.sessions
        try:
            session = await self.sources.feed_session(source)
        except Exception:
            log.warning("cannot check the feed session of %s", source, exc_info=True)
            return False
        if session != self.sessions.get(source):
            await self._drop(source)
            if session is not None:
                self.sessions[source] = session
        if session is None:
            if source not in self._unavailable:
                self._unavailable.add(source)
                log.warning("no broker session for %s: its paper orders wait until the user logs in", source)
            return False
        self._unavailable.discard(source)
        return True

    async def _drop(self, source: str) -> None:
        self.sessions.pop(source, None)
        for key in [key for key in self.subscriptions if key[0] == source]:
            await self.subscriptions.pop(key).close()

    async def _subscribe(self, source: str, keys: set[str]) -> None:
        for key in sorted(keys):
            if (source, key) in self.subscriptions:
                continue
            exchange, _, symbol = key.partition(":")
            try:
                instrument = await self.sources.instrument(source, exchange, symbol)
                if instrument is None:
                    continue
                self.subscriptions[(source, key)] = await self.hub.subscribe_internal(
                    instrument, FeedMode.QUOTE, self._consumer(source), feed_account=source)
            except Exception:  # the safety poll covers it; retried on the next sync
                log.warning("cannot subscribe %s on %s for the paper engine", key, source, exc_info=True)

    def _consumer(self, source: str) -> Callable[[Tick], Awaitable[None]]:
        async def on_tick(tick: Tick) -> None:
            await self.sandbox.on_tick(tick, source)
        return on_tick

    def request_sync(self, *_ignored) -> None:
        """Called on every order event: coalesces bursts into one sync."""
        if self._pending is None or self._pending.done():
            self._pending = asyncio.get_running_loop().create_task(self._sync_soon())

    async def _sync_soon(self) -> None:
        await asyncio.sleep(0.05)
        try:
            await self.sync(recheck=False)
        except Exception:
            log.exception("paper feed sync failed")

    async def close(self) -> None:
        if self._pending is not None:
            await asyncio.gather(self._pending, return_exceptions=True)
        async with self._lock:
            for subscription in self.subscriptions.values():
                await subscription.close()
            self.subscriptions.clear()
            self.sessions.clear()
