"""Quotes (1502 JSON strings), batching at 50, depth, OHLC history with chunking and time rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from brokers.contract import BrokerError, DataClient, Instrument
from brokers.families.xts.convert import IST


async def test_data_client_protocol(data):
    assert isinstance(data, DataClient)


async def test_quote(data, lookup):
    quote = await data.quote(lookup.get("NSE", "SBIN"))
    assert (quote.ltp, quote.bid, quote.ask, quote.volume) == (800.5, 800.45, 800.55, 123456)
    assert (quote.open, quote.high, quote.low, quote.prev_close) == (792.495, 816.51, 784.49, 796.4975)
    assert quote.timestamp == datetime(2025, 11, 27, 13, 30, tzinfo=IST)


async def test_index_quote_uses_the_cash_segment(data, lookup):
    assert (await data.quote(lookup.get("NSE_INDEX", "NIFTY"))).ltp == 26000.0
    assert (await data.quote(lookup.get("BSE_INDEX", "SENSEX"))).ltp == 85000.0


async def test_multiquote_batches_at_50(fake, data, lookup):
    sbin = lookup.get("NSE", "SBIN")
    # 60 distinct refs: 59 unknown tokens + SBIN → two calls (the fake refuses more than 50 per call).
    ghosts = [Instrument(f"G{n}", f"G{n}", "G", sbin.exchange, "NSECM", str(900000 + n)) for n in range(59)]
    fake.calls.clear()
    quotes = await data.multiquote([sbin, lookup.get("NFO", "NIFTY29DEC26FUT"), *ghosts])
    assert set(quotes) == {"NSE:SBIN", "NFO:NIFTY29DEC26FUT"}
    assert quotes["NFO:NIFTY29DEC26FUT"].ltp == 26100.0
    assert sum(1 for call in fake.calls if call[1].endswith("/instruments/quotes")) == 2


async def test_depth(data, lookup):
    depth = await data.depth(lookup.get("NSE", "SBIN"))
    assert [(b.price, b.quantity, b.orders) for b in depth.bids][:2] == [(800.45, 100, 1), (800.4, 200, 2)]
    assert [(a.price, a.quantity, a.orders) for a in depth.asks][4] == (800.75, 750, 6)
    assert (depth.total_buy_qty, depth.total_sell_qty, depth.quote.ltp) == (5000, 6000, 800.5)


async def test_unknown_instrument_quote(data, lookup):
    ghost = Instrument("GHOST", "GHOST", "G", lookup.get("NSE", "SBIN").exchange, "NSECM", "999999")
    with pytest.raises(BrokerError, match="not found"):
        await data.quote(ghost)


async def test_intraday_history_is_chunked_and_shifted_to_true_epoch(fake, data, lookup):
    candles = await data.history(lookup.get("NSE", "SBIN"), "5m", date(2025, 11, 3), date(2025, 11, 14))
    assert [c["startTime"] for c in fake.ohlc_calls] == ["Nov 03 2025 000000", "Nov 10 2025 000000"]
    assert [c["endTime"] for c in fake.ohlc_calls] == ["Nov 09 2025 235959", "Nov 14 2025 235959"]
    assert {c["compressionValue"] for c in fake.ohlc_calls} == {"300"}
    assert len(candles) == 10 * 3
    first = candles[0]
    assert datetime.fromtimestamp(first.timestamp, IST) == datetime(2025, 11, 3, 9, 15, tzinfo=IST)
    assert (first.open, first.high, first.low, first.close, first.volume) == (103.0, 105.0, 102.0, 104.0, 1000)
    assert candles[1].timestamp - first.timestamp == 300
    assert [c.timestamp for c in candles] == sorted({c.timestamp for c in candles})


async def test_daily_history_is_stamped_at_utc_midnight(fake, data, lookup):
    candles = await data.history(lookup.get("NSE", "SBIN"), "D", date(2025, 11, 24), date(2025, 11, 28))
    assert fake.ohlc_calls[0]["compressionValue"] == "D"
    assert [datetime.fromtimestamp(c.timestamp, UTC) for c in candles][:2] == [
        datetime(2025, 11, 24, tzinfo=UTC), datetime(2025, 11, 25, tzinfo=UTC)]
    assert len(candles) == 5


async def test_unsupported_interval(data, lookup):
    with pytest.raises(BrokerError, match="not supported"):
        await data.history(lookup.get("NSE", "SBIN"), "7m", date(2025, 11, 24), date(2025, 11, 24))


def test_quote_entries_may_be_objects_or_strings():
    from brokers.families.xts.market import parse_payload, to_quote
    line = {"LastTradedPrice": 10.5, "BidInfo": {"Price": 10.4}}
    assert to_quote(parse_payload(json.dumps(line))).bid == 10.4
    assert to_quote(parse_payload({"Touchline": line})).ltp == 10.5
