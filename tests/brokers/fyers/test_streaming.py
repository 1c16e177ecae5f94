"""The HSM feed: connect/auth, subscribe frames, exact ticks per mode, updates, unsubscribe,
reconnect after a server-side drop, token expiry, and no leaked tasks."""

import asyncio
import struct

import pytest

from brokers.contract import BrokerError, FeedMode, SessionExpired, StreamingAdapter
from brokers.fyers import hsm
from tests.brokers.fyers.conftest import TickQueue


@pytest.fixture
async def feed(plugin, session, lookup):
    adapter = plugin.streaming_adapter(session, lookup)
    ticks = TickQueue()
    adapter.on_tick(ticks)
    await adapter.connect()
    adapter.ticks = ticks
    try:
        yield adapter
    finally:
        await adapter.close()


async def sent(fake, count: int) -> list[bytes]:
    """The first `count` client frames the fake received (the plugin's send returns before the fake
    has read them)."""
    async with asyncio.timeout(3):
        return await fake.received(count)


def parse_subscription(frame: bytes) -> tuple[int, list[str]]:
    kind = frame[2]
    (blob_len,) = struct.unpack_from(">H", frame, 5)
    blob = frame[7:7 + blob_len]
    (count,) = struct.unpack_from(">H", blob, 0)
    topics, offset = [], 2
    for _ in range(count):
        topics.append(blob[offset + 1:offset + 1 + blob[offset]].decode())
        offset += 1 + blob[offset]
    return kind, topics


async def test_auth_frame_and_ltp_tick(feed, fake, lookup, session):
    assert isinstance(feed, StreamingAdapter)
    auth = fake.feed_frames[0]
    assert struct.unpack_from(">HBB", auth) == (len(auth) - 2, 1, 4)
    assert fake.tokens[session.access_token]["hsm_key"].encode() in auth
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.LTP)
    assert parse_subscription((await sent(fake, 2))[1]) == (4, ["sf|nse_cm|3045"])
    tick = await feed.ticks.next("SBIN")
    assert (tick.exchange, tick.symbol, tick.mode, tick.ltp, tick.timestamp_ms) == (
        "NSE", "SBIN", FeedMode.LTP, 812.35, 1795000001000)
    assert tick.depth is None and tick.volume == 0


async def test_quote_tick_has_every_field(feed, lookup):
    await feed.subscribe([lookup.get("NFO", "NIFTY29DEC26FUT")], FeedMode.QUOTE)
    tick = await feed.ticks.next("NIFTY29DEC26FUT")
    assert (tick.exchange, tick.mode, tick.ltp, tick.volume, tick.oi) == ("NFO", FeedMode.QUOTE, 26150.0, 55000,
                                                                          1500000)
    assert (tick.open, tick.high, tick.low, tick.close) == (26100.0, 26200.0, 26080.0, 26120.0)
    assert (tick.bid, tick.ask, tick.bid_qty, tick.ask_qty) == (26149.95, 26150.05, 500, 600)
    assert (tick.average_price, tick.last_quantity, tick.total_buy_quantity, tick.total_sell_quantity) == (
        26149.0, 25, 5000, 6000)
    assert tick.depth is None


async def test_depth_tick_has_five_levels(feed, fake, lookup):
    await feed.subscribe([lookup.get("NSE", "RELIANCE")], FeedMode.DEPTH)
    assert parse_subscription((await sent(fake, 2))[1]) == (4, ["sf|nse_cm|2885", "dp|nse_cm|2885"])
    tick = await feed.ticks.next("RELIANCE")
    while tick.depth is None:  # the scrip snapshot may come alone first
        tick = await feed.ticks.next("RELIANCE")
    assert tick.mode == FeedMode.DEPTH and tick.ltp == 1523.4
    assert [(lv.price, lv.quantity, lv.orders) for lv in tick.depth.bids] == [
        (1523.35, 100, 1), (1523.3, 200, 2), (1523.25, 300, 3), (1523.2, 400, 4), (1523.15, 500, 5)]
    assert [(lv.price, lv.quantity, lv.orders) for lv in tick.depth.asks] == [
        (1523.45, 110, 2), (1523.5, 220, 3), (1523.55, 330, 4), (1523.6, 440, 5), (1523.65, 550, 6)]
    assert (tick.depth.total_buy_qty, tick.depth.total_sell_qty) == (5000, 6000)


