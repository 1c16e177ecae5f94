"""The simulator's StreamingAdapter: ticks for subscribed instruments at a configurable rate.

`tick_round()` computes one round of ticks for the clock's current time (pure and deterministic,
which is what tests and benchmarks call); `connect()` starts a loop that runs a round every
1/ticks_per_second seconds and hands each tick to the registered handlers. A tick is emitted only
when its instrument's last price or volume moved since the previous one, like a real feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from brokers.common.feed import FeedCallbacks
from brokers.contract.types import FeedMode, Instrument, Tick
from brokers.simulator.market import SimulatedMarket

log = logging.getLogger("algogate.brokers.simulator")


class SimulatorStreamingAdapter(FeedCallbacks):
    def __init__(self, market: SimulatedMarket, ticks_per_second: float = 1.0, depth_levels: int = 5) -> None:
        self.market = market
        self.ticks_per_second = ticks_per_second
        self.depth_levels = depth_levels
        self._subscriptions: dict[tuple[str, str], tuple[Instrument, FeedMode]] = {}
        self._last_sent: dict[tuple[str, str], tuple[float, int]] = {}
        super().__init__("simulator feed")
        self._task: asyncio.Task | None = None
        self.connected = False

    # --- the StreamingAdapter contract --------------------------------------------------------
    async def connect(self) -> None:
        self.connected = True
        if self.ticks_per_second > 0 and self._task is None:
            self._task = asyncio.create_task(self._run(), name="simulator-ticks")

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        for instrument in instruments:
            key = (instrument.exchange.value, instrument.symbol)
            current = self._subscriptions.get(key)
            if current is None or current[1] < mode:  # only the highest mode is tracked (hub rule)
                self._subscriptions[key] = (instrument, FeedMode(mode))
            self._last_sent.pop(key, None)  # the first tick after a subscribe is always sent

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        for instrument in instruments:
            key = (instrument.exchange.value, instrument.symbol)
            self._subscriptions.pop(key, None)
            self._last_sent.pop(key, None)

    async def close(self) -> None:
        self.connected = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # --- tick generation -----------------------------------------------------------------------
    @property
    def subscriptions(self) -> dict[tuple[str, str], FeedMode]:
        return {key: mode for key, (_, mode) in self._subscriptions.items()}

    def tick_round(self, only_changes: bool = True) -> list[Tick]:
        epoch = self.market.clock.time()
        timestamp_ms = int(epoch * 1000)
        ticks: list[Tick] = []
        for key, (instrument, mode) in list(self._subscriptions.items()):
            tick = self._tick(instrument, mode, epoch, timestamp_ms)
            fingerprint = (tick.ltp, tick.volume)
            if only_changes and self._last_sent.get(key) == fingerprint:
                continue
            self._last_sent[key] = fingerprint
            ticks.append(tick)
        return ticks

    def _tick(self, instrument: Instrument, mode: FeedMode, epoch: float, timestamp_ms: int) -> Tick:
        market = self.market
        if mode == FeedMode.LTP:
            model = market.model(instrument)
            at, _ = market.observed_time(instrument, epoch)
            from brokers.simulator.pricing import round_to_tick

            ltp = round_to_tick(market.fair_value(model, at), model.tick, model.decimals)
            return Tick(instrument.exchange.value, instrument.symbol, mode, ltp, timestamp_ms)
        depth = market.depth(instrument, self.depth_levels, epoch) if mode == FeedMode.DEPTH else None
        quote = depth.quote if depth is not None else market.quote(instrument, epoch)
        best_bid = depth.bids[0].quantity if depth and depth.bids else 0
        best_ask = depth.asks[0].quantity if depth and depth.asks else 0
        return Tick(
            instrument.exchange.value, instrument.symbol, mode, quote.ltp, timestamp_ms,
            volume=quote.volume, open=quote.open, high=quote.high, low=quote.low, close=quote.prev_close,
            bid=quote.bid, ask=quote.ask, bid_qty=best_bid, ask_qty=best_ask, oi=quote.oi,
            average_price=round((quote.open + quote.high + quote.low + quote.ltp) / 4, 2),
            depth=depth, last_quantity=market.last_quantity(instrument, epoch),
            total_buy_quantity=depth.total_buy_qty if depth else 0,
            total_sell_quantity=depth.total_sell_qty if depth else 0,
        )

    async def emit_once(self) -> int:
        """Run one round and deliver it; returns the number of ticks sent."""
        ticks = self.tick_round()
        for tick in ticks:
            await self._emit_tick(tick)
        return len(ticks)

    async def _run(self) -> None:
        interval = 1.0 / self.ticks_per_second
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            try:
                await self.emit_once()
            except Exception:  # one bad round must not end the feed
                log.exception("simulator tick round failed")
            await asyncio.sleep(max(interval - (loop.time() - started), 0.0))
