"""Fires simulated GTTs when the market reaches them.

Two paths, one claim: every instrument with an active GTT is subscribed once through the
streaming hub (like the paper engine's feed), and each tick is checked against the GTTs held in
memory, so a tick costs no database work unless it crosses a trigger; a periodic safety sweep
quotes every active GTT's instrument and checks it too (a dropped feed, a worker that did not hear
about a GTT yet, downtime). Whichever path sees the crossing first claims the GTT in the database
(see book.py); the loser does nothing, so the child order is placed exactly once."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from decimal import Decimal

from backend.domains.gtt.book import ArmedGtt, GttBook
from backend.domains.gtt.spec import leg_hit
from brokers.contract import FeedMode, Tick

log = logging.getLogger("algogate.gtt")

Fire = Callable[[ArmedGtt, int], Awaitable[None]]
QuoteLtp = Callable[[int, list[str]], Awaitable[dict[str, Decimal]]]  # user id, instrument keys → LTPs


class GttMonitor:
    def __init__(self, book: GttBook, hub, symbols, fire: Fire, quote_ltp: QuoteLtp) -> None:
        self.book = book
        self.hub = hub
        self.symbols = symbols
        self.fire = fire
        self.quote_ltp = quote_ltp
        self.armed: dict[str, list[ArmedGtt]] = {}
        self.subscriptions: dict[str, object] = {}
        self._lock = asyncio.Lock()
        self._pending: asyncio.Task | None = None

    # --- the working set and its feeds ------------------------------------------------------

    async def sync(self) -> None:
        async with self._lock:
            armed: dict[str, list[ArmedGtt]] = defaultdict(list)
            for gtt in await self.book.armed():
                armed[gtt.key].append(gtt)
            self.armed = dict(armed)
            for key in sorted(self.armed.keys() - self.subscriptions.keys()):
                exchange, _, symbol = key.partition(":")
                instrument = self.symbols.get(exchange, symbol)
                if instrument is None:
                    continue
                try:
                    self.subscriptions[key] = await self.hub.subscribe_internal(instrument, FeedMode.LTP,
                                                                                self.on_tick)
                except Exception:  # the sweep covers it; retried on the next sync
                    log.warning("cannot subscribe %s for GTTs", key, exc_info=True)
            for key in sorted(self.subscriptions.keys() - self.armed.keys()):
                await self.subscriptions.pop(key).close()

    def request_sync(self) -> None:
        """After a place/modify/cancel/fire: coalesces bursts into one sync."""
        if self._pending is None or self._pending.done():
            self._pending = asyncio.get_running_loop().create_task(self._sync_soon())

    async def _sync_soon(self) -> None:
        await asyncio.sleep(0.02)
        try:
            await self.sync()
        except Exception:
            log.exception("GTT monitor sync failed")

    # --- evaluation ---------------------------------------------------------------------------

    async def on_tick(self, tick: Tick) -> None:
        gtts = self.armed.get(f"{tick.exchange}:{tick.symbol}")
        if gtts:
            await self._evaluate(gtts, Decimal(repr(tick.ltp)))

    async def _evaluate(self, gtts: list[ArmedGtt], ltp: Decimal) -> None:
        for gtt in list(gtts):
            leg = leg_hit(gtt.triggers, ltp)
            if leg is None:
                continue
            if gtt in gtts:
                gtts.remove(gtt)  # no second claim attempt from this worker's next tick
            try:
                await self.fire(gtt, leg)
            except Exception:
                log.exception("firing GTT %s failed", gtt.trigger_id)
            self.request_sync()

    async def sweep(self) -> None:
        """The safety net: expire overdue GTTs, then check every active one against a fresh quote."""
        await self.book.expire_due()
        by_user: dict[int, list[ArmedGtt]] = defaultdict(list)
        for gtt in await self.book.armed():
            by_user[gtt.user_id].append(gtt)
        for user_id, gtts in by_user.items():
            try:
                prices = await self.quote_ltp(user_id, sorted({gtt.key for gtt in gtts}))
            except Exception:
                log.warning("no quotes for user %s's GTTs", user_id, exc_info=True)
                continue
            for gtt in gtts:
                ltp = prices.get(gtt.key)
                if ltp is not None:
                    await self._evaluate([gtt], ltp)

    async def close(self) -> None:
        if self._pending is not None:
            await asyncio.gather(self._pending, return_exceptions=True)
        async with self._lock:
            for subscription in self.subscriptions.values():
                await subscription.close()
            self.subscriptions.clear()