async def test_index_ticks_and_no_index_depth(feed, fake, lookup):
    await feed.subscribe([lookup.get("NSE_INDEX", "NIFTY")], FeedMode.DEPTH)
    assert parse_subscription((await sent(fake, 2))[1]) == (4, ["if|nse_cm|Nifty 50"])
    tick = await feed.ticks.next("NIFTY")
    assert (tick.exchange, tick.mode, tick.ltp, tick.timestamp_ms) == ("NSE_INDEX", FeedMode.QUOTE, 26050.15,
                                                                       1795000002000)
    assert (tick.open, tick.high, tick.low, tick.close) == (25990.0, 26100.5, 25950.25, 26000.0)
    assert tick.depth is None


async def test_updates_merge_into_the_snapshot(feed, fake, lookup):
    await feed.subscribe([lookup.get("NSE", "SBIN")], FeedMode.QUOTE)
    await feed.ticks.next("SBIN")
    assert await fake.push_ltp("NSE:SBIN-EQ", 813.1) == 1
    tick = await feed.ticks.next("SBIN")
    assert tick.ltp == 813.1 and tick.volume == 1234567 and tick.open == 805.0  # unchanged fields kept


async def test_mode_change_and_unsubscribe(feed, fake, lookup):
    sbin = lookup.get("NSE", "SBIN")
    await feed.subscribe([sbin], FeedMode.LTP)
    await feed.ticks.next("SBIN")
    await feed.subscribe([sbin], FeedMode.DEPTH)  # upgrade: only the depth topic is new
    assert parse_subscription((await sent(fake, 3))[2]) == (4, ["dp|nse_cm|3045"])
    await feed.unsubscribe([sbin], FeedMode.DEPTH)
    assert parse_subscription((await sent(fake, 4))[3]) == (5, ["sf|nse_cm|3045", "dp|nse_cm|3045"])
    await asyncio.sleep(0.05)
    assert await fake.push_ltp("NSE:SBIN-EQ", 900.0) == 0  # the fake dropped the topics
    assert feed.ticks.queue.qsize() <= 1  # at most the depth snapshot sent before the unsubscribe


async def test_subscribe_batches_respect_the_per_request_limit(plugin, session, lookup, fake):
    adapter = plugin.streaming_adapter(session, lookup)
    adapter.max_per_subscribe = 2
    await adapter.connect()
    try:
        items = [lookup.get("NSE", "SBIN"), lookup.get("NSE", "RELIANCE"), lookup.get("NFO", "NIFTY29DEC26FUT")]
        await adapter.subscribe(items, FeedMode.DEPTH)
        kinds = [parse_subscription(f) for f in (await sent(fake, 4))[1:]]
        assert [len(topics) for _, topics in kinds] == [2, 2, 2]
    finally:
        await adapter.close()


async def test_drop_signals_disconnect_and_a_fresh_adapter_resubscribes(plugin, session, lookup, fake):
    sbin = lookup.get("NSE", "SBIN")
    first = plugin.streaming_adapter(session, lookup)
    reasons: list[str] = []
    lost = asyncio.Event()
    first.on_disconnect(lambda reason: (reasons.append(reason), lost.set()))
    first.on_tick(TickQueue())
    await first.connect()
    await first.subscribe([sbin], FeedMode.LTP)
    fake.drop_feed_connections()
    async with asyncio.timeout(3):
        await lost.wait()
    assert reasons and "1011" in reasons[0] and not first.connected
    await first.close()

    second = plugin.streaming_adapter(session, lookup)  # what the hub's pool does
    ticks = TickQueue()
    second.on_tick(ticks)
    await second.connect()
    try:
        await second.subscribe([sbin], FeedMode.LTP)
        assert (await ticks.next("SBIN")).ltp == 812.35
        await fake.push_ltp("NSE:SBIN-EQ", 811.0)
        assert (await ticks.next("SBIN")).ltp == 811.0
    finally:
        await second.close()


