"""The binary ticker: every mode parsed to exact values, commands on the wire, reconnect, expiry."""

from __future__ import annotations

import asyncio
import struct
import time

import pytest

from brokers.contract import FeedMode, SessionExpired, StreamingAdapter
from brokers.zerodha.ticker import parse_frame, parse_packet
from tests.brokers.zerodha.fake import FIXED_TIME


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

    async def next(self, symbol: str, mode: FeedMode):
        async with asyncio.timeout(3):
            while True:
                tick = await self.queue.get()
                if tick.symbol == symbol and tick.mode == mode:
                    return tick


@pytest.fixture
async def adapter(plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    collector = Collector(feed)
    await feed.connect()
    try:
        yield feed, collector
    finally:
        await feed.close()


async def test_adapter_implements_the_protocol(plugin, session, lookup):
    assert isinstance(plugin.streaming_adapter(session, lookup), StreamingAdapter)


async def test_ltp_mode(fake, adapter, lookup):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    tick = await ticks.next("SBIN", FeedMode.LTP)
    assert (tick.exchange, tick.ltp, tick.depth) == ("NSE", 800.5, None)
    assert abs(tick.timestamp_ms - time.time() * 1000) < 5000  # LTP packets carry no time: receipt time
    assert fake.feed_messages == [{"a": "subscribe", "v": [779521]}, {"a": "mode", "v": ["ltp", [779521]]}]


async def test_quote_mode(fake, adapter, lookup):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NSE", "RELIANCE")], FeedMode.QUOTE)
    tick = await ticks.next("RELIANCE", FeedMode.QUOTE)
    assert (tick.ltp, tick.open, tick.high, tick.low, tick.close) == (1400.0, 1395.0, 1405.0, 1390.0, 1398.0)
    assert (tick.volume, tick.last_quantity, tick.average_price) == (123456, 25, 1399.75)
    assert (tick.total_buy_quantity, tick.total_sell_quantity, tick.oi, tick.depth) == (5000, 6000, 0, None)
    assert fake.subscribed() == {738561: "quote"}


async def test_depth_mode(fake, adapter, lookup):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NFO", "NIFTY29DEC2626000CE")], FeedMode.DEPTH)
    tick = await ticks.next("NIFTY29DEC2626000CE", FeedMode.DEPTH)
    assert (tick.exchange, tick.ltp, tick.oi, tick.timestamp_ms) == ("NFO", 150.0, 4500, FIXED_TIME * 1000)
    assert (tick.bid, tick.ask, tick.bid_qty, tick.ask_qty) == (149.95, 150.05, 100, 150)
    assert [(lv.price, lv.quantity, lv.orders) for lv in tick.depth.bids] == [
        (149.95, 100, 1), (149.9, 200, 2), (149.85, 300, 3), (149.8, 400, 4), (149.75, 500, 5)]
    assert [(lv.price, lv.quantity, lv.orders) for lv in tick.depth.asks] == [
        (150.05, 150, 2), (150.1, 300, 3), (150.15, 450, 4), (150.2, 600, 5), (150.25, 750, 6)]
    assert fake.subscribed() == {3160578: "full"}


async def test_index_packets(fake, adapter, lookup):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NSE_INDEX", "NIFTY")], FeedMode.QUOTE)
    await feed.subscribe([lookup.get("BSE_INDEX", "SENSEX")], FeedMode.DEPTH)
    nifty = await ticks.next("NIFTY", FeedMode.QUOTE)
    assert (nifty.exchange, nifty.ltp, nifty.high, nifty.low, nifty.open, nifty.close) == (
        "NSE_INDEX", 26000.0, 26050.0, 25920.0, 25980.0, 25900.0)
    sensex = await ticks.next("SENSEX", FeedMode.DEPTH)  # a 32-byte index packet: time, no book
    assert (sensex.exchange, sensex.ltp, sensex.timestamp_ms, sensex.depth) == (
        "BSE_INDEX", 85000.0, FIXED_TIME * 1000, None)


async def test_currency_prices_use_the_cds_divisor(adapter, lookup):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("CDS", "USDINR29DEC2682.25CE")], FeedMode.LTP)
    assert (await ticks.next("USDINR29DEC2682.25CE", FeedMode.LTP)).ltp == 0.1225


