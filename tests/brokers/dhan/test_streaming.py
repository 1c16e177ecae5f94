"""The binary market feed: exact ticks per mode, subscribe wire format, disconnects, reconnect."""

import asyncio
import struct

import pytest

from brokers.contract import Exchange, FeedMode, Instrument, StreamingAdapter
from brokers.dhan import feed
from tests.brokers.dhan.fake import LTT


async def open_adapter(plugin, session, lookup):
    adapter = plugin.streaming_adapter(session, lookup)
    ticks: asyncio.Queue = asyncio.Queue()
    adapter.on_tick(ticks.put_nowait)
    await adapter.connect()
    return adapter, ticks


async def first(ticks: asyncio.Queue, symbol: str, mode: FeedMode):
    async with asyncio.timeout(3):
        while True:
            tick = await ticks.get()
            if tick.symbol == symbol and tick.mode == mode:
                return tick


async def test_ltp_ticks_for_equity_and_index(plugin, session, lookup, fake):
    adapter = plugin.streaming_adapter(session, lookup)
    assert isinstance(adapter, StreamingAdapter)

    def broken(tick):
        raise RuntimeError("a consumer bug")

    adapter.on_tick(broken)  # must not stop the next handler or the socket
    ticks: asyncio.Queue = asyncio.Queue()
    adapter.on_tick(ticks.put_nowait)
    await adapter.connect()
    try:
        await adapter.subscribe([lookup.get("NSE", "SBIN"), lookup.get("NSE_INDEX", "NIFTY")], FeedMode.LTP)
        sbin = await first(ticks, "SBIN", FeedMode.LTP)
        assert (sbin.exchange, sbin.ltp, sbin.timestamp_ms, sbin.close) == ("NSE", 812.45, LTT * 1000, 808.95)
        assert sbin.depth is None and sbin.volume == 0
        nifty = await first(ticks, "NIFTY", FeedMode.LTP)
        assert (nifty.exchange, nifty.ltp) == ("NSE_INDEX", 26015.5)
        assert fake.feed_requests[0] == {"RequestCode": 15, "InstrumentCount": 2, "InstrumentList": [
            {"ExchangeSegment": "NSE_EQ", "SecurityId": "3045"}, {"ExchangeSegment": "IDX_I", "SecurityId": "13"}]}
    finally:
        await adapter.close()
    assert fake.feed_requests[-1] == {"RequestCode": 12}
    assert not fake.feed_errors


async def test_quote_ticks(plugin, session, lookup, fake):
    adapter, ticks = await open_adapter(plugin, session, lookup)
    try:
        await adapter.subscribe([lookup.get("NFO", "NIFTY30DEC25FUT")], FeedMode.QUOTE)
        tick = await first(ticks, "NIFTY30DEC25FUT", FeedMode.QUOTE)
        assert (tick.exchange, tick.ltp, tick.open, tick.high, tick.low, tick.close) == (
            "NFO", 26120.0, 26118.0, 26125.0, 26114.0, 26116.5)
        assert (tick.volume, tick.average_price, tick.last_quantity) == (150_000, 26118.75, 25)
        assert (tick.total_buy_quantity, tick.total_sell_quantity, tick.timestamp_ms) == (58_000, 64_000, LTT * 1000)
        later = await first(ticks, "NIFTY30DEC25FUT", FeedMode.QUOTE)  # after the OI packet
        assert later.oi == 1_250_000 and later.depth is None
        assert fake.feed_requests[0]["RequestCode"] == 17
    finally:
        await adapter.close()


async def test_depth_ticks(plugin, session, lookup, fake):
    adapter, ticks = await open_adapter(plugin, session, lookup)
    try:
        await adapter.subscribe([lookup.get("NFO", "NIFTY30DEC2526000CE")], FeedMode.DEPTH)
        tick = await first(ticks, "NIFTY30DEC2526000CE", FeedMode.DEPTH)
        assert (tick.ltp, tick.bid, tick.ask, tick.bid_qty, tick.ask_qty, tick.oi) == (
            182.35, 182.3, 182.4, 100, 120, 1_250_000)
        assert (tick.close, tick.volume, tick.average_price) == (178.85, 150_000, 181.1)
        assert [(b.price, b.quantity, b.orders) for b in tick.depth.bids] == [
            (182.3, 100, 1), (182.25, 200, 2), (182.2, 300, 3), (182.15, 400, 4), (182.1, 500, 5)]
        assert [(a.price, a.quantity, a.orders) for a in tick.depth.asks] == [
            (182.4, 120, 2), (182.45, 240, 3), (182.5, 360, 4), (182.55, 480, 5), (182.6, 600, 6)]
        assert (tick.depth.total_buy_qty, tick.depth.total_sell_qty) == (58_000, 64_000)
        assert fake.feed_requests[0]["RequestCode"] == 21
    finally:
        await adapter.close()


