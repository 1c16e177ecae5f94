"""The Socket.IO feed: REST subscriptions per message code, snapshot + pushed events parsed to
exact values for LTP/QUOTE/DEPTH, unsubscribe, reconnect after a server-side drop, and refusal
of a dead token."""

from __future__ import annotations

import asyncio
import json
import signal
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from aiohttp import web

from brokers.contract import BrokerUnavailable, FeedMode, SessionExpired, StreamingAdapter
from tests.brokers.families.xts.conftest import MEMBERS
from tests.brokers.families.xts_fake import FIXED_UNIX, USER_ID


def client_tasks(before: set[asyncio.Task]) -> list[asyncio.Task]:
    """Unfinished tasks started since `before` by the client side (the adapter, python-socketio /
    python-engineio's client, aiohttp) — the fake's server tasks live in the same loop."""
    def client_side(task: asyncio.Task) -> bool:
        code = getattr(task.get_coro(), "cr_code", None)
        where = code.co_filename if code is not None else ""
        return "feed" in task.get_name() or where.endswith("async_client.py") or "/aiohttp/" in where \
            or "/brokers/families/xts/" in where
    return [t for t in asyncio.all_tasks() - before - {asyncio.current_task()} if not t.done() and client_side(t)]


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
    feed._url = "ws://127.0.0.1:9/?token=t&userID=u&publishFormat=JSON&broadcastMode=Full"
    with pytest.raises(BrokerUnavailable):
        await feed.connect()


@pytest.mark.parametrize(("status", "error", "text"), [(401, SessionExpired, "refused the token"),
                                                      (403, SessionExpired, "refused the token"),
                                                      (503, BrokerUnavailable, "HTTP 503")])
async def test_an_http_answer_to_the_websocket_upgrade(status, error, text, plugin, session, lookup):
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, text="no")

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = site._server.sockets[0].getsockname()[1]
        feed = plugin.streaming_adapter(session, lookup)
        feed._url = f"ws://127.0.0.1:{port}/?token=t&userID=u&publishFormat=JSON&broadcastMode=Full"
        with pytest.raises(error, match=text):
            await feed.connect()
        await feed.close()
    finally:
        await runner.cleanup()


async def test_a_silent_feed_times_out_within_open_timeout(plugin, session, lookup):
    held: list[asyncio.StreamWriter] = []

    async def accept_and_say_nothing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept_and_say_nothing, "127.0.0.1", 0)
    before = {t for t in asyncio.all_tasks() if not t.done()}
    try:
        port = server.sockets[0].getsockname()[1]
        feed = plugin.streaming_adapter(session, lookup)
        feed._url = f"ws://127.0.0.1:{port}/?token=t&userID=u&publishFormat=JSON&broadcastMode=Full"
        feed.open_timeout = 0.5
        started = asyncio.get_running_loop().time()
        with pytest.raises(BrokerUnavailable, match="timed out"):
            await feed.connect()
        assert asyncio.get_running_loop().time() - started < 3
        await asyncio.sleep(0)
        assert not client_tasks(before), client_tasks(before)
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_close_leaves_no_tasks(fake, plugin, session, lookup):
    before = {t for t in asyncio.all_tasks() if not t.done()}
    feed = plugin.streaming_adapter(session, lookup)
    await feed.connect()
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    await feed.close()
    await asyncio.sleep(0)
    leftover = {t for t in asyncio.all_tasks() if not t.done()} - before - {asyncio.current_task()}
    assert not [t for t in leftover if "feed" in t.get_name()]


@pytest.mark.parametrize("member", MEMBERS)
async def test_the_client_speaks_the_documented_socket_io_wire(member, fake, plugin, session, lookup):
    """websocket transport only, the member's Socket.IO path, token/userID/JSON/Full in the query,
    no client-side reconnection (the hub's pool reconnects) and no SIGINT handler taken over."""
    sigint = signal.getsignal(signal.SIGINT)
    feed = plugin.streaming_adapter(session, lookup)
    await feed.connect()
    try:
        client = feed._client
        assert client.connected and client.eio.current_transport == "websocket"
        assert client.reconnection is False
        url = urlsplit(client.eio.base_url)
        assert (url.scheme, url.path) == ("ws", f"{fake.socket_path}/")
        assert dict(parse_qsl(url.query)) == {"token": session.feed_token, "userID": USER_ID,
                                              "publishFormat": "JSON", "broadcastMode": "Full",
                                              "transport": "websocket", "EIO": "4"}
        assert len(fake.sockets) == 1
    finally:
        await feed.close()
    assert signal.getsignal(signal.SIGINT) is sigint


