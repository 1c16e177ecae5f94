"""Quotes, multiquote batching, depth and history against the fake SmartAPI."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from brokers.angel.market import AngelDataClient
from brokers.angel.plugin import AngelPlugin
from brokers.contract import BrokerConfig, BrokerError
from tests.brokers.angel.conftest import FAST, Lookup
from tests.brokers.angel.fake import PIN, FakeAngelBroker

IST = ZoneInfo("Asia/Kolkata")


class TestQuotes:
    async def test_quote(self, fake, data, lookup):
        quote = await data.quote(lookup.get("NSE", "SBIN"))
        assert (quote.ltp, quote.open, quote.high, quote.low, quote.prev_close) == (800.5, 795.0, 805.25, 790.1, 798.0)
        assert (quote.bid, quote.ask, quote.volume, quote.oi) == (800.45, 800.55, 1_234_567, 0)
        assert quote.timestamp == datetime(2026, 11, 29, 10, 15, 30, tzinfo=IST)
        assert fake.paths("market/v1/quote/")[-1] == {"mode": "FULL", "exchangeTokens": {"NSE": ["3045"]}}

    async def test_index_is_quoted_under_its_cash_exchange(self, fake, data, lookup):
        nifty = lookup.get("NSE_INDEX", "NIFTY")
        assert (await data.quote(nifty)).ltp == 24000.0
        assert fake.paths("market/v1/quote/")[-1]["exchangeTokens"] == {"NSE": ["99926000"]}

    async def test_multiquote_keys_and_mixed_exchanges(self, fake, data, lookup):
        items = [lookup.get("NSE", "SBIN"), lookup.get("NSE_INDEX", "NIFTY"), lookup.get("NFO", "NIFTY29DEC2624000CE")]
        quotes = await data.multiquote(items)
        assert set(quotes) == {"NSE:SBIN", "NSE_INDEX:NIFTY", "NFO:NIFTY29DEC2624000CE"}
        assert quotes["NFO:NIFTY29DEC2624000CE"].ltp == 150.5 and quotes["NFO:NIFTY29DEC2624000CE"].oi == 300_000
        assert fake.paths("market/v1/quote/")[-1]["exchangeTokens"] == {"NSE": ["3045", "99926000"],
                                                                        "NFO": ["35002"]}

    async def test_multiquote_batches_fifty_tokens_a_request(self):
        fake = FakeAngelBroker(extra_equities=70, tick_interval=None)
        await fake.start()
        plugin = AngelPlugin(BrokerConfig(urls=fake.urls), rate_limits=FAST)
        try:
            session = await plugin.authenticate(fake.credentials, {"pin": PIN})
            lookup = Lookup(await plugin.instrument_provider().download())
            items = [lookup.get("NSE", f"STK{n:03d}") for n in range(70)] + [lookup.get("NSE", "SBIN")]
            quotes = await plugin.data_client(session, lookup).multiquote(items)
            assert len(quotes) == 71 and quotes["NSE:STK069"].ltp == 169.0
            sizes = [len(body["exchangeTokens"]["NSE"]) for body in fake.paths("market/v1/quote/")]
            assert sizes == [50, 21]  # the fake refuses more than 50
        finally:
            await plugin.close()
            await fake.stop()

    async def test_depth(self, fake, data, lookup):
        depth = await data.depth(lookup.get("NFO", "NIFTY29DEC26FUT"))
        assert [level.price for level in depth.bids] == [24099.9, 24099.8, 24099.7, 24099.6, 24099.5]
        assert [level.quantity for level in depth.asks] == [150, 300, 450, 600, 750]
        assert depth.asks[0].orders == 2 and depth.bids[0].orders == 1
        assert (depth.total_buy_qty, depth.total_sell_qty) == (1500, 2250)
        assert depth.quote.ltp == 24100.0 and depth.quote.oi == 1_200_000
        with pytest.raises(BrokerError, match="depth levels"):
            await data.depth(lookup.get("NSE", "SBIN"), 20)


class TestHistory:
    async def test_intraday_is_chunked_by_the_interval_limit(self, fake, data, lookup):
        start, end = date(2026, 9, 1), date(2026, 10, 15)  # 45 days; ONE_MINUTE allows 30 a request
        candles = await data.history(lookup.get("NSE", "SBIN"), "1m", start, end)
        bodies = fake.paths("getCandleData")
        assert [(b["fromdate"], b["todate"]) for b in bodies] == [
            ("2026-09-01 00:00", "2026-09-30 23:59"), ("2026-10-01 00:00", "2026-10-15 23:59")]
        assert bodies[0]["interval"] == "ONE_MINUTE" and bodies[0]["symboltoken"] == "3045"
        first = datetime(2026, 9, 1, 9, 15, tzinfo=IST)
        assert candles[0].timestamp == int(first.timestamp()) and candles[1].timestamp == int(first.timestamp()) + 60
        assert [c.timestamp for c in candles] == sorted({c.timestamp for c in candles})
        assert len(candles) == 2 * 33  # two bars on each of the 33 weekdays
        assert candles[0].open == 795.0 and candles[0].close == 800.5 and candles[0].volume == 1000
        assert not fake.paths("getOIData")  # equities have no OI

    async def test_daily_candles_are_midnight_utc_of_the_trading_date(self, fake, data, lookup):
        candles = await data.history(lookup.get("NSE", "SBIN"), "D", date(2026, 11, 2), date(2026, 11, 6))
        assert [c.timestamp for c in candles] == [int(datetime(2026, 11, d, tzinfo=UTC).timestamp())
                                                  for d in range(2, 7)]
        assert fake.paths("getCandleData")[-1]["interval"] == "ONE_DAY"

    async def test_futures_join_open_interest(self, fake, data, lookup):
        candles = await data.history(lookup.get("NFO", "NIFTY29DEC26FUT"), "5m", date(2026, 11, 2), date(2026, 11, 3))
        assert [c.oi for c in candles] == [1_200_000, 1_200_001, 1_200_002, 1_200_003]
        assert len(fake.paths("getOIData")) == 1

    async def test_candles_survive_an_oi_failure(self, fake, data, lookup):
        fake.oi_down = True
        candles = await data.history(lookup.get("NFO", "NIFTY29DEC26FUT"), "D", date(2026, 11, 2), date(2026, 11, 3))
        assert len(candles) == 2 and all(c.oi == 0 for c in candles)

    async def test_today_ends_at_now(self, fake, plugin, session, lookup):
        now = datetime(2026, 11, 27, 11, 42, tzinfo=IST)
        client = AngelDataClient(plugin._rest(session), plugin.capabilities, now=lambda: now)
        await client.history(lookup.get("NSE", "SBIN"), "15m", date(2026, 11, 27), date(2026, 11, 27))
        assert fake.paths("getCandleData")[-1]["todate"] == "2026-11-27 11:42"

    async def test_bad_requests(self, data, lookup):
        sbin = lookup.get("NSE", "SBIN")
        with pytest.raises(BrokerError, match="not supported"):
            await data.history(sbin, "7m", date(2026, 11, 2), date(2026, 11, 3))
        with pytest.raises(BrokerError, match="after") as inverted:
            await data.history(sbin, "D", date(2026, 11, 3), date(2026, 11, 2))
        assert inverted.value.status == 400
        assert await data.history(sbin, "D", date(2026, 11, 7), date(2026, 11, 8)) == []  # a weekend: null data

    def test_capabilities_match_the_interval_table(self, plugin):
        caps = plugin.capabilities
        assert caps.intervals == ("1m", "3m", "5m", "10m", "15m", "30m", "1h", "D")
        assert caps.history_max_days == {"1m": 30, "3m": 60, "5m": 100, "10m": 100, "15m": 200, "30m": 200,
                                         "1h": 400, "D": 2000}
        assert caps.max_symbols_per_multiquote == 50 and caps.depth_levels == (5,)
        assert timedelta(days=caps.history_max_days["1m"]) == timedelta(days=30)
