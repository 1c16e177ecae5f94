"""SmartStream: subscribe per mode, exact tick values from binary packets, heartbeat, reconnect."""

import asyncio
import struct

import pytest

from brokers.angel.plugin import AngelPlugin
from brokers.angel.streaming import parse_packet
from brokers.contract import BrokerConfig, BrokerError, BrokerUnavailable, FeedMode, SessionExpired, Tick


async def wait_for(predicate, seconds: float = 3.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def feed(plugin, session, lookup):
    adapter = plugin.streaming_adapter(session, lookup)
    ticks: list[Tick] = []
    adapter.on_tick(ticks.append)
    await adapter.connect()
    yield adapter, ticks
    await adapter.close()


class TestModes:
    async def test_ltp(self, fake, feed, lookup):
        adapter, ticks = feed
        await adapter.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
        await wait_for(lambda: ticks)
        tick = ticks[0]
        assert (tick.exchange, tick.symbol, tick.mode, tick.ltp) == ("NSE", "SBIN", FeedMode.LTP, 800.5)
        assert tick.timestamp_ms == 1_795_000_000_123 and tick.volume == 0 and tick.depth is None
        message = fake.subscribe_messages[-1]
        assert message["action"] == 1 and message["params"] == {
            "mode": 1, "tokenList": [{"exchangeType": 1, "tokens": ["3045"]}]}
        await fake.push("SBIN-EQ", 801.25)
        await wait_for(lambda: len(ticks) == 2)
        assert ticks[1].ltp == 801.25

    async def test_quote(self, feed, lookup):
        adapter, ticks = feed
        await adapter.subscribe([lookup.get("NFO", "NIFTY29DEC2624000CE")], FeedMode.QUOTE)
        await wait_for(lambda: ticks)
        tick = ticks[0]
        assert (tick.exchange, tick.symbol, tick.mode) == ("NFO", "NIFTY29DEC2624000CE", FeedMode.QUOTE)
        assert (tick.ltp, tick.open, tick.high, tick.low, tick.close) == (150.5, 140.0, 160.0, 135.0, 145.0)
        assert (tick.volume, tick.last_quantity, tick.average_price) == (80_000, 25, 150.0)
        assert (tick.total_buy_quantity, tick.total_sell_quantity) == (1500, 2250)
        assert tick.depth is None

    async def test_depth_trusts_the_side_flag(self, feed, lookup):
        adapter, ticks = feed
        await adapter.subscribe([lookup.get("NFO", "NIFTY29DEC26FUT")], FeedMode.DEPTH)
        await wait_for(lambda: ticks)
        tick = ticks[0]
        assert tick.mode == FeedMode.DEPTH and tick.oi == 1_200_000 and tick.ltp == 24100.0
        assert [level.price for level in tick.depth.bids] == [24099.9, 24099.8, 24099.7, 24099.6, 24099.5]
        assert [level.price for level in tick.depth.asks] == [24100.1, 24100.2, 24100.3, 24100.4, 24100.5]
        assert [level.quantity for level in tick.depth.bids] == [100, 200, 300, 400, 500]
        assert [level.orders for level in tick.depth.asks] == [2, 3, 4, 5, 6]
        assert (tick.bid, tick.ask, tick.bid_qty, tick.ask_qty) == (24099.9, 24100.1, 100, 150)
        assert tick.depth.quote.oi == 1_200_000 and tick.depth.total_sell_qty == 2250

    async def test_index_streams_under_the_cash_type_and_unsubscribe(self, fake, feed, lookup):
        adapter, ticks = feed
        nifty = lookup.get("NSE_INDEX", "NIFTY")
        await adapter.subscribe([nifty], FeedMode.LTP)
        await wait_for(lambda: ticks)
        assert (ticks[0].exchange, ticks[0].symbol, ticks[0].ltp) == ("NSE_INDEX", "NIFTY", 24000.0)
        await adapter.unsubscribe([nifty], FeedMode.LTP)
        await wait_for(lambda: fake.subscribe_messages[-1]["action"] == 0)
        assert fake.subscribe_messages[-1]["params"]["tokenList"] == [{"exchangeType": 1, "tokens": ["99926000"]}]
        assert await fake.push("Nifty 50", 24010.0) == 0 and adapter.subscriptions == {}

    async def test_subscribe_batches_by_the_per_message_limit(self, fake, feed, lookup):
        adapter, _ = feed
        adapter.max_per_message = 2
        items = [lookup.get("NSE", "SBIN"), lookup.get("NSE", "RELIANCE"), lookup.get("NFO", "NIFTY29DEC26FUT")]
        await adapter.subscribe(items, FeedMode.QUOTE)
        await wait_for(lambda: len(fake.subscribe_messages) == 2)
        lists = [m["params"]["tokenList"] for m in fake.subscribe_messages]
        assert lists == [[{"exchangeType": 1, "tokens": ["3045", "2885"]}],
                         [{"exchangeType": 2, "tokens": ["35001"]}]]
        adapter.max_tokens = 3
        with pytest.raises(BrokerError, match="tokens per connection"):
            await adapter.subscribe([lookup.get("NFO", "NIFTY29DEC2624000PE")], FeedMode.LTP)


class TestPackets:
    def test_layout_sizes_and_currency_divisor(self):
        token = b"1202".ljust(25, b"\0")
        frame = struct.pack("<BB25sqqq", 1, 13, token, 7, 1_700_000_000_000, 835_000_000)
        assert len(frame) == 51
        packet = parse_packet(frame)
        assert packet["token"] == "1202" and packet["ltp"] == 83.5 and packet["timestamp_ms"] == 1_700_000_000_000
        assert parse_packet(frame[:50]) is None


class TestConnection:
    async def test_heartbeat_pings_and_pongs_are_ignored(self, fake, feed, lookup):
        adapter, ticks = feed
        await wait_for(lambda: fake.pings >= 2)
        assert ticks == [] and adapter.errors == []

    async def test_bad_feed_token_is_refused(self, fake, plugin, session, lookup):
        broken = type(session)(broker="angel", access_token=session.access_token, expires_at=session.expires_at,
                               feed_token="wrong", extra=dict(session.extra))
        adapter = plugin.streaming_adapter(broken, lookup)
        with pytest.raises(SessionExpired):
            await adapter.connect()
        await adapter.close()
        assert fake.feed_rejected == 1

    async def test_drop_signals_disconnect_and_a_new_adapter_resumes(self, fake, plugin, session, lookup):
        first = plugin.streaming_adapter(session, lookup)
        reasons: list[str] = []
        first.on_disconnect(reasons.append)
        await first.connect()
        await first.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
        await wait_for(lambda: fake.feed_clients and fake.feed_clients[0].subscriptions)
        fake.drop_feed_connections()
        await wait_for(lambda: reasons)
        assert len(reasons) == 1 and "connection lost" in reasons[0]
        await first.close()
        # What the hub's pool does: a fresh adapter, resubscribe, ticks flow again.
        second = plugin.streaming_adapter(session, lookup)
        ticks: list[Tick] = []
        second.on_tick(ticks.append)
        second.on_disconnect(reasons.append)
        await second.connect()
        await second.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
        await fake.push("SBIN-EQ", 802.0)
        await wait_for(lambda: any(t.ltp == 802.0 for t in ticks))
        await second.close()
        await asyncio.sleep(0.05)
        assert len(reasons) == 1  # a deliberate close is not a disconnect

    async def test_unreachable_feed_is_unavailable(self, session, lookup):
        plugin = AngelPlugin(BrokerConfig(urls={"feed": "ws://127.0.0.1:9/smart-stream"}))
        adapter = plugin.streaming_adapter(session, lookup)
        with pytest.raises(BrokerUnavailable):
            await adapter.connect()
        await adapter.close()
        await plugin.close()

    async def test_feed_errors_are_recorded(self, feed):
        adapter, ticks = feed
        await adapter._ws.send('{"action": 1}')  # a malformed request, as a buggy client would send
        await wait_for(lambda: adapter.errors)
        assert adapter.errors[0]["errorCode"] == "E1001" and ticks == []

    async def test_close_leaves_no_tasks(self, plugin, session, lookup):
        before = {t for t in asyncio.all_tasks() if not t.done()}
        adapter = plugin.streaming_adapter(session, lookup)
        await adapter.connect()
        await adapter.subscribe([lookup.get("NSE", "SBIN")], FeedMode.QUOTE)
        await adapter.close()
        await asyncio.sleep(0)
        leftover = {t for t in asyncio.all_tasks() if not t.done()} - before
        assert not [t for t in leftover if t.get_name().startswith("angel-feed")]

    async def test_async_handlers_are_awaited(self, fake, plugin, session, lookup):
        adapter = plugin.streaming_adapter(session, lookup)
        seen: list[float] = []

        async def handler(tick: Tick) -> None:
            await asyncio.sleep(0)
            seen.append(tick.ltp)

        adapter.on_tick(handler)
        await adapter.connect()
        await adapter.subscribe([lookup.get("NSE", "RELIANCE")], FeedMode.LTP)
        await wait_for(lambda: seen == [1300.25])
        await adapter.close()
