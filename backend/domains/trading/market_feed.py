"""Feeds the paper engine from the streaming hub: instruments with resting paper orders or open
paper positions are subscribed once through the hub (shared with every other consumer), and each
tick goes to `engine.on_tick`, which touches only the orders that tick crosses.

The wanted set is re-derived after every order event and every few seconds, so subscriptions
never leak: when the last resting order or position of an instrument goes, so does its feed."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import select

from backend.core.db import Database
from backend.domains.sandbox.models import SandboxPosition
from backend.domains.sandbox.service import SandboxService
from brokers.contract import FeedMode

log = logging.getLogger("algogate.trading.feed")


class PaperMarketFeed:
    def __init__(self, db: Database, sandbox: SandboxService, hub, symbols) -> None:
        self.db = db
        self.sandbox = sandbox
        self.hub = hub
        self.symbols = symbols
        self.subscriptions: dict[str, object] = {}
        self._lock = asyncio.Lock()
        self._pending: asyncio.Task | None = None

    async def wanted(self) -> set[str]:
        keys = set(self.sandbox.engine.resting_contracts())
        async with self.db.sessions() as session:
            rows = await session.execute(select(SandboxPosition.exchange, SandboxPosition.symbol)
                                         .where(SandboxPosition.quantity != 0).distinct())
            keys.update(f"{exchange}:{symbol}" for exchange, symbol in rows)
        return keys

    async def sync(self) -> None:
        async with self._lock:
            wanted = await self.wanted()
            for key in sorted(wanted - self.subscriptions.keys()):
                exchange, _, symbol = key.partition(":")
                instrument = self.symbols.get(exchange, symbol)
                if instrument is None:
                    continue
                try:
                    self.subscriptions[key] = await self.hub.subscribe_internal(
                        instrument, FeedMode.QUOTE, self.sandbox.on_tick)
                except Exception:  # the safety poll covers it; retried on the next sync
                    log.warning("cannot subscribe %s for the paper engine", key, exc_info=True)
            for key in sorted(self.subscriptions.keys() - wanted):
                await self.subscriptions.pop(key).close()

    def request_sync(self, *_ignored) -> None:
        """Called on every order event: coalesces bursts into one sync."""
        if self._pending is None or self._pending.done():
            self._pending = asyncio.get_running_loop().create_task(self._sync_soon())

    async def _sync_soon(self) -> None:
        await asyncio.sleep(0.05)
        try:
            await self.sync()
        except Exception:
            log.exception("paper feed sync failed")

    async def close(self) -> None:
        if self._pending is not None:
            await asyncio.gather(self._pending, return_exceptions=True)
        async with self._lock:
            for subscription in self.subscriptions.values():
                await subscription.close()
            self.subscriptions.clear()
