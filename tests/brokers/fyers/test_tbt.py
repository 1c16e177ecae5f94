"""The TBT socket: 50-level books in protobuf (snapshot then diffs, prices in paise), channel
resume, "ping" keep-alive, NSE/NFO only; and the hub's pool merging it with the HSM feed."""

import asyncio

import pytest

from brokers.contract import BrokerError, Exchange, FeedMode, Instrument, StreamingAdapter
from brokers.fyers import tbt
from brokers.fyers.plugin import CAPABILITIES
from brokers.fyers.tbt_proto import SocketMessage
from streaming.config import HubConfig
from streaming.pool import UpstreamPool
from tests.brokers.fyers.conftest import TickQueue
from tests.brokers.fyers.fake import tbt_message
from tests.fixtures.streaming import PluginFeeds, wait_until


@pytest.fixture
async def depth_feed(plugin, session, lookup):
    adapter = plugin.streaming_adapter(session, lookup, depth_levels=50)
    ticks = TickQueue()
    adapter.on_tick(ticks)
    await adapter.connect()
    adapter.ticks = ticks
    try:
        yield adapter
    finally:
        await adapter.close()


def test_capabilities_declare_the_tbt_socket(plugin, session, lookup):
    deep = CAPABILITIES.deep_depth
    assert (deep.levels, deep.exchanges, deep.max_symbols_per_connection) == ((50,), {Exchange.NSE, Exchange.NFO}, 5)
    assert deep.own_socket and not deep.shares_connection_limit  # HSM's single connection stays free
    assert CAPABILITIES.stream_depth_levels("NFO") == (5, 50) and CAPABILITIES.stream_depth_levels("MCX") == (5,)
    assert isinstance(plugin.streaming_adapter(session, lookup, depth_levels=50), tbt.FyersTbtAdapter)
    with pytest.raises(BrokerError, match="not 20"):
        plugin.streaming_adapter(session, lookup, depth_levels=20)


async def test_snapshot_of_50_levels_then_diffs(depth_feed, fake, lookup):
    assert isinstance(depth_feed, StreamingAdapter)
    sbin = lookup.get("NSE", "SBIN")
    await depth_feed.subscribe([sbin], FeedMode.DEPTH)
    tick = await depth_feed.ticks.next("SBIN")
    assert fake.tbt_requests[:2] == [
        {"type": 1, "data": {"subs": 1, "symbols": ["NSE:SBIN-EQ"], "mode": "depth", "channel": "1"}},
        {"type": 2, "data": {"resumeChannels": ["1"], "pauseChannels": []}}]
    assert (tick.exchange, tick.mode, tick.ltp) == ("NSE", FeedMode.DEPTH, 0.0)  # the book alone
    assert len(tick.depth.bids) == len(tick.depth.asks) == 50
    assert (tick.depth.bids[0].price, tick.depth.bids[0].quantity, tick.depth.bids[0].orders) == (812.3, 10, 1)
    assert (tick.depth.asks[49].price, tick.depth.asks[49].quantity, tick.depth.asks[49].orders) == (814.85, 750, 51)
    assert (tick.depth.total_buy_qty, tick.depth.total_sell_qty) == (123_456, 654_321)
    assert (tick.bid, tick.ask, tick.total_buy_quantity) == (812.3, 812.4, 123_456)

    assert await fake.push_depth_diff("NSE:SBIN-EQ", level=2, bid_qty=999) == 1
    diff = await depth_feed.ticks.next("SBIN")
    assert [level.quantity for level in diff.depth.bids[:4]] == [10, 20, 999, 40]  # only level 2 changed
    assert diff.depth.bids[2].price == 812.2 and diff.depth.bids[2].orders == 3
    assert diff.depth.total_sell_qty == 654_321 and len(diff.depth.asks) == 50
    assert not fake.tbt_errors


async def test_keepalive_unsubscribe_and_limits(plugin, session, lookup, fake):
    adapter = plugin.streaming_adapter(session, lookup, depth_levels=50)
    adapter.keepalive_seconds = 0.05
    ticks = TickQueue()
    adapter.on_tick(ticks)
    await adapter.connect()
    try:
        await wait_until(lambda: "ping" in fake.tbt_requests, timeout=3)
        option = lookup.get("NFO", "NIFTY29DEC2626000CE")
        await adapter.subscribe([option], FeedMode.DEPTH)
        assert (await ticks.next(option.symbol)).exchange == "NFO"
        await adapter.unsubscribe([option], FeedMode.DEPTH)
        await wait_until(lambda: fake.tbt_subscribed() == set(), timeout=3)
        assert {"type": 1, "data": {"subs": -1, "symbols": [option.brsymbol], "mode": "depth", "channel": "1"}} \
            in fake.tbt_requests
        with pytest.raises(BrokerError, match="not offered on BSE"):
            await adapter.subscribe([Instrument("SBIN", "BSE:SBIN-A", "SBIN", Exchange.BSE, "BSE", "1")],
                                    FeedMode.DEPTH)
        with pytest.raises(BrokerError, match="market depth only"):
            await adapter.subscribe([option], FeedMode.QUOTE)
        # ticks of an unsubscribed ticker are dropped
        assert await fake.push_depth_diff(option.brsymbol, level=0, bid_qty=5) == 0
        assert not fake.tbt_errors
    finally:
        await adapter.close()


async def test_drop_signals_disconnect(depth_feed, fake, lookup):
    reasons: list[str] = []
    dropped = asyncio.Event()
    depth_feed.on_disconnect(lambda reason: (reasons.append(reason), dropped.set()))
    await depth_feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.DEPTH)
    await depth_feed.ticks.next("SBIN")
    fake.drop_feed_connections()
    async with asyncio.timeout(3):
        await dropped.wait()
    assert reasons == ["closed (1011)"] and not depth_feed.connected


async def test_expired_token_is_refused(plugin, session, lookup, fake):
    fake.expire_tokens()
    adapter = plugin.streaming_adapter(session, lookup, depth_levels=50)
    with pytest.raises(Exception, match="refused the access token"):
        await adapter.connect()


def test_hand_encoded_messages_decode_with_the_plugin_schema(fake):
    message = SocketMessage.FromString(tbt_message({"101": fake.tbt_snapshot("NSE:SBIN-EQ")}))
    feed = message.feeds["101"]
    assert message.snapshot and feed.snapshot and feed.ticker == "NSE:SBIN-EQ"
    assert feed.depth.bids[0].price.value == 81230 and len(feed.depth.asks) == 50



async def test_pool_lays_the_50_level_book_over_the_hsm_feed(plugin, session, lookup, fake):
    ticks = TickQueue()
    pool = UpstreamPool("fyers:1", PluginFeeds(plugin, session, lookup), HubConfig(), lambda key, tick: ticks(tick))
    sbin = lookup.get("NSE", "SBIN")
    try:
        await pool.set_mode(("fyers:1", "NSE", "SBIN"), sbin, FeedMode.DEPTH, 50)
        assert sorted(c.group for c in pool.connections) == ["depth-50", "main"]
        async with asyncio.timeout(5):
            while True:
                tick = await ticks.next("SBIN")
                if tick.ltp and len(tick.depth.bids) == 50:
                    break
        assert tick.ltp == 812.35 and tick.close == 806.25  # the HSM feed's
        assert tick.depth.asks[49].price == 814.85  # the TBT socket's
        await pool.set_mode(("fyers:1", "NSE", "SBIN"), sbin, FeedMode.DEPTH, 5)
        assert [c.group for c in pool.connections] == ["main"]
        assert fake.tbt_accepted == 1
    finally:
        await pool.close()
