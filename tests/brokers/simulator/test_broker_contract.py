"""The simulator through the broker contract: DataClient, StreamingAdapter, InstrumentProvider."""

import asyncio
from datetime import date, timedelta

import pytest

from brokers.contract import BrokerError, DataClient, FeedMode, InstrumentProvider, StreamingAdapter


class TestDataClient:
    async def test_implements_the_protocols(self, simulator):
        assert isinstance(simulator.data_client, DataClient)
        assert isinstance(simulator.streaming_adapter(), StreamingAdapter)
        assert isinstance(simulator.provider, InstrumentProvider)

    async def test_quote_multiquote_depth(self, simulator, symbol_index):
        items = [symbol_index.get("NSE", "SBIN"), symbol_index.get("NFO", "NIFTY29DEC26FUT")]
        quote = await simulator.data_client.quote(items[0])
        quotes = await simulator.data_client.multiquote(items)
        assert set(quotes) == {"NSE:SBIN", "NFO:NIFTY29DEC26FUT"} and quotes["NSE:SBIN"] == quote
        depth = await simulator.data_client.depth(items[1], 20)
        assert len(depth.bids) == 20
        with pytest.raises(BrokerError, match="5 or 20"):
            await simulator.data_client.depth(items[1], 7)

    async def test_history_and_its_limits(self, simulator, symbol_index):
        item = symbol_index.get("NSE", "SBIN")
        today = simulator.today()
        bars = await simulator.data_client.history(item, "5m", today - timedelta(days=2), today)
        assert bars and [b.timestamp for b in bars] == sorted({b.timestamp for b in bars})
        with pytest.raises(BrokerError, match="before") as inverted:
            await simulator.data_client.history(item, "D", today, today - timedelta(days=1))
        assert inverted.value.status == 400
        with pytest.raises(BrokerError, match="too large"):
            await simulator.data_client.history(item, "1m", today - timedelta(days=40), today)
        with pytest.raises(BrokerError, match="not supported"):
            await simulator.data_client.history(item, "7m", today, today)

    async def test_future_dates_give_no_candles(self, simulator, symbol_index):
        item = symbol_index.get("NSE", "SBIN")
        later = simulator.today() + timedelta(days=3)
        assert await simulator.data_client.history(item, "D", later, later + timedelta(days=2)) == []

    async def test_provider_downloads_the_universe_with_progress(self, simulator):
        steps = []
        instruments = await simulator.provider.download(lambda message, fraction: steps.append(fraction))
        assert len(instruments) >= 50_000 and steps[-1] == 1.0
        assert simulator.today() == date(2026, 11, 27)


class TestStreaming:
    async def test_round_produces_mode_shaped_ticks(self, simulator, symbol_index):
        adapter = simulator.streaming_adapter()
        sbin, nifty_fut = symbol_index.get("NSE", "SBIN"), symbol_index.get("NFO", "NIFTY29DEC26FUT")
        await adapter.subscribe([sbin], FeedMode.LTP)
        await adapter.subscribe([nifty_fut], FeedMode.DEPTH)
        ticks = {t.symbol: t for t in adapter.tick_round()}
        assert ticks["SBIN"].mode == FeedMode.LTP and ticks["SBIN"].depth is None and ticks["SBIN"].volume == 0
        assert ticks["SBIN"].timestamp_ms == simulator.clock.now_ms()
        deep = ticks["NIFTY29DEC26FUT"]
        assert deep.depth is not None and len(deep.depth.bids) == 5 and deep.oi > 0 and deep.volume > 0
        assert deep.bid == deep.depth.bids[0].price and deep.bid_qty == deep.depth.bids[0].quantity
        quote = await simulator.data_client.quote(sbin)
        assert ticks["SBIN"].ltp == quote.ltp

    async def test_only_changes_are_sent_and_unsubscribe_stops_ticks(self, simulator, symbol_index):
        adapter = simulator.streaming_adapter()
        sbin = symbol_index.get("NSE", "SBIN")
        await adapter.subscribe([sbin], FeedMode.QUOTE)
        assert len(adapter.tick_round()) == 1
        assert adapter.tick_round() == []  # frozen clock: nothing moved
        simulator.clock.advance(30)
        assert len(adapter.tick_round()) == 1
        await adapter.unsubscribe([sbin], FeedMode.QUOTE)
        simulator.clock.advance(30)
        assert adapter.tick_round() == []

    async def test_higher_mode_wins(self, simulator, symbol_index):
        adapter = simulator.streaming_adapter()
        sbin = symbol_index.get("NSE", "SBIN")
        await adapter.subscribe([sbin], FeedMode.DEPTH)
        await adapter.subscribe([sbin], FeedMode.LTP)
        assert adapter.subscriptions == {("NSE", "SBIN"): FeedMode.DEPTH}

    async def test_connected_loop_delivers_to_handlers_until_closed(self, simulator, symbol_index):
        simulator.clock.set_speed(50.0)  # accelerated: every round sees a new price
        adapter = simulator.streaming_adapter(ticks_per_second=50)
        received, async_received = [], []

        async def async_handler(tick):
            async_received.append(tick)

        adapter.on_tick(received.append)
        adapter.on_tick(async_handler)
        await adapter.subscribe([symbol_index.get("NSE", "RELIANCE"), symbol_index.get("NSE", "TCS")], FeedMode.LTP)
        await adapter.connect()
        for _ in range(100):
            await asyncio.sleep(0.02)
            if len(received) >= 6:
                break
        await adapter.close()
        count = len(received)
        assert count >= 6 and len(async_received) == count
        await asyncio.sleep(0.1)
        assert len(received) == count


class TestFeeds:
    async def test_upstream_provider_opens_fresh_adapters(self, simulator, symbol_index):
        from brokers.simulator import SimulatorFeeds

        feeds = SimulatorFeeds(simulator, ticks_per_second=4)
        first, second = await feeds.open_adapter("alice"), await feeds.open_adapter("alice")
        assert first is not second and first.ticks_per_second == 4
        assert feeds.capabilities("alice").depth_levels == (5, 20)
        await first.subscribe([symbol_index.get("NSE", "SBIN")], FeedMode.LTP)
        assert len(first.tick_round()) == 1 and second.tick_round() == []
