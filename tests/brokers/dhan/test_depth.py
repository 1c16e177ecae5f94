"""The 20-level depth socket: its own URL, RequestCode 23/25, 12-byte headers, float64 rows, bid
and ask packets joined per security id; and the hub's pool merging it with the live feed."""

import asyncio
import struct

import pytest

from brokers.contract import BrokerError, Exchange, FeedMode, Instrument
from brokers.dhan import depth
from brokers.dhan.plugin import CAPABILITIES
from streaming.config import HubConfig
from streaming.pool import UpstreamPool
from tests.brokers.dhan.fake import depth_disconnect_packet, depth_side_packet
from tests.fixtures.streaming import PluginFeeds, wait_until


async def open_depth(plugin, session, lookup):
    adapter = plugin.streaming_adapter(session, lookup, depth_levels=20)
    ticks: asyncio.Queue = asyncio.Queue()
    adapter.on_tick(ticks.put_nowait)
    await adapter.connect()
    return adapter, ticks


async def first(ticks: asyncio.Queue, symbol: str):
    async with asyncio.timeout(3):
        while True:
            tick = await ticks.get()
            if tick.symbol == symbol:
                return tick


def test_capabilities_declare_the_20_level_socket(plugin, session, lookup):
    deep = CAPABILITIES.deep_depth
    assert (deep.levels, deep.exchanges, deep.max_symbols_per_connection) == ((20,), {Exchange.NSE, Exchange.NFO}, 50)
    assert deep.own_socket and deep.shares_connection_limit and CAPABILITIES.max_connections_per_user == 5
    assert CAPABILITIES.stream_depth_levels("NSE") == (5, 20) and CAPABILITIES.stream_depth_levels("BSE") == (5,)
    assert isinstance(plugin.streaming_adapter(session, lookup, depth_levels=20), depth.DhanDepthAdapter)
    assert not isinstance(plugin.streaming_adapter(session, lookup), depth.DhanDepthAdapter)
    with pytest.raises(BrokerError, match="not 200"):
        plugin.streaming_adapter(session, lookup, depth_levels=200)


async def test_twenty_levels_per_side_joined_from_separate_packets(plugin, session, lookup, fake):
    adapter, ticks = await open_depth(plugin, session, lookup)
    try:
        await adapter.subscribe([lookup.get("NSE", "SBIN"), lookup.get("NFO", "NIFTY30DEC2526000CE")], FeedMode.DEPTH)
        sbin = await first(ticks, "SBIN")
        option = lookup.get("NFO", "NIFTY30DEC2526000CE")
        assert fake.depth_requests[0] == {"RequestCode": 23, "InstrumentCount": 2, "InstrumentList": [
            {"ExchangeSegment": "NSE_EQ", "SecurityId": "3045"},
            {"ExchangeSegment": "NSE_FNO", "SecurityId": option.token}]}
        assert (sbin.exchange, sbin.mode, sbin.ltp) == ("NSE", FeedMode.DEPTH, 0.0)  # the book alone
        assert len(sbin.depth.bids) == len(sbin.depth.asks) == 20
        assert (sbin.depth.bids[0].price, sbin.depth.bids[0].quantity, sbin.depth.bids[0].orders) == (812.4, 100, 1)
        assert (sbin.depth.bids[19].price, sbin.depth.asks[19].price) == (811.45, 813.45)
        assert (sbin.depth.asks[0].quantity, sbin.depth.asks[0].orders) == (120, 2)
        assert (sbin.bid, sbin.ask, sbin.bid_qty, sbin.ask_qty) == (812.4, 812.5, 100, 120)
        option_tick = await first(ticks, "NIFTY30DEC2526000CE")
        assert option_tick.exchange == "NFO" and option_tick.depth.asks[0].price == 182.4
        # the push loop sends every bid packet in one frame and the asks in the next
        for _ in range(4):
            assert len((await first(ticks, "SBIN")).depth.asks) == 20
        assert fake.depth_accepted == 1 and fake.feed_accepted == 0 and not fake.feed_errors
    finally:
        await adapter.close()
    assert fake.depth_requests[-1] == {"RequestCode": 12}


