"""The Socket.IO feed: REST subscriptions per message code, snapshot + pushed events parsed to
exact values for LTP/QUOTE/DEPTH, unsubscribe, reconnect after a server-side drop, and refusal
of a dead token."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from brokers.contract import BrokerUnavailable, FeedMode, SessionExpired, StreamingAdapter
from brokers.families.xts.socketio import Decoder
from tests.brokers.families.xts.conftest import MEMBERS
from tests.brokers.families.xts_fake import FIXED_UNIX


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

    async def next(self, symbol: str, mode: FeedMode, ltp: float | None = None):
        async with asyncio.timeout(3):
            while True:
                tick = await self.queue.get()
                if tick.symbol == symbol and tick.mode == mode and (ltp is None or tick.ltp == ltp):
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


async def test_ltp_mode_snapshot_then_pushed_event(fake, adapter, lookup, session):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    assert fake.subscriptions[session.feed_token] == {(1, 3045, 1512)}
    snapshot = await ticks.next("SBIN", FeedMode.LTP)
    assert (snapshot.exchange, snapshot.ltp, snapshot.timestamp_ms, snapshot.depth) == (
        "NSE", 800.5, FIXED_UNIX * 1000, None)
    assert await fake.push_ticks(Decimal("1.5")) == 1
    pushed = await ticks.next("SBIN", FeedMode.LTP, 802.0)
    assert (pushed.last_quantity, pushed.volume) == (5, 0)


async def test_quote_mode(fake, adapter, lookup, session):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NFO", "NIFTY29DEC26FUT")], FeedMode.QUOTE)
    assert fake.subscriptions[session.feed_token] == {(2, 35001, 1501)}
    await ticks.next("NIFTY29DEC26FUT", FeedMode.QUOTE)
    await fake.push_ticks()
    tick = await ticks.next("NIFTY29DEC26FUT", FeedMode.QUOTE)
    assert (tick.exchange, tick.ltp, tick.open, tick.high, tick.low, tick.close) == (
        "NFO", 26100.0, 25839.0, 26622.0, 25578.0, 25969.5)
    assert (tick.bid, tick.bid_qty, tick.ask, tick.ask_qty) == (26099.9, 100, 26100.1, 150)
    assert (tick.volume, tick.average_price, tick.last_quantity) == (123456, 26073.9, 5)
    assert (tick.total_buy_quantity, tick.total_sell_quantity, tick.depth) == (5000, 6000, None)
    assert tick.timestamp_ms == FIXED_UNIX * 1000


async def test_depth_mode(fake, adapter, lookup, session):
    feed, ticks = adapter
    await feed.subscribe([lookup.get("NSE_INDEX", "NIFTY"), lookup.get("NSE", "RELIANCE")], FeedMode.DEPTH)
    assert fake.subscriptions[session.feed_token] == {(1, 26000, 1502), (1, 2885, 1502)}
    await ticks.next("RELIANCE", FeedMode.DEPTH)
    await fake.push_ticks()
    tick = await ticks.next("RELIANCE", FeedMode.DEPTH)
    assert tick.depth is not None
    assert [(b.price, b.quantity, b.orders) for b in tick.depth.bids] == [
        (1399.9, 100, 1), (1399.8, 200, 2), (1399.7, 300, 3), (1399.6, 400, 4), (1399.5, 500, 5)]
    assert [(a.price, a.quantity, a.orders) for a in tick.depth.asks][0] == (1400.1, 150, 2)
    assert (tick.depth.total_buy_qty, tick.depth.total_sell_qty, tick.depth.quote.ltp) == (5000, 6000, 1400.0)
    assert (tick.bid, tick.ask, tick.ltp) == (1399.9, 1400.1, 1400.0)
    index = await ticks.next("NIFTY", FeedMode.DEPTH)
    assert (index.exchange, index.ltp) == ("NSE_INDEX", 26000.0)


async def test_unsubscribe_stops_ticks(fake, adapter, lookup, session):
    feed, ticks = adapter
    sbin = lookup.get("NSE", "SBIN")
    await feed.subscribe([sbin], FeedMode.QUOTE)
    await feed.unsubscribe([sbin], FeedMode.QUOTE)
    assert fake.subscriptions[session.feed_token] == set()
    assert feed.subscriptions == {}
    assert await fake.push_ticks() == 0


async def test_a_mode_change_moves_the_server_side_subscription(fake, adapter, lookup, session):
    feed, ticks = adapter
    sbin = lookup.get("NSE", "SBIN")
    await feed.subscribe([sbin], FeedMode.QUOTE)
    await feed.subscribe([sbin], FeedMode.DEPTH)
    assert fake.subscriptions[session.feed_token] == {(1, 3045, 1502)}
    await ticks.next("SBIN", FeedMode.DEPTH)
    await feed.unsubscribe([sbin], FeedMode.LTP)  # the caller's mode does not matter: 1502 is removed
    assert fake.subscriptions[session.feed_token] == set()


async def test_subscriptions_made_before_connect_go_out_on_connect(fake, plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    ticks = Collector(feed)
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    assert fake.subscriptions.get(session.feed_token) == set()
    try:
        await feed.connect()
        assert fake.subscriptions[session.feed_token] == {(1, 3045, 1512)}
        await ticks.next("SBIN", FeedMode.LTP)
    finally:
        await feed.close()


@pytest.mark.parametrize("member", MEMBERS)
async def test_reconnect_after_a_dropped_connection(member, fake, plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    ticks = Collector(feed)
    await feed.connect()
    try:
        await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.QUOTE)
        await ticks.next("SBIN", FeedMode.QUOTE)
        fake.drop_feed_connections()
        async with asyncio.timeout(3):
            await ticks.dropped.wait()
        assert ticks.reasons and not fake.sockets
    finally:
        await feed.close()
    # What the hub's pool does: a fresh adapter, connect, resubscribe (the server still holds the
    # subscription for this token: "already subscribed" is not an error).
    fresh = plugin.streaming_adapter(session, lookup)
    again = Collector(fresh)
    await fresh.connect()
    try:
        await fresh.subscribe([lookup.get("NSE", "SBIN")], FeedMode.QUOTE)
        await fake.push_ticks(Decimal("2"))
        tick = await again.next("SBIN", FeedMode.QUOTE, 802.5)
        assert tick.exchange == "NSE"
    finally:
        await fresh.close()
    assert not again.reasons  # a deliberate close is not a disconnect


async def test_feed_refuses_an_expired_token(fake, plugin, session, lookup):
    fake.expire_tokens()
    feed = plugin.streaming_adapter(session, lookup)
    with pytest.raises(SessionExpired):
        await feed.connect()
    await feed.close()


async def test_unreachable_feed(plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    feed._url = "ws://127.0.0.1:9/apimarketdata/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(BrokerUnavailable):
        await feed.connect()


async def test_close_leaves_no_tasks(fake, plugin, session, lookup):
    before = {t for t in asyncio.all_tasks() if not t.done()}
    feed = plugin.streaming_adapter(session, lookup)
    await feed.connect()
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    await feed.close()
    await asyncio.sleep(0)
    leftover = {t for t in asyncio.all_tasks() if not t.done()} - before - {asyncio.current_task()}
    assert not [t for t in leftover if "feed" in t.get_name()]


def test_decoder_answers_pings_and_rebuilds_binary_events():
    decoder = Decoder()
    assert decoder.feed("2") == (None, "3")
    event, reply = decoder.feed('42["1512-json-full","{}"]')
    assert (event.name, event.args, reply) == ("1512-json-full", ["{}"], None)
    assert decoder.feed('451-["xts-binary-packet",{"_placeholder":true,"num":0}]') == (None, None)
    event, _ = decoder.feed(b"\x04\x00")
    assert (event.name, event.args) == ("xts-binary-packet", [b"\x04\x00"])
    with pytest.raises(Exception, match="disconnected"):
        decoder.feed("41")
