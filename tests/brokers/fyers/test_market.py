"""Quotes, multiquote batching, depth and history (chunking, daily stamps, OI) against the fake."""

import dataclasses
from datetime import UTC, date, datetime

import pytest

from brokers.contract import BrokerError, DataClient
from brokers.fyers.market import FyersDataClient


@pytest.fixture
def data(plugin, session, lookup) -> FyersDataClient:
    return plugin.data_client(session, lookup)


async def test_quote_of_an_equity(data, lookup):
    assert isinstance(data, DataClient)
    quote = await data.quote(lookup.get("NSE", "SBIN"))
    assert (quote.ltp, quote.open, quote.high, quote.low, quote.prev_close) == (812.35, 805.0, 815.5, 801.1, 806.25)
    assert (quote.bid, quote.ask, quote.volume, quote.oi) == (812.3, 812.4, 1234567, 0)
    assert quote.timestamp == datetime.fromtimestamp(1795000000, UTC)


async def test_quote_of_a_derivative_carries_open_interest(data, lookup, fake):
    quote = await data.quote(lookup.get("NFO", "NIFTY29DEC26FUT"))
    assert (quote.ltp, quote.oi, quote.volume, quote.prev_close) == (26150.0, 1500000, 55000, 26120.0)
    assert fake.requests[-1][1] == "/data/depth"


async def test_quote_of_an_index(data, lookup):
    quote = await data.quote(lookup.get("NSE_INDEX", "NIFTY"))
    assert quote.ltp == 26050.15 and quote.prev_close == 26000.0


async def test_multiquote_batches_within_the_limit(plugin, session, lookup, fake):
    items = [lookup.get("NSE", "SBIN"), lookup.get("NSE", "RELIANCE"), lookup.get("NSE_INDEX", "NIFTY"),
             lookup.get("NFO", "NIFTY29DEC26FUT"), lookup.get("NFO", "NIFTY29DEC2626000CE"),
             lookup.get("NFO", "NIFTY29DEC2626000PE"), lookup.get("NSE", "GS2031")]  # the last: unquotable
    small = FyersDataClient(plugin.api, plugin._token(session),
                            dataclasses.replace(plugin.capabilities, max_symbols_per_multiquote=3))
    quotes = await small.multiquote(items)
    calls = [q for _, path, q in fake.requests if path == "/data/quotes"]
    assert [len(q["symbols"].split(",")) for q in calls] == [3, 3, 1]
    assert set(quotes) == {"NSE:SBIN", "NSE:RELIANCE", "NSE_INDEX:NIFTY", "NFO:NIFTY29DEC26FUT",
                           "NFO:NIFTY29DEC2626000CE", "NFO:NIFTY29DEC2626000PE"}
    assert quotes["NFO:NIFTY29DEC2626000PE"].ltp == 95.25
    assert plugin.capabilities.max_symbols_per_multiquote == 50


async def test_depth_five_levels(data, lookup):
    depth = await data.depth(lookup.get("NSE", "RELIANCE"))
    assert [(lv.price, lv.quantity, lv.orders) for lv in depth.bids] == [
        (1523.35, 100, 1), (1523.3, 200, 2), (1523.25, 300, 3), (1523.2, 400, 4), (1523.15, 500, 5)]
    assert [(lv.price, lv.quantity, lv.orders) for lv in depth.asks][0] == (1523.45, 110, 2)
    assert (depth.total_buy_qty, depth.total_sell_qty) == (5000, 6000)
    assert depth.quote.bid == 1523.35 and depth.quote.ask == 1523.45 and depth.quote.ltp == 1523.4


async def test_minute_history_is_chunked_sorted_and_deduplicated(data, lookup, fake):
    start, end = date(2026, 6, 1), date(2026, 10, 8)  # 130 days → 60 + 60 + 10
    candles = await data.history(lookup.get("NSE", "SBIN"), "5m", start, end)
    ranges = [(q["range_from"], q["range_to"], q["resolution"]) for q in fake.history_calls]
    assert ranges == [("2026-06-01", "2026-07-30", "5"), ("2026-07-31", "2026-09-28", "5"),
                      ("2026-09-29", "2026-10-08", "5")]
    assert all("oi_flag" not in q for q in fake.history_calls)
    stamps = [c.timestamp for c in candles]
    assert stamps == sorted(set(stamps)) and len(candles) == 3 * 94  # 94 weekdays, 3 bars each
    first = candles[0]
    assert first.timestamp == int(datetime(2026, 6, 1, 3, 45, tzinfo=UTC).timestamp())  # 09:15 IST
    assert (first.open, first.high, first.low, first.close, first.volume, first.oi) == (
        100.0 + date(2026, 6, 1).toordinal() % 50, first.open + 2, first.open - 1, first.open + 1, 1000, 0)


async def test_daily_history_is_stamped_at_utc_midnight_of_the_trading_day(data, lookup, fake):
    candles = await data.history(lookup.get("NFO", "NIFTY29DEC26FUT"), "D", date(2026, 11, 23), date(2026, 11, 27))
    assert [c.timestamp for c in candles] == [int(datetime(2026, 11, d, tzinfo=UTC).timestamp())
                                              for d in range(23, 28)]
    assert candles[0].oi == 50000 and fake.history_calls[0]["oi_flag"] == "1"
    assert fake.history_calls[0]["resolution"] == "1D"


async def test_history_limits(data, lookup):
    sbin = lookup.get("NSE", "SBIN")
    with pytest.raises(BrokerError, match="not supported"):
        await data.history(sbin, "W", date(2026, 1, 1), date(2026, 2, 1))
    with pytest.raises(BrokerError, match="before"):
        await data.history(sbin, "1m", date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(BrokerError, match="too large"):
        await data.history(sbin, "5s", date(2026, 1, 1), date(2026, 3, 1))


async def test_reads_wait_out_a_429(data, lookup, fake):
    fake.throttle_next = 2
    quote = await data.quote(lookup.get("NSE", "SBIN"))
    assert quote.ltp == 812.35
    assert sum(1 for _, path, _ in fake.requests if path == "/data/quotes") == 3


async def test_orders_are_never_retried_on_429(plugin, session, lookup, fake):
    from brokers.contract import Action, Exchange, OrderRequest

    fake.throttle_next = 1
    with pytest.raises(BrokerError, match="rate limited") as limited:
        await plugin.execution_client(session, lookup).place_order(
            OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1))
    assert limited.value.status == 429
    assert sum(1 for _, path, _ in fake.requests if path == "/api/v3/orders/sync") == 1


async def test_seconds_history_is_chunked_by_25_days(data, lookup, fake):
    await data.history(lookup.get("NSE", "SBIN"), "15s", date(2026, 10, 1), date(2026, 11, 9))  # 40 days
    assert [(q["range_from"], q["range_to"], q["resolution"]) for q in fake.history_calls] == [
        ("2026-10-01", "2026-10-25", "15S"), ("2026-10-26", "2026-11-09", "15S")]
