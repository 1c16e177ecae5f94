"""The MarketDataFeedV3 adapter against the fake's protobuf socket: every mode with exact values,
the wire requests, depth-only increments, reconnect and clean shutdown."""

import asyncio
import json
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from brokers.contract import FeedMode, StreamingAdapter, Tick


@pytest.fixture
async def feed(plugin, session, lookup):
    adapters = []

    async def open_adapter(**settings):
        adapter = plugin.streaming_adapter(session, lookup)
        for name, value in settings.items():
            setattr(adapter, name, value)
        queue: asyncio.Queue[Tick] = asyncio.Queue()
        adapter.on_tick(queue.put_nowait)
        await adapter.connect()
        adapters.append(adapter)
        return adapter, queue

    yield open_adapter
    for adapter in adapters:
        await adapter.close()
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "upstox-feed" and not t.done()]


async def next_tick(queue: asyncio.Queue, symbol: str) -> Tick:
    async with asyncio.timeout(3):
        while True:
            tick = await queue.get()
            if tick.symbol == symbol:
                return tick


async def test_ltp_mode(feed, lookup, fake):
    adapter, queue = await feed()
    assert isinstance(adapter, StreamingAdapter)
    await adapter.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    tick = await next_tick(queue, "SBIN")
    assert (tick.exchange, tick.mode, tick.ltp, tick.close, tick.last_quantity) == ("NSE", FeedMode.LTP, 812.35,
                                                                                      806.85, 25)
    assert abs(tick.timestamp_ms - time.time() * 1000) < 5000 and tick.depth is None and tick.volume == 0
    [client] = fake.feed_clients
    assert client.text_frames == 0  # requests went out as binary frames
    request = client.requests[0]
    assert request["method"] == "sub" and request["guid"]
    assert request["data"] == {"mode": "ltpc", "instrumentKeys": ["NSE_EQ|INE062A01020"]}
    assert adapter.market_status.get("NSE_EQ") == "2"


async def test_quote_mode(feed, lookup):
    adapter, queue = await feed()
    await adapter.subscribe([lookup.get("NSE", "SBIN"), lookup.get("NSE_INDEX", "NIFTY")], FeedMode.QUOTE)
    tick = await next_tick(queue, "SBIN")
    assert tick.mode is FeedMode.QUOTE and tick.depth is None
    assert (tick.ltp, tick.open, tick.high, tick.low, tick.close) == (812.35, 809.35, 816.6, 806.35, 806.85)
    assert (tick.volume, tick.average_price, tick.oi) == (1234567, 811.35, 0)
    assert (tick.bid, tick.bid_qty, tick.ask, tick.ask_qty) == (812.3, 100, 812.4, 150)
    assert (tick.total_buy_quantity, tick.total_sell_quantity) == (12345, 23456)
    index = await next_tick(queue, "NIFTY")
    assert (index.exchange, index.ltp, index.open, index.high, index.low) == ("NSE_INDEX", 26100.15, 26080.15,
                                                                             26160.15, 26020.15)


async def test_depth_mode_and_depth_only_increments(feed, lookup, fake):
    adapter, queue = await feed()
    future = lookup.get("NFO", "NIFTY29DEC26FUT")
    await adapter.subscribe([future], FeedMode.DEPTH)
    tick = await next_tick(queue, "NIFTY29DEC26FUT")
    assert tick.mode is FeedMode.DEPTH and tick.oi == 4500000
    assert [level.price for level in tick.depth.bids] == [26180.4, 26180.3, 26180.2, 26180.1, 26180.0]
    assert [level.quantity for level in tick.depth.bids] == [100, 200, 300, 400, 500]
    assert [level.price for level in tick.depth.asks] == [26180.6, 26180.7, 26180.8, 26180.9, 26181.0]
    assert [level.quantity for level in tick.depth.asks] == [150, 300, 450, 600, 750]
    assert tick.depth.quote.ltp == 26180.5 and tick.depth.total_sell_qty == 23456

    fake.tick_interval = 60  # quiet the regular ticks so the next frame is ours
    await asyncio.sleep(0.1)
    while not queue.empty():
        queue.get_nowait()
    await fake.broadcast(fake.depth_only_frame(future.token))
    tick = await next_tick(queue, "NIFTY29DEC26FUT")
    assert tick.ltp == 26180.5  # carried forward from the last LTPC
    assert [(level.price, level.quantity) for level in tick.depth.bids] == [(26179.5, 7)]


async def test_mode_upgrade_unsubscribe_and_batching(feed, lookup, fake):
    adapter, queue = await feed(max_per_subscribe=2)
    items = [lookup.get("NSE", "SBIN"), lookup.get("NSE", "RELIANCE"), lookup.get("NFO", "NIFTY29DEC2626000CE")]
    await adapter.subscribe(items, FeedMode.LTP)
    await adapter.subscribe(items[:1], FeedMode.DEPTH)
    await adapter.subscribe(items[:1], FeedMode.QUOTE)  # already richer: nothing sent
    await adapter.unsubscribe(items[1:], FeedMode.LTP)
    await next_tick(queue, "SBIN")
    [client] = fake.feed_clients
    sent = [(r["method"], r["data"].get("mode"), r["data"]["instrumentKeys"]) for r in client.requests]
    assert sent == [("sub", "ltpc", ["NSE_EQ|INE062A01020", "NSE_EQ|INE002A01018"]),
                    ("sub", "ltpc", ["NSE_FO|52911"]),
                    ("change_mode", "full", ["NSE_EQ|INE062A01020"]),
                    ("unsub", None, ["NSE_EQ|INE002A01018", "NSE_FO|52911"])]
    assert set(client.modes) == {"NSE_EQ|INE062A01020"}


async def test_reconnect_after_the_server_drops_the_feed(feed, lookup, fake):
    adapter, queue = await feed()
    lost = asyncio.Event()
    reasons = []
    adapter.on_disconnect(lambda reason: (reasons.append(reason), lost.set()))
    sbin = lookup.get("NSE", "SBIN")
    await adapter.subscribe([sbin], FeedMode.LTP)
    await next_tick(queue, "SBIN")

    fake.drop_feed_connections()
    await asyncio.wait_for(lost.wait(), 3)
    assert reasons and "1011" in reasons[0] and not adapter.connected

    fresh, fresh_queue = await feed()  # what the pool does: a new adapter, then resubscribe
    await fresh.subscribe([sbin], FeedMode.LTP)
    tick = await next_tick(fresh_queue, "SBIN")
    assert tick.ltp == 812.35


async def test_feed_code_is_single_use_and_requests_are_validated(feed, fake, lookup):
    adapter, queue = await feed()
    with pytest.raises(InvalidStatus, match="403"):  # the URL's code was spent by the adapter
        async with connect(fake.feed_urls[-1]):
            pass
    [client] = fake.feed_clients
    await client.connection.send(b"")  # noise the adapter must survive: an empty FeedResponse
    await adapter._ws.send(json.dumps({"guid": "x", "method": "bogus", "data": {}}))  # a text frame
    await asyncio.sleep(0.1)
    assert client.text_frames == 1
    await adapter.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    await next_tick(queue, "SBIN")


async def test_expired_token_cannot_open_the_feed(plugin, session, lookup, fake):
    from brokers.contract import SessionExpired

    fake.expire_tokens()
    adapter = plugin.streaming_adapter(session, lookup)
    with pytest.raises(SessionExpired):
        await adapter.connect()
    await adapter.close()
