"""The market model: determinism, tick grid, put-call parity, sessions, candles vs. live prices."""

import math
from datetime import datetime, timedelta

import pytest

from backend.core.clock import IST
from brokers.simulator import SessionMode, SimClock, SimulatedMarket
from brokers.simulator.history import candles
from brokers.simulator.pricing import RISK_FREE, SECONDS_PER_YEAR

NOW = datetime(2026, 11, 27, 10, 30, tzinfo=IST)


def on_grid(price: float, tick: float) -> bool:
    steps = price / tick
    return abs(steps - round(steps)) < 1e-6


def sample(symbol_index):
    expiry = symbol_index.expiries("NIFTY", "NFO", "options")[1]
    chain = symbol_index.chain("NIFTY", "NFO", expiry, "CE")
    return [symbol_index.get("NSE", "SBIN"), symbol_index.get("NSE", "MRF"), symbol_index.get("NSE", "IDEA"),
            symbol_index.get("NFO", "NIFTY29DEC26FUT"), chain.instruments[len(chain.strikes) // 2],
            symbol_index.get("CDS", "USDINR29DEC26FUT"),
            next(i for i in symbol_index.instruments if i.exchange.value == "MCX" and i.instrumenttype == "FUT")]


class TestDeterminism:
    def test_same_seed_and_time_give_identical_quotes(self, symbol_index):
        one = SimulatedMarket(7, SimClock.frozen_at(NOW))
        two = SimulatedMarket(7, SimClock.frozen_at(NOW))
        for item in sample(symbol_index):
            assert one.quote(item) == two.quote(item)
            assert one.depth(item) == two.depth(item)

    def test_another_seed_gives_another_market(self, symbol_index):
        item = symbol_index.get("NSE", "SBIN")
        assert SimulatedMarket(7, SimClock.frozen_at(NOW)).quote(item).ltp != \
            SimulatedMarket(8, SimClock.frozen_at(NOW)).quote(item).ltp

    def test_price_moves_with_the_clock(self, simulator, symbol_index):
        item = symbol_index.get("NSE", "RELIANCE")
        prices = set()
        for _ in range(30):
            prices.add(simulator.market.quote(item).ltp)
            simulator.clock.advance(20)
        assert len(prices) > 5


class TestQuotes:
    def test_prices_sit_on_the_tick_grid_and_touch_brackets_ltp(self, simulator, symbol_index):
        for item in sample(symbol_index):
            tick = float(item.tick_size)
            for _ in range(5):
                quote = simulator.market.quote(item)
                for price in (quote.ltp, quote.open, quote.high, quote.low, quote.prev_close, quote.bid, quote.ask):
                    assert on_grid(price, tick), (item.symbol, price, tick)
                assert quote.bid <= quote.ltp <= quote.ask, item.symbol
                assert quote.low <= quote.ltp <= quote.high
                simulator.clock.advance(7.3)

    def test_plausible_levels(self, simulator, symbol_index):
        nifty = simulator.market.quote(symbol_index.get("NSE_INDEX", "NIFTY")).ltp
        assert 15_000 < nifty < 40_000
        sbin = simulator.market.quote(symbol_index.get("NSE", "SBIN")).ltp
        assert 400 < sbin < 2000
        assert simulator.market.quote(symbol_index.get("NSE_INDEX", "NIFTY")).bid == 0  # indices are not traded

    def test_future_carries_a_positive_basis(self, simulator, symbol_index):
        spot = simulator.market.quote(symbol_index.get("NSE_INDEX", "NIFTY")).ltp
        near = simulator.market.quote(symbol_index.get("NFO", "NIFTY29DEC26FUT")).ltp
        far = simulator.market.quote(symbol_index.get("NFO", "NIFTY23FEB27FUT")).ltp
        assert spot < near < far < spot * 1.03

    def test_volume_grows_and_oi_only_for_derivatives(self, simulator, symbol_index):
        stock, future = symbol_index.get("NSE", "SBIN"), symbol_index.get("NFO", "NIFTY29DEC26FUT")
        before = simulator.market.quote(stock).volume
        simulator.clock.advance(600)
        assert simulator.market.quote(stock).volume > before > 0
        assert simulator.market.quote(stock).oi == 0
        quote = simulator.market.quote(future)
        assert quote.oi > 0 and quote.oi % future.lotsize == 0 and quote.volume % future.lotsize == 0


class TestOptions:
    @pytest.mark.parametrize("offset", [-6, 0, 5])
    def test_put_call_parity_holds_on_mid_prices(self, simulator, symbol_index, offset):
        market = simulator.market
        for expiry in symbol_index.expiries("NIFTY", "NFO", "options")[:3]:
            calls = symbol_index.chain("NIFTY", "NFO", expiry, "CE")
            puts = symbol_index.chain("NIFTY", "NFO", expiry, "PE")
            at = len(calls.strikes) // 2 + offset
            call, put, strike = calls.instruments[at], puts.instruments[at], float(calls.strikes[at])
            cq, pq = market.quote(call), market.quote(put)
            years = (market.model(call).expiry_epoch - market.clock.time()) / SECONDS_PER_YEAR
            forward = market.forward(call)
            parity = math.exp(-RISK_FREE * years) * (forward - strike)
            mid_diff = (cq.bid + cq.ask) / 2 - (pq.bid + pq.ask) / 2
            # Mids are within a tick of the model; the model satisfies parity exactly.
            assert abs(mid_diff - parity) <= 2 * 0.05 + 1e-9, (call.symbol, mid_diff, parity)

    def test_model_prices_satisfy_parity_exactly(self, simulator, symbol_index):
        market = simulator.market
        expiry = symbol_index.expiries("RELIANCE", "NFO", "options")[0]
        calls = symbol_index.chain("RELIANCE", "NFO", expiry, "CE")
        puts = symbol_index.chain("RELIANCE", "NFO", expiry, "PE")
        epoch = market.clock.time()
        for call, put, strike in zip(calls.instruments, puts.instruments, calls.strikes, strict=True):
            c = market.fair_value(market.model(call), epoch)
            p = market.fair_value(market.model(put), epoch)
            years = (market.model(call).expiry_epoch - epoch) / SECONDS_PER_YEAR
            assert c - p == pytest.approx(math.exp(-RISK_FREE * years) * (market.forward(call) - float(strike)),
                                          abs=1e-6)

    def test_smile_makes_otm_puts_richer_than_otm_calls(self, simulator, symbol_index):
        from brokers.simulator.pricing import smile_vol

        assert smile_vol(0.15, 26000, 24000, 0.05) > smile_vol(0.15, 26000, 28000, 0.05) > 0


class TestDepth:
    @pytest.mark.parametrize("levels", [5, 20])
    def test_levels_are_ordered_on_grid_and_sized_in_lots(self, simulator, symbol_index, levels):
        for item in sample(symbol_index):
            depth = simulator.market.depth(item, levels)
            tick = float(item.tick_size)
            assert len(depth.bids) == len(depth.asks) == levels
            assert [b.price for b in depth.bids] == sorted((b.price for b in depth.bids), reverse=True)
            assert [a.price for a in depth.asks] == sorted(a.price for a in depth.asks)
            assert depth.bids[0].price == depth.quote.bid and depth.asks[0].price == depth.quote.ask
            assert all(on_grid(level.price, tick) and level.quantity % item.lotsize == 0 and level.quantity > 0
                       for level in depth.bids + depth.asks)
            assert depth.total_buy_qty >= sum(b.quantity for b in depth.bids)


class TestSessions:
    def test_realistic_mode_freezes_price_outside_the_session(self, symbol_index):
        evening = datetime(2026, 11, 27, 20, 0, tzinfo=IST)
        clock = SimClock.frozen_at(evening)
        market = SimulatedMarket(7, clock, session_mode=SessionMode.REALISTIC)
        item = symbol_index.get("NSE", "SBIN")
        at_close = market.quote(item, datetime(2026, 11, 27, 15, 29, 59, 998000, tzinfo=IST).timestamp())
        first = market.quote(item)
        clock.advance(3600)
        assert market.quote(item).ltp == first.ltp == at_close.ltp
        # Saturday still shows Friday's close; the demo mode keeps moving.
        clock.freeze(datetime(2026, 11, 28, 12, 0, tzinfo=IST))
        assert market.quote(item).ltp == first.ltp
        demo = SimulatedMarket(7, SimClock.frozen_at(evening))
        assert demo.quote(item).ltp != demo.quote(item, evening.timestamp() + 3600).ltp

    def test_realistic_mode_previous_close_is_yesterdays_session_close(self, symbol_index):
        market = SimulatedMarket(7, SimClock.frozen_at(NOW), session_mode=SessionMode.REALISTIC)
        item = symbol_index.get("NSE", "TCS")
        yesterday_close = market.quote(item, datetime(2026, 11, 26, 18, 0, tzinfo=IST).timestamp()).ltp
        assert market.quote(item).prev_close == yesterday_close


class TestHistory:
    def test_minute_candles_contain_every_live_price(self, symbol_index):
        clock = SimClock.frozen_at(NOW)
        market = SimulatedMarket(7, clock)
        item = symbol_index.get("NSE", "INFY")
        bars = candles(market, item, "1m", NOW.date(), NOW.date())
        last = bars[-1]
        start = last.timestamp
        for step in range(0, 240):
            price = market.quote(item, start + step * 0.25).ltp
            assert last.low <= price <= last.high
        assert market.quote(item, start).ltp == last.open

    def test_aggregated_candles_agree_with_minutes_and_quote(self, symbol_index):
        market = SimulatedMarket(7, SimClock.frozen_at(NOW), session_mode=SessionMode.REALISTIC)
        item = symbol_index.get("NSE", "HDFCBANK")
        minutes = candles(market, item, "1m", NOW.date(), NOW.date())
        fives = candles(market, item, "5m", NOW.date(), NOW.date())
        assert minutes[0].timestamp == int(datetime(2026, 11, 27, 9, 15, tzinfo=IST).timestamp())
        assert fives[0].high == max(c.high for c in minutes[:5]) and fives[0].close == minutes[4].close
        assert sum(c.volume for c in fives) == sum(c.volume for c in minutes)
        quote = market.quote(item)
        assert sum(c.volume for c in minutes) <= quote.volume
        assert all(c.timestamp < NOW.timestamp() for c in minutes)

    def test_daily_candles_skip_weekends_and_holidays_and_use_utc_midnight(self, symbol_index):
        market = SimulatedMarket(7, SimClock.frozen_at(NOW), session_mode=SessionMode.REALISTIC)
        item = symbol_index.get("NSE", "SBIN")
        days = candles(market, item, "D", NOW.date() - timedelta(days=30), NOW.date())
        dates = [datetime.utcfromtimestamp(c.timestamp) for c in days]
        # Weekdays only, except Sunday 8 November 2026: the Muhurat special session.
        assert all(d.hour == 0 and (d.weekday() < 5 or d == datetime(2026, 11, 8)) for d in dates)
        assert datetime(2026, 11, 8) in dates
        assert datetime(2026, 11, 24) not in dates  # Guru Nanak Jayanti
        minutes = candles(market, item, "1m", NOW.date(), NOW.date())
        assert (days[-1].open, days[-1].close) == (minutes[0].open, minutes[-1].close)
        assert days[-1].high == max(c.high for c in minutes)
        weeks = candles(market, item, "W", NOW.date() - timedelta(days=30), NOW.date())
        assert len(weeks) in (5, 6) and sum(w.volume for w in weeks) == sum(d.volume for d in days)

    def test_option_history_is_consistent_with_model(self, symbol_index):
        market = SimulatedMarket(7, SimClock.frozen_at(NOW))
        expiry = symbol_index.expiries("NIFTY", "NFO", "options")[0]
        item = symbol_index.chain("NIFTY", "NFO", expiry, "PE").instruments[100]
        bars = candles(market, item, "15m", NOW.date(), NOW.date())
        assert bars and all(b.low <= min(b.open, b.close) and b.high >= max(b.open, b.close) for b in bars)
        assert all(b.oi > 0 for b in bars)
