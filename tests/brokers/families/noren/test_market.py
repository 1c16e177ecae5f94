"""Quotes, multiquote, depth and history per member: GetQuotes per token, TPSeries chunking and
de-duplication, EODChartData's JSON-string rows and index display names, chart-call body styles."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from brokers.contract import BrokerError, SessionExpired

IST = ZoneInfo("Asia/Kolkata")


async def test_quote(fake, data, lookup):
    quote = await data.quote(lookup.get("NSE", "SBIN"))
    assert (quote.ltp, quote.open, quote.high, quote.low, quote.prev_close) == (800.5, 795.5, 810.5, 790.5, 798.5)
    assert (quote.bid, quote.ask, quote.volume, quote.oi) == (800.45, 800.55, 123456, 0)
    assert fake.last("GetQuotes") == {"uid": fake.spec.uid, "exch": "NSE", "token": "3045"}


async def test_index_quote_uses_the_cash_exchange(fake, data, lookup):
    quote = await data.quote(lookup.get("NSE_INDEX", "NIFTY"))
    assert quote.ltp == 26000.0 and fake.last("GetQuotes")["exch"] == "NSE"


async def test_multiquote_is_one_call_per_symbol(fake, data, lookup):
    names = [("NSE", "SBIN"), ("NSE", "RELIANCE"), ("NFO", "NIFTY30DEC2626000CE"), ("NSE", "SBIN")]
    quotes = await data.multiquote([lookup.get(*n) for n in names])
    assert {k: q.ltp for k, q in quotes.items()} == {"NSE:SBIN": 800.5, "NSE:RELIANCE": 1400.0,
                                                     "NFO:NIFTY30DEC2626000CE": 150.0}
    assert [e for e, _ in fake.calls].count("GetQuotes") == 3
    assert quotes["NFO:NIFTY30DEC2626000CE"].oi == 4500


async def test_depth(data, lookup):
    depth = await data.depth(lookup.get("NFO", "NIFTY30DEC2626000CE"))
    assert [(lv.price, lv.quantity, lv.orders) for lv in depth.bids] == [
        (149.95, 100, 1), (149.9, 200, 2), (149.85, 300, 3), (149.8, 400, 4), (149.75, 500, 5)]
    assert [(lv.price, lv.quantity, lv.orders) for lv in depth.asks] == [
        (150.05, 150, 2), (150.1, 300, 3), (150.15, 450, 4), (150.2, 600, 5), (150.25, 750, 6)]
    assert (depth.total_buy_qty, depth.total_sell_qty, depth.quote.ltp) == (1500, 2250, 150.0)


async def test_intraday_history_chunks_dedupes_and_drops_zero_bars(fake, data, lookup, member):
    candles = await data.history(lookup.get("NSE", "SBIN"), "1m", date(2025, 11, 24), date(2025, 11, 28))
    calls = [p for e, p in fake.calls if e == "TPSeries"]
    assert len(calls) == 1 and calls[0]["intrv"] == "1" and calls[0]["exch"] == "NSE" and calls[0]["token"] == "3045"
    assert calls[0]["st"] == str(int(datetime(2025, 11, 24, tzinfo=IST).timestamp()))
    assert len(candles) == 5 * (375 - 1)  # one all-zero bar per day dropped
    first = candles[0]
    assert first.timestamp == int(datetime(2025, 11, 24, 9, 15, tzinfo=IST).timestamp())
    assert (first.open, first.high, first.low, first.close, first.volume) == (800.5, 802.5, 799.5, 801.5, 1000)
    assert [c.timestamp for c in candles] == sorted({c.timestamp for c in candles})
    # 12 days of 1m bars need three windows of ≤ 5 days
    fake.calls.clear()
    longer = await data.history(lookup.get("NSE", "SBIN"), "1m", date(2025, 11, 17), date(2025, 11, 28))
    assert [e for e, _ in fake.calls].count("TPSeries") == 3 and len(longer) == 10 * 374
    chart = [r for r in fake.requests if r["endpoint"] == "TPSeries"][-1]
    if member in ("shoonya", "flattrade"):  # Shoonya's chart calls and Flattrade's every call use jKey
        assert chart["jkey"] and not chart["bearer"]
    else:
        assert chart["bearer"] and not chart["jkey"]


async def test_hourly_history(fake, data, lookup, member):
    candles = await data.history(lookup.get("NSE", "SBIN"), "1h", date(2025, 11, 27), date(2025, 11, 27))
    assert fake.last("TPSeries")["intrv"] == "60"
    assert [datetime.fromtimestamp(c.timestamp, IST).strftime("%H:%M") for c in candles] == [
        "09:15", "11:15", "12:15", "13:15", "14:15", "15:15"]  # 10:15 is the all-zero bar


async def test_four_hour_interval_only_where_supported(data, lookup, member, plugin):
    if member == "flattrade":
        assert "4h" not in plugin.capabilities.intervals
        with pytest.raises(BrokerError, match="Interval '4h' is not supported"):
            await data.history(lookup.get("NSE", "SBIN"), "4h", date(2025, 11, 27), date(2025, 11, 27))
    else:
        assert "4h" in plugin.capabilities.intervals
        assert await data.history(lookup.get("NSE", "SBIN"), "4h", date(2025, 11, 27), date(2025, 11, 27))


async def test_daily_history(fake, data, lookup):
    candles = await data.history(lookup.get("NSE", "SBIN"), "D", date(2025, 11, 24), date(2025, 11, 28))
    assert fake.last("EODChartData")["sym"] == "NSE:SBIN-EQ"
    assert [c.timestamp for c in candles] == [int(datetime(2025, 11, d, tzinfo=UTC).timestamp())
                                              for d in (24, 25, 26, 27, 28)]
    assert (candles[0].open, candles[0].high, candles[0].low, candles[0].close, candles[0].volume) == (
        800.5, 805.5, 795.5, 801.5, 50000)
    fake.calls.clear()
    await data.history(lookup.get("NSE", "SBIN"), "D", date(2023, 1, 1), date(2025, 11, 28))
    assert [e for e, _ in fake.calls].count("EODChartData") == 2  # 730-day windows


async def test_daily_index_history_uses_the_display_name(fake, data, lookup):
    candles = await data.history(lookup.get("NSE_INDEX", "NIFTY"), "D", date(2025, 11, 27), date(2025, 11, 27))
    assert fake.last("EODChartData")["sym"] == "NSE:Nifty 50" and candles[0].open == 26000.0


async def test_bad_interval_and_range(data, lookup):
    with pytest.raises(BrokerError, match="Interval '7m' is not supported"):
        await data.history(lookup.get("NSE", "SBIN"), "7m", date(2025, 11, 27), date(2025, 11, 27))
    with pytest.raises(BrokerError, match="end_date"):
        await data.history(lookup.get("NSE", "SBIN"), "1m", date(2025, 11, 27), date(2025, 11, 26))


async def test_expired_token(fake, data, lookup, member):
    fake.expire_tokens()
    with pytest.raises(SessionExpired, match=member):
        await data.quote(lookup.get("NSE", "SBIN"))
    with pytest.raises(SessionExpired):
        await data.history(lookup.get("NSE", "SBIN"), "D", date(2025, 11, 27), date(2025, 11, 27))
