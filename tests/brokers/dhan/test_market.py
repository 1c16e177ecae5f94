"""Quotes, multiquotes, depth, history and the rate-limit buckets against the fake Dhan."""

import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from brokers.contract import Action, BrokerConfig, BrokerError, DataClient, Exchange, OrderRequest
from brokers.dhan import market
from brokers.dhan.plugin import CAPABILITIES, DhanPlugin

IST = ZoneInfo("Asia/Kolkata")


def quote_bodies(fake) -> list[dict]:
    return [body for _, path, body in fake.requests if path == "/v2/marketfeed/quote"]


async def test_quote(data, lookup, fake):
    assert isinstance(data, DataClient)
    quote = await data.quote(lookup.get("NSE", "SBIN"))
    assert (quote.ltp, quote.open, quote.high, quote.low, quote.prev_close) == (812.45, 810.45, 817.45, 806.45,
                                                                                808.95)
    assert (quote.bid, quote.ask, quote.volume, quote.oi) == (812.4, 812.5, 150_000, 0)
    assert quote.timestamp == datetime.fromtimestamp(1764389700, IST)
    assert quote_bodies(fake)[-1] == {"NSE_EQ": [3045]}  # integer ids, keyed by segment


async def test_multiquote_mixes_segments_and_batches(data, lookup, fake, monkeypatch):
    items = [lookup.get("NSE", "SBIN"), lookup.get("NSE", "RELIANCE"), lookup.get("NSE_INDEX", "NIFTY"),
             lookup.get("NFO", "NIFTY30DEC25FUT"), lookup.get("NFO", "NIFTY30DEC2526000PE")]
    quotes = await data.multiquote(items)
    assert set(quotes) == {"NSE:SBIN", "NSE:RELIANCE", "NSE_INDEX:NIFTY", "NFO:NIFTY30DEC25FUT",
                           "NFO:NIFTY30DEC2526000PE"}
    assert quotes["NSE_INDEX:NIFTY"].ltp == 26015.5 and quotes["NFO:NIFTY30DEC25FUT"].oi == 1_250_000
    assert quote_bodies(fake)[-1] == {"NSE_EQ": [3045, 2885], "IDX_I": [13], "NSE_FNO": [52175, 52211]}
    monkeypatch.setattr(market, "QUOTE_BATCH", 2)
    before = len(quote_bodies(fake))
    assert set(await data.multiquote(items)) == set(quotes)
    assert len(quote_bodies(fake)) - before == 3


async def test_depth(data, lookup):
    depth = await data.depth(lookup.get("NFO", "NIFTY30DEC2526000CE"))
    assert [(b.price, b.quantity, b.orders) for b in depth.bids] == [
        (182.3, 100, 1), (182.25, 200, 2), (182.2, 300, 3), (182.15, 400, 4), (182.1, 500, 5)]
    assert [a.price for a in depth.asks] == [182.4, 182.45, 182.5, 182.55, 182.6]
    assert depth.total_buy_qty == 1500 and depth.total_sell_qty == 1800
    assert depth.quote.ltp == 182.35 and depth.quote.oi == 1_250_000


async def test_intraday_history_is_chunked_by_90_days(data, lookup, fake):
    sbin = lookup.get("NSE", "SBIN")
    candles = await data.history(sbin, "1h", date(2025, 1, 1), date(2025, 7, 31))
    requests = [r for r in fake.chart_requests if r["kind"] == "intraday"]
    assert len(requests) == 3
    assert [(r["fromDate"], r["toDate"]) for r in requests] == [
        ("2025-01-01", "2025-04-01"), ("2025-04-01", "2025-06-30"), ("2025-06-30", "2025-08-01")]
    assert all(r["interval"] == "60" and r["instrument"] == "EQUITY" and r["securityId"] == "3045"
               and r["exchangeSegment"] == "NSE_EQ" for r in requests)
    stamps = [c.timestamp for c in candles]
    assert stamps == sorted(set(stamps))
    first = datetime.fromtimestamp(stamps[0], IST)
    assert (first.date(), first.hour, first.minute) == (date(2025, 1, 1), 9, 15)  # true epoch of 09:15 IST
    assert datetime.fromtimestamp(stamps[-1], IST).date() == date(2025, 7, 31)
    assert len(candles) == 152 * 7  # 152 weekdays × hourly bars 09:15…15:15


async def test_daily_history_uses_utc_midnight_and_derivative_kinds(data, lookup, fake):
    fut = lookup.get("NFO", "NIFTY30DEC25FUT")
    candles = await data.history(fut, "D", date(2025, 12, 1), date(2025, 12, 5))
    assert [c.timestamp for c in candles] == [
        int(datetime(2025, 12, day, tzinfo=UTC).timestamp()) for day in range(1, 6)]
    assert candles[0].oi == 5000 and candles[0].open == 26120.0
    request = fake.chart_requests[-1]
    assert (request["kind"], request["instrument"], request["toDate"], request["expiryCode"]) == (
        "historical", "FUTIDX", "2025-12-06", 0)
    await data.history(lookup.get("NFO", "NIFTY30DEC2526000CE"), "5m", date(2025, 12, 1), date(2025, 12, 1))
    assert fake.chart_requests[-1]["instrument"] == "OPTIDX"
    bars = await data.history(lookup.get("NSE_INDEX", "NIFTY"), "15m", date(2025, 12, 1), date(2025, 12, 1))
    assert fake.chart_requests[-1]["instrument"] == "INDEX" and len(bars) == 25


async def test_history_refuses_what_dhan_lacks(data, lookup):
    sbin = lookup.get("NSE", "SBIN")
    with pytest.raises(BrokerError, match="Interval '3m' is not supported"):
        await data.history(sbin, "3m", date(2025, 1, 1), date(2025, 1, 2))
    with pytest.raises(BrokerError, match="before"):
        await data.history(sbin, "D", date(2025, 1, 2), date(2025, 1, 1))


async def test_an_empty_window_is_no_candles_not_an_error(data, lookup, fake):
    sbin = lookup.get("NSE", "SBIN")
    assert await data.history(sbin, "5m", date(2025, 11, 29), date(2025, 11, 30)) == []  # a weekend
    assert fake.chart_requests[-1]["toDate"] == "2025-12-01"
    with pytest.raises(BrokerError, match=r"dhan: Invalid SecurityId \(813\)") as bad:
        await data.history(lookup.get("BSE", "SBIN"), "D", date(2025, 12, 1), date(2025, 12, 2))
    assert bad.value.status == 400


async def test_groups_are_used_and_the_real_quote_bucket_holds_dhan_to_1_per_second(fake, session, lookup):
    fake.enforce_quote_rate = True
    plugin = DhanPlugin(BrokerConfig(urls=fake.urls), CAPABILITIES)
    groups: list[str] = []
    original = plugin.http.limiter.acquire

    async def spy(group: str) -> float:
        groups.append(group)
        return await original(group)

    plugin.http.limiter.acquire = spy
    try:
        data = plugin.data_client(session, lookup)
        execution = plugin.execution_client(session, lookup)
        started = time.monotonic()
        for _ in range(2):  # the fake answers 805 to anything faster than 1/s
            await data.quote(lookup.get("NSE", "SBIN"))
        assert time.monotonic() - started >= 0.95
        await data.history(lookup.get("NSE", "SBIN"), "D", date(2025, 12, 1), date(2025, 12, 2))
        await execution.orders()
        await execution.place_order(OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1))
        assert groups == ["quotes", "quotes", "history", "other", "orders"]
        assert set(plugin.http.limiter.buckets) == {"orders", "quotes", "history", "other"}
    finally:
        await plugin.close()
