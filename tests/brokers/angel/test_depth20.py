"""Depth-20: mode 4 of SmartStream on its own connection (NSE cash, 50 tokens), 443-byte packets of
20 bids and 20 asks; and the hub's pool laying that book over the Snap Quote connection."""

import asyncio
import struct

import pytest

from brokers.angel.plugin import CAPABILITIES
from brokers.angel.streaming import DEPTH20_SIZE, parse_packet
from brokers.contract import BrokerError, Exchange, FeedMode, Tick
from streaming.config import HubConfig
from streaming.pool import UpstreamPool
from tests.fixtures.streaming import PluginFeeds, wait_until


@pytest.fixture
async def depth20(plugin, session, lookup):
    adapter = plugin.streaming_adapter(session, lookup, depth_levels=20)
    ticks: list[Tick] = []
    adapter.on_tick(ticks.append)
    await adapter.connect()
    yield adapter, ticks
    await adapter.close()


def test_capabilities(plugin, session, lookup):
    deep = CAPABILITIES.deep_depth
    assert (deep.levels, deep.exchanges, deep.max_symbols_per_connection) == ((20,), {Exchange.NSE}, 50)
    assert not deep.own_socket and deep.shares_connection_limit
    assert CAPABILITIES.stream_depth_levels("NSE") == (5, 20) and CAPABILITIES.stream_depth_levels("NFO") == (5,)
    with pytest.raises(BrokerError, match="not 50"):
        plugin.streaming_adapter(session, lookup, depth_levels=50)


async def test_mode_4_subscription_and_twenty_levels(fake, depth20, lookup):
    adapter, ticks = depth20
    await adapter.subscribe([lookup.get("NSE", "SBIN")], FeedMode.DEPTH)
    await wait_until(lambda: ticks, timeout=3)
    assert fake.subscribe_messages[-1]["params"] == {"mode": 4, "tokenList": [{"exchangeType": 1, "tokens": ["3045"]}]}
    tick = ticks[0]
    assert (tick.symbol, tick.mode, tick.ltp) == ("SBIN", FeedMode.DEPTH, 0.0)  # the book alone
    assert [level.price for level in tick.depth.bids[:3]] == [800.45, 800.4, 800.35]
    assert (tick.depth.asks[19].price, tick.depth.asks[19].quantity, tick.depth.asks[19].orders) == (801.5, 3000, 21)
    assert len(tick.depth.bids) == len(tick.depth.asks) == 20 and (tick.bid, tick.ask) == (800.45, 800.55)
    with pytest.raises(BrokerError, match="NSE only"):
        await adapter.subscribe([lookup.get("NFO", "NIFTY29DEC26FUT")], FeedMode.DEPTH)
    with pytest.raises(BrokerError, match="market depth only"):
        await adapter.subscribe([lookup.get("NSE", "SBIN")], FeedMode.QUOTE)
    assert adapter.max_tokens == 50 and not adapter.errors


def test_depth20_packet_layout():
    head = struct.pack("<BB25sqq", 4, 1, b"3045".ljust(25, b"\0"), 9, 1_700_000_000_000)
    rows = b"".join(struct.pack("<iih", 10 * (i + 1), 80000 - i * 5, i + 1) for i in range(20))
    rows += b"".join(struct.pack("<iih", 20 * (i + 1), 80010 + i * 5, i + 2) for i in range(20))
    packet = parse_packet(head + rows)
    assert len(head + rows) == DEPTH20_SIZE == 443
    assert (packet["mode"], packet["token"], packet["timestamp_ms"], packet["ltp"]) == (4, "3045", 1_700_000_000_000, 0)
    assert (packet["bids"][0].price, packet["bids"][19].quantity, packet["asks"][0].orders) == (800.0, 200, 2)
    assert parse_packet(head + rows[:100]) is None  # truncated



async def test_pool_lays_the_depth_20_book_over_snap_quote(plugin, session, lookup, fake):
    ticks: asyncio.Queue[Tick] = asyncio.Queue()
    pool = UpstreamPool("angel:1", PluginFeeds(plugin, session, lookup), HubConfig(),
                        lambda key, tick: ticks.put_nowait(tick))
    sbin = lookup.get("NSE", "SBIN")
    try:
        await pool.set_mode(("angel:1", "NSE", "SBIN"), sbin, FeedMode.DEPTH, 20)
        assert sorted(c.group for c in pool.connections) == ["depth-20", "main"]
        await fake.push("SBIN-EQ")  # both connections get a packet: Snap Quote and depth-20
        async with asyncio.timeout(5):
            while True:
                tick = await ticks.get()
                if tick.ltp and len(tick.depth.bids) == 20:
                    break
        assert (tick.ltp, tick.close, tick.oi) == (800.5, 798.0, 0) and tick.depth.asks[19].price == 801.5
        modes = sorted(mode for message in fake.subscribe_messages for mode in [message["params"]["mode"]])
        assert modes == [3, 4]
    finally:
        await pool.close()
