"""Fires simulated GTTs when the market reaches them.

Two paths, one claim: every instrument with an active GTT is subscribed once per market source
through the streaming hub (like the paper engine's feed: a simulator user's GTTs follow the
simulator, an analyzer user's follow their own broker and wait while its session is gone), and
each tick is checked against that source's GTTs held in memory, so a tick costs no database work unless it crosses a trigger; a periodic safety sweep
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
from backend.domains.trading.market_sources import MarketSources
from backend.domains.trading.source_feeds import FeedKey, SourceFeeds, TickConsumer
from brokers.contract import FeedMode, Tick

log = logging.getLogger("algogate.gtt")

Fire = Callable[[ArmedGtt, int], Awaitable[None]]
QuoteLtp = Callable[[int, list[str]], Awaitable[dict[str, Decimal]]]  # user id, instrument keys → LTPs


class GttMonitor:
    def __init__(self, book: GttBook, hub, sources: MarketSources, fire: Fire, quote_ltp: QuoteLtp) -> None:
        self.book = book
        self.sources = sources
        self.fire = fire
        self.quote_ltp = quote_ltp
        self.armed: dict[FeedKey, list[ArmedGtt]] = {}
        self.feeds = SourceFeeds(hub, sources, FeedMode.LTP, self._consumer, "GTTs")
        self._lock = asyncio.Lock()
        self._pending: asyncio.Task | None = None

    @property
    def subscriptions(self) -> dict[FeedKey, object]:
        return self.feeds.subscriptions

    # --- the working set and its feeds ------------------------------------------------------

    async def sync(self, recheck: bool = True) -> None:
        async with self._lock:
            gtts = await self.book.armed()
            sources = await self.sources.market_sources({gtt.user_id for gtt in gtts}) if gtts else {}
            armed: dict[FeedKey, list[ArmedGtt]] = defaultdict(list)
            for gtt in gtts:
                armed[(sources[gtt.user_id], gtt.key)].append(gtt)
            self.armed = dict(armed)
            await self.feeds.reconcile(set(self.armed), recheck)

    def _consumer(self, source: str) -> TickConsumer:
        async def on_tick(tick: Tick) -> None:
            gtts = self.armed.get((source, f"{tick.exchange}:{tick.symbol}"))
            if gtts:
                await self._evaluate(gtts, Decimal(repr(tick.ltp)))
        return on_tick

    def request_sync(self) -> None:
        """After a place/modify/cancel/fire: coalesces bursts into one sync."""
        if self._pending is None or self._pending.done():
            self._pending = asyncio.get_running_loop().create_task(self._sync_soon())

    async def _sync_soon(self) -> None:
        await asyncio.sleep(0.02)
        try:
            await self.sync(recheck=False)
        except Exception:
            log.exception("GTT monitor sync failed")

    # --- evaluation ---------------------------------------------------------------------------

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
            await self.feeds.close()