async def test_closing_does_not_signal_a_disconnect(plugin, session, lookup):
    adapter = plugin.streaming_adapter(session, lookup)
    called: list[str] = []
    adapter.on_disconnect(called.append)
    await adapter.connect()
    await adapter.close()
    await asyncio.sleep(0.05)
    assert called == []


async def test_expired_token_cannot_open_the_feed(plugin, session, lookup, fake):
    fake.expire_tokens()
    adapter = plugin.streaming_adapter(session, lookup)
    with pytest.raises(SessionExpired, match="HTTP 401"):
        await adapter.connect()
    await adapter.close()


async def test_a_wrong_feed_key_is_refused(plugin, session, lookup, fake):
    fake.tokens[session.access_token]["hsm_key"] = "something-else"
    adapter = plugin.streaming_adapter(session, lookup)
    with pytest.raises(SessionExpired, match="refused the feed key"):
        await adapter.connect()
    await adapter.close()


async def test_no_tasks_leak(plugin, session, lookup):
    before = {t for t in asyncio.all_tasks() if not t.done()}
    adapter = plugin.streaming_adapter(session, lookup)
    adapter.on_tick(TickQueue())
    await adapter.connect()
    await adapter.subscribe([lookup.get("NSE", "SBIN")], FeedMode.QUOTE)
    await adapter.close()
    await asyncio.sleep(0.05)
    after = {t for t in asyncio.all_tasks() if not t.done()} - before - {asyncio.current_task()}
    assert not [t for t in after if "fyers" in t.get_name()]
    assert adapter._reader is None


def test_decoder_scales_by_multiplier_and_precision():
    # A currency scrip: multiplier 100, precision 4 (reference: raw ÷ multiplier ÷ 100).
    values = [841_234, 10, 0, 0] + [0] * 17
    name = b"sf|cde_fo|12001"
    record = struct.pack(">BHB", 83, 7, len(name)) + name + struct.pack(">B", len(values))
    record += struct.pack(f">{len(values)}i", *values) + b"\x00\x00" + struct.pack(">HB", 100, 4)
    for text in (b"CDS", b"12001", b"USDINR26DECFUT"):
        record += struct.pack(">B", len(text)) + text
    update = struct.pack(">BHB", 85, 7, 2) + struct.pack(">2i", hsm.INT32_MIN, 11)
    unknown = struct.pack(">BHB", 85, 99, 1) + struct.pack(">i", 5)
    body = struct.pack(">BIH", 6, 1, 3) + record + update + unknown
    decoder = hsm.FeedDecoder()
    states = decoder.decode(struct.pack(">H", len(body)) + body)
    assert len(states) == 2 and states[0] is states[1]
    state = states[0]
    assert state.price("ltp") == 84.1234 and state.count("vol_traded_today") == 11
    assert (state.exchange, state.token, state.symbol) == ("CDS", "12001", "USDINR26DECFUT")
    with pytest.raises(hsm.ProtocolError):
        decoder.decode(struct.pack(">H", 10) + body[:8])


async def test_a_failing_handler_does_not_stop_the_feed(plugin, session, lookup):
    adapter = plugin.streaming_adapter(session, lookup)
    sbin = lookup.get("NSE", "SBIN")
    with pytest.raises(BrokerError, match="not connected"):
        await adapter.subscribe([sbin], FeedMode.LTP)

    def broken(tick):
        raise RuntimeError("consumer bug")

    ticks = TickQueue()
    adapter.on_tick(broken)
    adapter.on_tick(ticks)
    await adapter.connect()
    try:
        await adapter.subscribe([sbin], FeedMode.LTP)
        assert (await ticks.next("SBIN")).ltp == 812.35 and adapter.connected
    finally:
        await adapter.close()
