"""The Noren JSON feed per member: login, every mode parsed to exact values, partial-update
merging, shared touchline subscriptions, batching, reconnect and expiry."""

from __future__ import annotations

import asyncio

import pytest

from brokers.contract import FeedMode, SessionExpired, StreamingAdapter
from tests.brokers.families.noren_fake import FIXED_TIME


class Collector:
    def __init__(self, adapter) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()
        self.reasons: list[str] = []
        self.dropped = asyncio.Event()
        adapter.on_tick(self.queue.put_nowait)
        adapter.on_disconnect(self._lost)

    def _lost(self, reason: str) -> None:
        self.reasons.append(reason)
        self.dropped.set()

    async def next(self, symbol: str, mode: FeedMode, *, skip: int = 0):
        async with asyncio.timeout(3):
            while True:
                tick = await self.queue.get()
                if tick.symbol == symbol and tick.mode == mode:
                    if skip == 0:
                        return tick
                    skip -= 1


@pytest.fixture
async def adapter(plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    collector = Collector(feed)
    await feed.connect()
    try:
        yield feed, collector
    finally:
        await feed.close()


async def test_adapter_implements_the_protocol_and_logs_in(fake, adapter):
    feed, _ = adapter
    assert isinstance(feed, StreamingAdapter)
    login = fake.feed_messages[0]
    assert login["t"] == "a" and login["uid"] == login["actid"] == fake.spec.uid and login["source"] == "API"
    assert login["accesstoken"] in fake.access_tokens


async def test_ltp_mode(fake, adapter, lookup):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    tick = await ticks.next("SBIN", FeedMode.LTP)
    assert (tick.exchange, tick.ltp, tick.timestamp_ms, tick.depth, tick.volume) == (
        "NSE", 800.5, FIXED_TIME * 1000, None, 0)
    assert fake.feed_messages[1] == {"t": "t", "k": "NSE|3045"}


async def test_quote_mode_and_partial_updates_keep_the_snapshot(fake, adapter, lookup):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NFO", "NIFTY30DEC2626000CE")], FeedMode.QUOTE)
    first = await ticks.next("NIFTY30DEC2626000CE", FeedMode.QUOTE)
    assert (first.exchange, first.ltp, first.open, first.high, first.low, first.close) == (
        "NFO", 150.0, 145.0, 160.0, 140.0, 148.0)
    assert (first.volume, first.oi, first.average_price, first.last_quantity) == (123456, 4500, 149.0, 25)
    assert (first.bid, first.ask, first.bid_qty, first.ask_qty) == (149.95, 150.05, 100, 150)
    assert (first.total_buy_quantity, first.total_sell_quantity, first.depth) == (5000, 6000, None)
    update = await ticks.next("NIFTY30DEC2626000CE", FeedMode.QUOTE)  # a `tf` carrying v and o=0
    assert (update.volume, update.open, update.high, update.bid) == (123460, 145.0, 160.0, 149.95)


async def test_depth_mode(fake, adapter, lookup):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NSE", "RELIANCE")], FeedMode.DEPTH)
    tick = await ticks.next("RELIANCE", FeedMode.DEPTH)
    assert fake.feed_messages[-1] == {"t": "d", "k": "NSE|2885"}
    assert (tick.ltp, tick.timestamp_ms) == (1400.0, FIXED_TIME * 1000)
    assert [(lv.price, lv.quantity, lv.orders) for lv in tick.depth.bids] == [
        (1399.9, 100, 1), (1399.8, 200, 2), (1399.7, 300, 3), (1399.6, 400, 4), (1399.5, 500, 5)]
    assert [(lv.price, lv.quantity, lv.orders) for lv in tick.depth.asks] == [
        (1400.1, 150, 2), (1400.2, 300, 3), (1400.3, 450, 4), (1400.4, 600, 5), (1400.5, 750, 6)]
    assert (tick.depth.total_buy_qty, tick.depth.total_sell_qty) == (5000, 6000)
    update = await ticks.next("RELIANCE", FeedMode.DEPTH)  # a `df` changing only bq1
    assert update.depth.bids[0].quantity == 111 and update.depth.bids[1].quantity == 200


async def test_index_uses_the_cash_exchange_key(fake, adapter, lookup):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NSE_INDEX", "NIFTY")], FeedMode.QUOTE)
    tick = await ticks.next("NIFTY", FeedMode.QUOTE)
    assert (tick.exchange, tick.ltp) == ("NSE_INDEX", 26000.0)
    assert fake.feed_messages[-1] == {"t": "t", "k": "NSE|26000"}


async def test_ltp_and_quote_share_one_touchline(fake, adapter, lookup):
    feed, ticks = adapter
    sbin = lookup.get("NSE", "SBIN")
    await feed.subscribe([sbin], FeedMode.LTP)
    await feed.subscribe([sbin], FeedMode.QUOTE)
    await ticks.next("SBIN", FeedMode.QUOTE)
    assert [m for m in fake.feed_messages if m.get("t") == "t"] == [{"t": "t", "k": "NSE|3045"}]
    await feed.unsubscribe([sbin], FeedMode.LTP)
    assert not [m for m in fake.feed_messages if m.get("t") == "u"]  # QUOTE still needs it
    await feed.unsubscribe([sbin], FeedMode.QUOTE)
    await asyncio.sleep(0.1)
    assert {"t": "u", "k": "NSE|3045"} in fake.feed_messages and fake.subscribed()["t"] == set()


async def test_subscriptions_are_batched(fake, plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    feed.batch = 2
    await feed.connect()
    try:
        names = [("NSE", "SBIN"), ("NSE", "RELIANCE"), ("NFO", "NIFTY30DEC26FUT")]
        await feed.subscribe([lookup.get(*n) for n in names], FeedMode.LTP)
        await asyncio.sleep(0.1)
        assert [m for m in fake.feed_messages if m.get("t") == "t"] == [
            {"t": "t", "k": "NSE|3045#NSE|2885"}, {"t": "t", "k": "NFO|35001"}]
    finally:
        await feed.close()


async def test_heartbeat(fake, plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    feed.heartbeat = 0.05
    await feed.connect()
    try:
        await asyncio.sleep(0.2)
        assert {"t": "h"} in fake.feed_messages
    finally:
        await feed.close()


async def test_reconnect_after_a_dropped_connection(fake, plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    ticks = Collector(feed)
    await feed.connect()
    sbin = lookup.get("NSE", "SBIN")
    await feed.subscribe([sbin], FeedMode.QUOTE)
    await ticks.next("SBIN", FeedMode.QUOTE)
    fake.drop_feed_connections()
    async with asyncio.timeout(3):
        await ticks.dropped.wait()
    assert "closed by the broker" in ticks.reasons[0]
    await feed.close()
    # The pool opens a fresh adapter and resubscribes.
    again = plugin.streaming_adapter(session, lookup)
    fresh = Collector(again)
    await again.connect()
    try:
        await again.subscribe([sbin], FeedMode.QUOTE)
        assert (await fresh.next("SBIN", FeedMode.QUOTE)).ltp == 800.5
    finally:
        await again.close()


async def test_the_same_adapter_resubscribes_on_connect(fake, plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    ticks = Collector(feed)
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)  # before connect: sent on connect
    await feed.subscribe([lookup.get("NSE", "RELIANCE")], FeedMode.DEPTH)
    await feed.connect()
    try:
        await ticks.next("SBIN", FeedMode.LTP)
        await ticks.next("RELIANCE", FeedMode.DEPTH)
        fake.drop_feed_connections()
        async with asyncio.timeout(3):
            await ticks.dropped.wait()
        await feed.connect()
        await ticks.next("SBIN", FeedMode.LTP, skip=2)
        assert fake.subscribed() == {"t": {"NSE|3045"}, "d": {"NSE|2885"}}
    finally:
        await feed.close()


async def test_expired_token_is_refused_at_login(fake, plugin, session, lookup):
    fake.expire_tokens()
    feed = plugin.streaming_adapter(session, lookup)
    with pytest.raises(SessionExpired, match="refused the token"):
        await feed.connect()
    await feed.close()


async def test_close_leaves_no_tasks(plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    await feed.connect()
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    tasks = list(feed._tasks)
    await feed.close()
    assert all(task.done() for task in tasks)