async def test_mode_change_and_unsubscribe(fake, adapter, lookup):
    feed, ticks = adapter
    sbin = lookup.get("NSE", "SBIN")
    await feed.subscribe([sbin], FeedMode.DEPTH)
    await ticks.next("SBIN", FeedMode.DEPTH)
    await feed.unsubscribe([sbin], FeedMode.DEPTH)  # the pool downgrades by unsubscribe + subscribe
    await feed.subscribe([sbin], FeedMode.LTP)
    await ticks.next("SBIN", FeedMode.LTP)
    await feed.unsubscribe([sbin], FeedMode.LTP)
    await asyncio.sleep(0.1)
    assert fake.subscribed() == {} and {"a": "unsubscribe", "v": [779521]} in fake.feed_messages


async def test_subscriptions_are_batched(fake, plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    feed.batch = 2
    await feed.connect()
    try:
        names = [("NSE", "SBIN"), ("NSE", "RELIANCE"), ("NSE_INDEX", "NIFTY")]
        await feed.subscribe([lookup.get(*n) for n in names], FeedMode.QUOTE)
        await asyncio.sleep(0.1)
        assert fake.feed_messages == [
            {"a": "subscribe", "v": [779521, 738561]}, {"a": "mode", "v": ["quote", [779521, 738561]]},
            {"a": "subscribe", "v": [256265]}, {"a": "mode", "v": ["quote", [256265]]}]
    finally:
        await feed.close()


async def test_drop_signals_disconnect_and_a_new_adapter_resumes(fake, plugin, session, lookup):
    first = plugin.streaming_adapter(session, lookup)
    first_ticks = Collector(first)
    await first.connect()
    sbin = lookup.get("NSE", "SBIN")
    await first.subscribe([sbin], FeedMode.LTP)
    await first_ticks.next("SBIN", FeedMode.LTP)
    fake.drop_feed_connections()
    async with asyncio.timeout(3):
        await first_ticks.dropped.wait()
    assert "1011" in first_ticks.reasons[0]
    await first.close()
    # What the hub's pool does: a fresh adapter, connect, resubscribe.
    second = plugin.streaming_adapter(session, lookup)
    second_ticks = Collector(second)
    await second.subscribe([sbin], FeedMode.QUOTE)  # queued before connect, sent on connect
    await second.connect()
    try:
        tick = await second_ticks.next("SBIN", FeedMode.QUOTE)
        assert tick.ltp == 800.5 and fake.feed_accepted == 2 and second_ticks.reasons == []
    finally:
        await second.close()
    assert second_ticks.reasons == []  # our own close is not a disconnect


async def test_expired_token_refuses_the_feed(fake, plugin, session, lookup):
    fake.expire_tokens()
    feed = plugin.streaming_adapter(session, lookup)
    with pytest.raises(SessionExpired, match="zerodha"):
        await feed.connect()
    await feed.close()


async def test_close_leaves_no_tasks(plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    await feed.connect()
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    await feed.close()
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "zerodha-ticker" and not t.done()]


async def test_silence_is_noticed(fake, plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    feed.idle_timeout = 0.2
    watcher = Collector(feed)
    fake.tick_interval = 10  # no heartbeats
    try:
        await asyncio.sleep(0.1)
        await feed.connect()
        async with asyncio.timeout(3):
            await watcher.dropped.wait()
        assert watcher.reasons[0].startswith("no data for")
    finally:
        fake.tick_interval = 0.05
        await feed.close()


def test_frame_decoding_edge_cases():
    assert parse_frame(b"\x00") == []  # heartbeat
    ltp = struct.pack(">Ii", 779521, 80050)
    odd = b"\x00" * 12  # an unknown packet size is skipped
    frame = struct.pack(">H", 3) + struct.pack(">H", 8) + ltp + struct.pack(">H", 12) + odd + struct.pack(">H", 8)
    (packet,) = parse_frame(frame)  # the third packet is truncated
    assert (packet.token, packet.kind, packet.ltp) == (779521, "ltp", 800.5)
    bcd = parse_packet(struct.pack(">Ii", 6 + 256 * 77, 823456))  # BCD prices are in 1/10,000
    assert bcd.ltp == 82.3456
