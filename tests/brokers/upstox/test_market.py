"""Quotes, multiquote batching, depth and history (chunking, today's merge, timestamps)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from brokers.contract import BrokerError, DataClient, Exchange, SessionExpired
from brokers.upstox import market

IST = ZoneInfo("Asia/Kolkata")


@pytest.fixture
async def data(plugin, session, lookup):
    return plugin.data_client(session, lookup)


async def test_quote(data, lookup):
    assert isinstance(data, DataClient)
    quote = await data.quote(lookup.get("NSE", "SBIN"))
    assert (quote.ltp, quote.open, quote.high, quote.low, quote.prev_close) == (812.35, 809.35, 816.6, 806.35, 806.85)
    assert (quote.bid, quote.ask, quote.volume, quote.oi) == (812.3, 812.4, 1234567, 0)
    assert quote.timestamp == datetime.fromtimestamp(1764906300, UTC)


async def test_multiquote_matches_rows_by_instrument_key(data, lookup, fake, monkeypatch):
    items = [lookup.get("NSE", "SBIN"), lookup.get("NSE", "RELIANCE"), lookup.get("NSE_INDEX", "NIFTY"),
             lookup.get("NFO", "NIFTY29DEC2626000CE")]
    monkeypatch.setattr(market, "QUOTE_BATCH", 3)  # force two batches
    fake.calls.clear()
    quotes = await data.multiquote(items)
    assert set(quotes) == {"NSE:SBIN", "NSE:RELIANCE", "NSE_INDEX:NIFTY", "NFO:NIFTY29DEC2626000CE"}
    assert quotes["NSE_INDEX:NIFTY"].ltp == 26100.15 and quotes["NFO:NIFTY29DEC2626000CE"].oi == 4500000
    assert fake.calls.count(("GET", "/v2/market-quote/quotes")) == 2


async def test_depth_is_sorted_five_levels(data, lookup):
    depth = await data.depth(lookup.get("NFO", "NIFTY29DEC26FUT"))
    assert [level.price for level in depth.bids] == [26180.4, 26180.3, 26180.2, 26180.1, 26180.0]
    assert [level.price for level in depth.asks] == [26180.6, 26180.7, 26180.8, 26180.9, 26181.0]
    assert [level.quantity for level in depth.bids] == [100, 200, 300, 400, 500]
    assert [level.orders for level in depth.asks] == [2, 3, 4, 5, 6]
    assert (depth.total_buy_qty, depth.total_sell_qty) == (12345, 23456)
    assert depth.quote.ltp == 26180.5


async def test_unknown_instrument_quote_is_an_error(data, lookup):
    from dataclasses import replace
    ghost = replace(lookup.get("NSE", "SBIN"), token="NSE_EQ|INE000000000")
    with pytest.raises(BrokerError, match="no quote for NSE:SBIN"):
        await data.quote(ghost)


async def test_minute_history_is_chunked_per_month(data, lookup, fake):
    end = datetime.now(IST).date() - timedelta(days=1)
    start = end - timedelta(days=70)
    candles = await data.history(lookup.get("NSE", "SBIN"), "15m", start, end)
    calls = [r for r in fake.history_requests if "intraday" not in r]
    assert [(r["unit"], r["interval"]) for r in calls] == [("minutes", "15")] * 3
    assert [(r["from_date"], r["to_date"]) for r in calls] == [
        (str(start), str(start + timedelta(days=27))), (str(start + timedelta(days=28)), str(start + timedelta(days=55))),
        (str(start + timedelta(days=56)), str(end))]
    assert calls[0]["key"] == "NSE_EQ|INE062A01020"
    stamps = [c.timestamp for c in candles]
    assert stamps == sorted(set(stamps)) and len(candles) % 25 == 0
    first = datetime.fromtimestamp(stamps[0], IST)
    assert (first.hour, first.minute) == (9, 15)


async def test_daily_history_uses_utc_midnight_of_the_trading_date(data, lookup, fake):
    today = datetime.now(IST).date()
    monday = today - timedelta(days=today.weekday() + 14)
    candles = await data.history(lookup.get("NSE_INDEX", "NIFTY"), "D", monday, monday + timedelta(days=6))
    days = [monday + timedelta(days=n) for n in range(5)]
    assert [c.timestamp for c in candles] == [int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()) for d in days]
    assert fake.history_requests[0]["key"] == "NSE_INDEX|Nifty 50"
    assert (fake.history_requests[0]["unit"], fake.history_requests[0]["interval"]) == ("days", "1")
    assert candles[0].close == candles[0].open + 5


async def test_range_ending_today_merges_the_intraday_endpoint(data, lookup, fake):
    today = datetime.now(IST).date()
    candles = await data.history(lookup.get("NSE", "SBIN"), "D", today - timedelta(days=3), today)
    assert any("intraday" in r for r in fake.history_requests)
    assert candles[-1].timestamp == int(datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp())


async def test_history_argument_errors(data, lookup):
    sbin = lookup.get("NSE", "SBIN")
    with pytest.raises(BrokerError, match="not supported") as info:
        await data.history(sbin, "7m", date(2026, 1, 1), date(2026, 1, 2))
    assert info.value.status == 400
    with pytest.raises(BrokerError, match="before"):
        await data.history(sbin, "D", date(2026, 1, 2), date(2026, 1, 1))


async def test_capabilities(plugin):
    caps = plugin.capabilities
    assert caps.depth_levels == (5,) and caps.max_symbols_per_multiquote == 500
    assert caps.history_max_days["1m"] == 28 and caps.history_max_days["1h"] == 89
    assert caps.history_max_days["D"] == 3650 and "W" in caps.intervals
    assert caps.max_connections_per_user == 1 and caps.basket_margin and not caps.gtt
    assert Exchange.NSE_INDEX in caps.exchanges and Exchange.CRYPTO not in caps.exchanges


async def test_expired_token(data, lookup, fake):
    fake.expire_tokens()
    with pytest.raises(SessionExpired):
        await data.quote(lookup.get("NSE", "SBIN"))


async def test_global_indicators_are_quoted_one_by_one_through_ltp(data, fake):
    from brokers.contract import Instrument
    from tests.brokers.upstox.fake import Listing

    key = "GLOBAL_INDICATOR|^GSPC"
    fake.listings[key] = Listing({"segment": "GLOBAL_INDICATOR", "instrument_key": key, "trading_symbol": "^GSPC"},
                                 6800.5, 6790.0, 6795.0, 6810.0, 6780.0)
    spx = Instrument("US500", "^GSPC", "S&P 500", Exchange.GLOBAL_INDEX, "GLOBAL_INDICATOR", key,
                     instrumenttype="INDEX")
    fake.calls.clear()
    quotes = await data.multiquote([spx])
    assert quotes["GLOBAL_INDEX:US500"].ltp == 6800.5
    assert fake.calls == [("GET", "/v2/market-quote/ltp")]