async def test_unsubscribe_and_100_per_message(plugin, session, lookup, fake):
    adapter, ticks = await open_adapter(plugin, session, lookup)
    try:
        many = [Instrument(f"X{i}", f"X{i}", f"X{i}", Exchange.NSE, "NSE_EQ", str(900_000 + i)) for i in range(150)]
        await adapter.subscribe(many, FeedMode.LTP)
        sbin = lookup.get("NSE", "SBIN")
        await adapter.subscribe([sbin], FeedMode.QUOTE)
        await first(ticks, "SBIN", FeedMode.QUOTE)
        assert [r["InstrumentCount"] for r in fake.feed_requests[:2]] == [100, 50]
        assert fake.subscribed() == {("NSE_EQ", "3045"): 17}
        await adapter.unsubscribe([sbin], FeedMode.QUOTE)
        await adapter.subscribe([sbin], FeedMode.LTP)  # ordered after the unsubscribe on the socket
        await first(ticks, "SBIN", FeedMode.LTP)
        assert fake.subscribed() == {("NSE_EQ", "3045"): 15}
        assert fake.feed_requests[-2] == {"RequestCode": 18, "InstrumentCount": 1,
                                          "InstrumentList": [{"ExchangeSegment": "NSE_EQ", "SecurityId": "3045"}]}
        await adapter.subscribe([sbin], FeedMode.DEPTH)
        await adapter.unsubscribe([sbin], FeedMode.LTP)  # a lower mode leaves the DEPTH subscription
        assert adapter._subs[(1, 3045)][1] == FeedMode.DEPTH
        assert not fake.feed_errors
    finally:
        await adapter.close()


async def test_drop_signals_disconnect_and_a_fresh_adapter_streams_again(plugin, session, lookup, fake):
    adapter, ticks = await open_adapter(plugin, session, lookup)
    reasons: list[str] = []
    dropped = asyncio.Event()
    adapter.on_disconnect(lambda reason: (reasons.append(reason), dropped.set()))
    sbin = lookup.get("NSE", "SBIN")
    await adapter.subscribe([sbin], FeedMode.LTP)
    await first(ticks, "SBIN", FeedMode.LTP)
    fake.drop_feed_connections()
    async with asyncio.timeout(3):
        await dropped.wait()
    assert reasons == ["connection closed (1011)"] and not adapter.connected
    await adapter.close()

    # what the hub's pool does: a new adapter, connect, resubscribe everything
    fresh, fresh_ticks = await open_adapter(plugin, session, lookup)
    try:
        await fresh.subscribe([sbin], FeedMode.LTP)
        assert (await first(fresh_ticks, "SBIN", FeedMode.LTP)).ltp == 812.45
        assert fake.feed_accepted == 2
    finally:
        await fresh.close()
    assert len(reasons) == 1  # a deliberate close never reports a drop


async def test_expired_token_gets_the_disconnect_packet(plugin, session, lookup, fake):
    fake.expire_tokens()
    adapter = plugin.streaming_adapter(session, lookup)
    reasons: list[str] = []
    dropped = asyncio.Event()
    adapter.on_disconnect(lambda reason: (reasons.append(reason), dropped.set()))
    await adapter.connect()
    try:
        async with asyncio.timeout(3):
            await dropped.wait()
        assert reasons == ["server disconnect 807 (access token expired)"]
    finally:
        await adapter.close()


async def test_close_leaves_no_tasks_and_keeps_a_heartbeat(plugin, session, lookup):
    adapter, _ = await open_adapter(plugin, session, lookup)
    assert adapter._ws.ping_interval == 30.0 and adapter._ws.ping_timeout == 10.0
    await adapter.close()
    await asyncio.sleep(0)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "dhan-feed-reader" and not t.done()]


def test_split_handles_packets_back_to_back_and_truncated_tails():
    def header(code, length, segment, sid):
        return struct.pack("<B", code) + struct.pack("<h", length) + struct.pack("<B", segment) + struct.pack("<i", sid)

    frame = (header(6, 16, 1, 2885) + struct.pack("<f", 1399.5) + struct.pack("<i", 0)
             + header(2, 16, 1, 2885) + struct.pack("<f", 1402.25) + struct.pack("<i", LTT)
             + header(5, 12, 2, 52175) + struct.pack("<i", 777)
             + header(7, 8, 0, 0)
             + header(2, 16, 1, 3045)[:10])  # truncated
    packets = feed.split(frame)
    short = feed.split(header(4, 12, 1, 3045) + b"\0" * 4)  # a "quote" shorter than its layout
    assert [(p.code, p.values) for p in short] == [(4, {})]
    assert [(p.code, p.segment, p.security_id) for p in packets] == [(6, 1, 2885), (2, 1, 2885), (5, 2, 52175),
                                                                      (7, 0, 0)]
    assert packets[1].values == {"ltp": pytest.approx(1402.25), "ltt": LTT}
    assert packets[0].values["prev_close"] == pytest.approx(1399.5) and packets[2].values == {"oi": 777}