async def test_events_other_than_ticks_are_counted_and_ignored(fake, adapter, lookup, session):
    feed, ticks = adapter
    sbin = lookup.get("NSE", "SBIN")
    await feed.subscribe([sbin], FeedMode.LTP)
    await ticks.next("SBIN", FeedMode.LTP)
    (sid,) = fake.sockets
    instrument = fake.by_key[(1, 3045)]
    before = feed.events
    await fake.sio.emit("joined", {"userID": USER_ID}, to=sid)
    await fake.sio.emit("1510-json-full", json.dumps(fake.payload(instrument, 1510)), to=sid)
    await fake.sio.emit("1105-json-partial", "t:1_3045,110:800.5", to=sid)
    await fake.sio.emit("xts-binary-packet", b"\x04\x00\xdc\x05", to=sid)
    await fake.sio.emit("1512-json-full", {**fake.payload(instrument, 1512), "LastTradedPrice": 811.25}, to=sid)
    seen = []
    async with asyncio.timeout(3):
        while not seen or seen[-1].ltp != 811.25:
            seen.append(await ticks.queue.get())
    # Only the 1512 events became ticks (the fake's own 0.5 s pushes at 800.5 may interleave): the
    # OI event, `joined`, the compact 1105 text and the binary packet were dropped, as before.
    assert {(t.symbol, t.mode, t.ltp) for t in seen} <= {("SBIN", FeedMode.LTP, 800.5), ("SBIN", FeedMode.LTP, 811.25)}
    assert (seen[-1].exchange, seen[-1].last_quantity) == ("NSE", 5)
    assert feed.events - before >= 5
    assert not ticks.reasons


async def test_a_server_side_drop_names_the_reason_once(fake, plugin, session, lookup):
    feed = plugin.streaming_adapter(session, lookup)
    ticks = Collector(feed)
    await feed.connect()
    try:
        fake.drop_feed_connections()
        async with asyncio.timeout(3):
            await ticks.dropped.wait()
        await asyncio.sleep(0.1)
        assert ticks.reasons == ["closed by the broker"]
        assert feed._client is None  # subscribing now only records; the next connect posts it
        await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
        assert fake.subscriptions[session.feed_token] == set()
    finally:
        await feed.close()


async def test_close_leaves_no_tasks_of_any_kind(fake, plugin, session, lookup):
    before = {t for t in asyncio.all_tasks() if not t.done()}
    feed = plugin.streaming_adapter(session, lookup)
    ticks = Collector(feed)
    await feed.connect()
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.QUOTE)
    await fake.push_ticks()
    await ticks.next("SBIN", FeedMode.QUOTE)
    running = {t.get_coro().__qualname__ for t in client_tasks(before)}
    assert {"AsyncClient._read_loop_websocket", "AsyncClient._write_loop", "XtsStreamingAdapter._read"} <= running
    await feed.close()
    await asyncio.sleep(0)
    assert not client_tasks(before), client_tasks(before)
    assert feed._http is None and feed._client is None and not ticks.reasons


async def test_close_after_a_drop_leaves_no_tasks(fake, plugin, session, lookup):
    before = {t for t in asyncio.all_tasks() if not t.done()}
    feed = plugin.streaming_adapter(session, lookup)
    ticks = Collector(feed)
    await feed.connect()
    fake.drop_feed_connections()
    async with asyncio.timeout(3):
        await ticks.dropped.wait()
    await feed.close()
    await asyncio.sleep(0)
    assert not client_tasks(before), client_tasks(before)


async def test_a_refused_connect_leaves_no_tasks(fake, plugin, session, lookup):
    before = {t for t in asyncio.all_tasks() if not t.done()}
    fake.expire_tokens()
    feed = plugin.streaming_adapter(session, lookup)
    with pytest.raises(SessionExpired):
        await feed.connect()
    await asyncio.sleep(0)
    assert not client_tasks(before), client_tasks(before)
