"""Feeds the paper engine from the streaming hub: instruments with resting paper orders or open
paper positions are subscribed once per market source through the hub (shared with every other
consumer of that feed account), and each tick goes to `engine.on_tick` with its source, which
touches only that source's orders the tick crosses. Live sources are fed only while their broker
session is usable (source_feeds.py): without one their orders rest, never on the simulator's prices.

The wanted set is re-derived after every order event and every few seconds, so subscriptions
never leak: when the last resting order or position of an instrument goes, so does its feed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from backend.core.db import Database
from backend.domains.sandbox.models import SandboxPosition
from backend.domains.sandbox.service import SandboxService
from backend.domains.trading.market_sources import MarketSources
from backend.domains.trading.source_feeds import FeedKey, SourceFeeds
from brokers.contract import FeedMode, Tick

log = logging.getLogger("algogate.trading.feed")


class PaperMarketFeed:
    def __init__(self, db: Database, sandbox: SandboxService, hub, sources: MarketSources) -> None:
        self.db = db
        self.sandbox = sandbox
        self.feeds = SourceFeeds(hub, sources, FeedMode.QUOTE, self._consumer, "paper orders")
        self._lock = asyncio.Lock()
        self._pending: asyncio.Task | None = None

    @property
    def subscriptions(self) -> dict[FeedKey, object]:
        return self.feeds.subscriptions

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
        """Subscribe what is wanted and drop the rest (`recheck`: see SourceFeeds.reconcile)."""
        async with self._lock:
            await self.feeds.reconcile(await self.wanted(refresh=recheck), recheck)

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
            await self.feeds.close()