async def test_unsubscribe_50_per_message_and_nse_only(plugin, session, lookup, fake):
    adapter, ticks = await open_depth(plugin, session, lookup)
    try:
        many = [Instrument(f"X{i}", f"X{i}", f"X{i}", Exchange.NSE, "NSE_EQ", str(900_000 + i)) for i in range(60)]
        await adapter.subscribe(many, FeedMode.DEPTH)
        sbin = lookup.get("NSE", "SBIN")
        await adapter.subscribe([sbin], FeedMode.DEPTH)
        await first(ticks, "SBIN")  # requests are answered in order: the first two are in
        assert [r["InstrumentCount"] for r in fake.depth_requests[:2]] == [50, 10]
        assert fake.depth_subscribed() == {("NSE_EQ", "3045")}
        await adapter.unsubscribe([sbin], FeedMode.DEPTH)
        with pytest.raises(BrokerError, match="not offered on BSE"):
            await adapter.subscribe([lookup.get("BSE", "SBIN")], FeedMode.DEPTH)
        with pytest.raises(BrokerError, match="market depth only"):
            await adapter.subscribe([sbin], FeedMode.QUOTE)
        await wait_until(lambda: not fake.depth_subscribed(), timeout=3)
        assert fake.depth_requests[-1] == {"RequestCode": 25, "InstrumentCount": 1,
                                           "InstrumentList": [{"ExchangeSegment": "NSE_EQ", "SecurityId": "3045"}]}
        assert not fake.feed_errors
    finally:
        await adapter.close()


async def test_drop_and_expired_token_signal_disconnect(plugin, session, lookup, fake):
    adapter, ticks = await open_depth(plugin, session, lookup)
    reasons: list[str] = []
    dropped = asyncio.Event()
    adapter.on_disconnect(lambda reason: (reasons.append(reason), dropped.set()))
    await adapter.subscribe([lookup.get("NSE", "SBIN")], FeedMode.DEPTH)
    await first(ticks, "SBIN")
    fake.drop_feed_connections()
    async with asyncio.timeout(3):
        await dropped.wait()
    assert reasons == ["connection closed (1011)"]
    await adapter.close()

    fake.expire_tokens()
    expired = plugin.streaming_adapter(session, lookup, depth_levels=20)
    reasons.clear()
    dropped.clear()
    expired.on_disconnect(lambda reason: (reasons.append(reason), dropped.set()))
    await expired.connect()
    try:
        async with asyncio.timeout(3):
            await dropped.wait()
        assert reasons == ["server disconnect 807 (access token expired)"]
    finally:
        await expired.close()


def test_split_reads_12_byte_headers_back_to_back():
    rows = [(100.25 - i, 10 + i, 1) for i in range(20)]
    frame = (depth_side_packet(41, 1, 3045, rows, 7) + depth_side_packet(51, 1, 3045, rows, 8)
             + depth_disconnect_packet(805) + depth_side_packet(41, 2, 1, rows, 9)[:100])  # truncated tail
    packets = depth.split(frame)
    assert [(p.code, p.segment, p.security_id) for p in packets] == [(41, 1, 3045), (51, 1, 3045), (50, 0, 0)]
    assert packets[0].values["rows"][0] == (100.25, 10, 1) and len(packets[1].values["rows"]) == 20
    assert packets[2].values == {"reason": 805}
    assert struct.unpack_from("<h", frame)[0] == 12 + 20 * 16



async def test_pool_lays_the_20_level_book_over_the_live_feed(plugin, session, lookup, fake):
    ticks: asyncio.Queue = asyncio.Queue()
    pool = UpstreamPool("dhan:1", PluginFeeds(plugin, session, lookup), HubConfig(),
                        lambda key, tick: ticks.put_nowait(tick))
    sbin = lookup.get("NSE", "SBIN")
    try:
        await pool.set_mode(("dhan:1", "NSE", "SBIN"), sbin, FeedMode.DEPTH, 20)
        assert [c.group for c in pool.connections] == ["depth-20", "main"]
        async with asyncio.timeout(5):
            while True:
                tick = await ticks.get()
                if tick.ltp and len(tick.depth.bids) == 20:
                    break
        assert (tick.ltp, tick.volume, tick.close) == (812.45, 150_000, 808.95)  # the live feed's
        assert tick.depth.bids[19].price == 811.45 and tick.depth.asks[0].orders == 2  # the depth socket's
        assert (tick.total_buy_quantity, tick.total_sell_quantity) == (58_000, 64_000)
        assert fake.subscribed() == {("NSE_EQ", "3045"): 21} and fake.depth_subscribed() == {("NSE_EQ", "3045")}

        bse = lookup.get("BSE", "SBIN")  # no 20-level depth on BSE: the live feed's 5 levels
        await pool.set_mode(("dhan:1", "BSE", "SBIN"), bse, FeedMode.DEPTH, 20)
        assert pool.deep_levels(("dhan:1", "BSE", "SBIN")) is None

        await pool.set_mode(("dhan:1", "NSE", "SBIN"), sbin, FeedMode.DEPTH, 5)
        assert [c.group for c in pool.connections] == ["main"]
        await asyncio.sleep(0.1)
        assert fake.depth_accepted == 1 and fake.depth_requests[-1] == {"RequestCode": 12}
    finally:
        await pool.close()
