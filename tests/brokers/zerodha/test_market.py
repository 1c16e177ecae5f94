"""Quotes, multiquote batching, depth and history (interval names, chunking, epochs)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from brokers.contract import BrokerError, DataClient, Exchange, InstrumentNotFound, SessionExpired
from brokers.zerodha import market

IST = ZoneInfo("Asia/Kolkata")


async def test_client_implements_the_protocol(data):
    assert isinstance(data, DataClient) and data.capabilities.max_symbols_per_multiquote == 500


async def test_quote_maps_kites_full_quote(fake, data, lookup):
    quote = await data.quote(lookup.get("NSE", "SBIN"))
    assert (quote.ltp, quote.open, quote.high, quote.low, quote.prev_close) == (800.5, 795.5, 805.5, 790.5, 798.5)
    assert (quote.bid, quote.ask, quote.volume, quote.oi) == (800.45, 800.55, 123456, 0)
    assert quote.timestamp == datetime(2025, 11, 27, 13, 29, 58, tzinfo=IST)
    assert fake.last_query == [("i", "NSE:SBIN")]


async def test_index_quote_uses_kites_spaced_name(fake, data, lookup):
    quote = await data.quote(lookup.get("NSE_INDEX", "NIFTY"))
    assert quote.ltp == 26000.0
    assert fake.last_query == [("i", "NSE:NIFTY 50")]


async def test_multiquote_keys_and_repeated_i(fake, data, lookup):
    items = [lookup.get("NSE", "SBIN"), lookup.get("NFO", "NIFTY29DEC26FUT"), lookup.get("BSE_INDEX", "SENSEX")]
    quotes = await data.multiquote(items)
    assert set(quotes) == {"NSE:SBIN", "NFO:NIFTY29DEC26FUT", "BSE_INDEX:SENSEX"}
    assert quotes["NFO:NIFTY29DEC26FUT"].ltp == 26100.0 and quotes["NFO:NIFTY29DEC26FUT"].oi == 4500
    assert fake.last_query == [("i", "NSE:SBIN"), ("i", "NFO:NIFTY26DECFUT"), ("i", "BSE:SENSEX")]


async def test_multiquote_batches_within_the_limit(fake, data, lookup, monkeypatch):
    monkeypatch.setattr(market, "MAX_QUOTE_KEYS", 2)
    items = [lookup.get("NSE", s) for s in ("SBIN", "RELIANCE")] + [lookup.get("NSE_INDEX", "BANKNIFTY")]
    quotes = await data.multiquote(items)
    assert len(quotes) == 3 and fake.calls.count(("GET", "/quote")) == 2


async def test_depth_has_five_levels_and_level_totals(data, lookup):
    depth = await data.depth(lookup.get("NFO", "NIFTY29DEC2626000CE"))
    assert [(b.price, b.quantity, b.orders) for b in depth.bids] == [
        (149.95, 100, 1), (149.9, 200, 2), (149.85, 300, 3), (149.8, 400, 4), (149.75, 500, 5)]
    assert [(a.price, a.quantity) for a in depth.asks][:2] == [(150.05, 150), (150.1, 300)]
    assert depth.total_buy_qty == 1500 and depth.total_sell_qty == 2250
    assert depth.quote.bid == 149.95 and depth.quote.ask == 150.05 and depth.quote.oi == 4500


async def test_quote_of_an_instrument_kite_does_not_know(data, lookup):
    from dataclasses import replace

    ghost = replace(lookup.get("NSE", "SBIN"), brsymbol="GHOST", symbol="GHOST")
    with pytest.raises(InstrumentNotFound):
        await data.quote(ghost)
    assert await data.multiquote([ghost]) == {}


async def test_daily_history_is_stamped_at_utc_midnight(fake, data, lookup):
    candles = await data.history(lookup.get("NSE", "SBIN"), "D", date(2025, 11, 24), date(2025, 11, 30))
    assert [c.timestamp for c in candles] == [
        int(datetime(2025, 11, d, tzinfo=UTC).timestamp()) for d in (24, 25, 26, 27, 28)]
    first = candles[0]
    assert (first.open, first.high, first.low, first.close, first.volume, first.oi) == (
        800.5, 802.5, 798.5, 801.5, 1000, 50)
    assert ("GET", "/instruments/historical/779521/day") in fake.calls
    assert dict(fake.last_query) == {"from": "2025-11-24 00:00:00", "to": "2025-11-30 23:59:59",
                                     "continuous": "0", "oi": "1"}


async def test_intraday_history_is_true_epoch(data, lookup):
    candles = await data.history(lookup.get("NSE", "SBIN"), "5m", date(2025, 11, 27), date(2025, 11, 27))
    assert [c.timestamp for c in candles] == [
        int(datetime(2025, 11, 27, 9, 15, tzinfo=IST).timestamp()),
        int(datetime(2025, 11, 27, 9, 20, tzinfo=IST).timestamp())]


async def test_long_ranges_are_chunked_to_kites_span(fake, data, lookup):
    # minute candles: 60 days per request → 130 days take 3 requests; the fake refuses larger spans.
    candles = await data.history(lookup.get("NSE", "RELIANCE"), "1m", date(2025, 1, 1), date(2025, 5, 10))
    assert fake.calls.count(("GET", "/instruments/historical/738561/minute")) == 3
    stamps = [c.timestamp for c in candles]
    assert stamps == sorted(set(stamps)) and len(stamps) == 2 * 93  # two bars per weekday, none lost at chunk edges


async def test_history_refuses_bad_requests(data, lookup):
    sbin = lookup.get("NSE", "SBIN")
    with pytest.raises(BrokerError, match="Interval '2m' is not supported") as bad:
        await data.history(sbin, "2m", date(2025, 1, 1), date(2025, 1, 2))
    assert bad.value.status == 400
    with pytest.raises(BrokerError, match="before"):
        await data.history(sbin, "D", date(2025, 1, 2), date(2025, 1, 1))


async def test_history_interval_names(fake, data, lookup):
    sbin = lookup.get("NSE", "SBIN")
    for ours, kite in (("1h", "60minute"), ("15m", "15minute"), ("3m", "3minute")):
        await data.history(sbin, ours, date(2025, 11, 27), date(2025, 11, 27))
        assert fake.calls[-1] == ("GET", f"/instruments/historical/779521/{kite}")


async def test_expired_token_on_data_calls(fake, data, lookup):
    fake.expire_tokens()
    with pytest.raises(SessionExpired):
        await data.quote(lookup.get("NSE", "SBIN"))


def test_openalgo_style_tokens_are_accepted(lookup):
    from dataclasses import replace

    sbin = replace(lookup.get("NSE", "SBIN"), token="779521::::3045")
    assert market.instrument_token(sbin) == "779521" and sbin.exchange == Exchange.NSE
