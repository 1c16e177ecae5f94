"""Staleness watchdog: silent upstream stalls are detected and recovered, not just logged.

While the market for a symbol's exchange is open:
- a connection that carries subscriptions but delivered nothing for `stale_connection_seconds`
  is rebuilt (reconnect + resubscribe everything);
- a symbol without a tick for `stale_symbol_seconds` is unsubscribed and subscribed again (once
  per window).
Meanwhile every stale symbol is served from REST quotes (the injected quote fetcher) every
`rest_fallback_interval_seconds`, until its ticks resume. Each recovery is logged and kept (last
20) for `health()`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable

from brokers.contract import Tick
from streaming.auth import MarketClock, QuoteFetcher
from streaming.config import HubConfig
from streaming.index import UpstreamKey
from streaming.pool import UpstreamPool

log = logging.getLogger("algogate.streaming.watchdog")


class StalenessWatchdog:
    def __init__(self, config: HubConfig, pools: Callable[[], Iterable[UpstreamPool]],
                 deliver: Callable[[UpstreamKey, Tick], None], market_open: MarketClock,
                 quote_fetcher: QuoteFetcher | None) -> None:
        self._config = config
        self._pools = pools
        self._deliver = deliver
        self._market_open = market_open
        self._fetch_quotes = quote_fetcher
        self._task: asyncio.Task | None = None
        self._resubscribed_at: dict[UpstreamKey, float] = {}
        self._last_fallback = 0.0
        self.stale: set[UpstreamKey] = set()
        self.recoveries: deque[dict[str, object]] = deque(maxlen=20)
        self.recovery_count = 0
        self.fallback_quotes = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="stream-watchdog")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass

    def record(self, account: str, what: str) -> None:
        self.recovery_count += 1
        self.recoveries.append({"at": time.time(), "feed_account": account, "recovery": what})
        log.warning("stream recovery on %s: %s", account, what)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._config.watchdog_interval_seconds)
            try:
                await self.check()
            except Exception:
                log.exception("watchdog check failed")

    async def check(self) -> None:
        now = time.monotonic()
        config = self._config
        stale_now: set[UpstreamKey] = set()
        for pool in list(self._pools()):
            for connection in list(pool.connections):
                open_keys = [key for key in connection.symbols if self._market_open(key[1])]
                if not open_keys or connection.reconnecting:
                    continue
                silent = now - connection.last_data
                if connection.depth_levels is not None:
                    # A deep-depth socket carries books only, and an idle book sends nothing. It is
                    # stalled when the main feed traded its symbols since its last frame yet it stayed
                    # silent. Its symbols stay served (main feed, 5 levels) while it is rebuilt.
                    if pool.traded_since(open_keys, connection.last_data) and silent >= config.stale_connection_seconds:
                        pool.reconnect(connection, f"stale: no book for {silent:.0f} s while the market traded")
                        self.record(pool.feed_account, f"{connection.group} connection #{connection.number} "
                                                       f"silent for {silent:.0f} s: reconnecting")
                    continue
                if silent >= config.stale_connection_seconds:
                    stale_now.update(open_keys)
                    pool.reconnect(connection, f"stale: no data for {silent:.0f} s")
                    self.record(pool.feed_account, f"connection #{connection.number} silent for "
                                                   f"{silent:.0f} s: reconnecting")
                    continue
                for key in open_keys:
                    quiet = now - pool.last_tick.get(key, now)
                    if quiet < config.stale_symbol_seconds:
                        continue
                    stale_now.add(key)
                    if now - self._resubscribed_at.get(key, -1e9) >= config.stale_symbol_seconds:
                        self._resubscribed_at[key] = now
                        await pool.resubscribe(key)
                        self.record(pool.feed_account, f"{key[1]}:{key[2]} silent for {quiet:.0f} s: "
                                                       "resubscribed")
        for key in self.stale - stale_now:
            self._resubscribed_at.pop(key, None)
        self.stale = stale_now
        if self.stale and now - self._last_fallback >= config.rest_fallback_interval_seconds:
            self._last_fallback = now
            await self._serve_from_rest()

    async def _serve_from_rest(self) -> None:
        if self._fetch_quotes is None:
            return
        by_account: dict[str, list] = {}
        pools = {pool.feed_account: pool for pool in self._pools()}
        for key in self.stale:
            pool = pools.get(key[0])
            held = pool.instrument(key) if pool else None
            if held:
                by_account.setdefault(key[0], []).append(held[0])
        for account, instruments in by_account.items():
            try:
                ticks = await asyncio.wait_for(self._fetch_quotes(account, instruments), timeout=10)
            except Exception as exc:
                log.warning("REST fallback for %s failed: %s", account, exc)
                continue
            for tick in ticks:
                key = (account, str(tick.exchange), tick.symbol)
                if key in self.stale:
                    self.fallback_quotes += 1
                    self._deliver(key, tick)

    def health(self) -> dict[str, object]:
        return {"stale_symbols": len(self.stale), "recoveries": self.recovery_count,
                "rest_fallback_quotes": self.fallback_quotes, "recent_recoveries": list(self.recoveries)}
