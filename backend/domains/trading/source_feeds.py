"""Hub subscriptions per (market source, instrument) for the app's own consumers of market data:
the paper engine's feed and the simulated GTT book.

A source is the simulator or a user's live broker feed account (see market_sources.py). A live
source is subscribed with its broker's instrument, on its own feed account, and only while its
broker session is usable: without one nothing is subscribed — never the simulator instead — the gap
is logged once, and the next reconcile after a new login subscribes again (a login tears the old
upstream down, so the identity of the session each source was subscribed with is tracked).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

from backend.domains.trading.market_sources import MarketSources
from brokers.contract import FeedMode, Tick

log = logging.getLogger("algogate.trading.feed")
FeedKey = tuple[str, str]  # (market source, "EXCHANGE:SYMBOL")
TickConsumer = Callable[[Tick], Awaitable[None]]


class SourceFeeds:
    """`reconcile(wanted)` subscribes what is wanted and drops the rest. Not locked: callers
    serialise their own reconciles."""

    def __init__(self, hub, sources: MarketSources, mode: FeedMode, consumer: Callable[[str], TickConsumer],
                 purpose: str) -> None:
        self.hub = hub
        self.sources = sources
        self.mode = mode
        self.consumer = consumer  # source → the callback its ticks go to
        self.purpose = purpose  # for log lines: "paper orders", "GTTs"
        self.subscriptions: dict[FeedKey, object] = {}
        self.sessions: dict[str, str] = {}  # source → identity of the session its subscriptions use
        self._unavailable: set[str] = set()  # sources already reported as having no feed
        self._closed = False

    async def reconcile(self, wanted: set[FeedKey], recheck: bool = True) -> None:
        """`recheck` re-reads every source's broker session (the periodic run); without it only
        sources not seen before are checked, so a burst of order events costs no session lookups.
        After `close()` (shutdown) it does nothing: a late order event must not subscribe again."""
        if self._closed:
            return
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
                log.warning("no broker session for %s: its %s wait until the user logs in", source, self.purpose)
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
                    instrument, self.mode, self.consumer(source), feed_account=source)
            except Exception:  # the owner's safety poll covers it; retried on the next reconcile
                log.warning("cannot subscribe %s on %s for %s", key, source, self.purpose, exc_info=True)

    async def close(self) -> None:
        self._closed = True
        for subscription in self.subscriptions.values():
            await subscription.close()
        self.subscriptions.clear()
        self.sessions.clear()
        self._unavailable.clear()
