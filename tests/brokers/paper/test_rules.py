"""Broker rules: validation messages, margins (SPAN-like shorts, hedge benefit), modify and cancel."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from brokers.contract import Action, OrderRejected, OrderRequest, OrderStatus, PriceType, Product
from brokers.paper.calendar import ExchangeCalendar
from brokers.paper.config import PaperConfig
from brokers.paper.engine import PaperEngine
from tests.fixtures.sandbox import NIFTY_24000_CE, NIFTY_24200_CE, NIFTY_FUT, SBIN, USDINR_FUT, ist

USER = 3
CAPITAL = 1_000_000_000


def req(inst, action=Action.BUY, qty=1, pricetype=PriceType.MARKET, product=Product.MIS, price="0", trigger="0"):
    return OrderRequest(inst.symbol, inst.exchange, action, qty, pricetype, product, D(price), D(trigger))


async def rejected(engine, inst, board, request) -> OrderRejected:
    with pytest.raises(OrderRejected) as caught:
        await engine.place(USER, request, inst, board)
    return caught.value


class TestValidation:
    @pytest.mark.parametrize("inst, request_, message", [
        (NIFTY_FUT, dict(qty=50, product=Product.NRML), "Quantity must be in multiples of lot size 75"),
        (SBIN, dict(product=Product.NRML), "NRML product not allowed for NSE equity segment"),
        (NIFTY_FUT, dict(qty=75, product=Product.CNC), "CNC product not allowed for NFO derivatives segment"),
        (SBIN, dict(pricetype=PriceType.LIMIT), "LIMIT orders require price"),
        (SBIN, dict(pricetype=PriceType.SL, price="800"), "SL orders require trigger_price"),
        (SBIN, dict(pricetype=PriceType.LIMIT, price="800.03"), "Price 800.03 is not a multiple of tick size 0.05"),
        (SBIN, dict(pricetype=PriceType.LIMIT, price="1000"), "outside the price band"),
        (NIFTY_FUT, dict(qty=1875, product=Product.NRML), "exceeds the freeze quantity 1800"),
        (SBIN, dict(action=Action.SELL, product=Product.CNC), "no short selling in CNC"),
    ])
    async def test_refused_with_a_reason_recorded_and_funds_untouched(self, engine, store, board, inst, request_,
                                                                     message):
        board.set(SBIN, 800)
        board.set(NIFTY_FUT, 24000)
        error = await rejected(engine, inst, board, req(inst, **request_))
        assert message in error.message and error.status == 400
        assert store.orders[error.orderid].status == OrderStatus.REJECTED
        assert message in store.orders[error.orderid].reason
        assert store.funds[USER].available_paise == CAPITAL
        assert [entry.kind for entry in store.ledger] == ["capital"]

    async def test_currency_tick_of_a_quarter_paisa_is_exact(self, engine, store, board):
        board.set(USDINR_FUT, 84.1225)
        order = await engine.place(USER, req(USDINR_FUT, qty=1000, pricetype=PriceType.LIMIT, price="84.0025",
                                             product=Product.NRML), USDINR_FUT, board)
        assert order.price == D("84.0025") and order.margin_paise == 840025  # 1000 × 84.0025 / 10

    async def test_insufficient_funds_message(self, store, clock, board):
        engine = PaperEngine(store, config=PaperConfig(starting_capital=D(100000)), clock=clock)
        board.set(SBIN, 800)
        error = await rejected(engine, SBIN, board, req(SBIN, qty=200, product=Product.CNC))
        assert error.message == ("Insufficient funds. Required: ₹160,000.00, Available: ₹100,000.00, "
                                 "Shortage: ₹60,000.00")

    async def test_sessions_honoured_market_closed_and_mis_cutoff(self, store, clock, board):
        engine = PaperEngine(store, calendar=ExchangeCalendar(), clock=clock)
        board.set(SBIN, 800)
        clock.set(ist(2026, 12, 1, 15, 20))
        error = await rejected(engine, SBIN, board, req(SBIN, qty=1))
        assert error.message == ("MIS orders cannot be placed after square-off time (15:15 IST). "
                                 "Trading resumes at 09:00 AM IST.")
        await engine.place(USER, req(SBIN, qty=1, product=Product.CNC), SBIN, board)  # CNC still fine
        clock.set(ist(2026, 12, 5, 11, 0))  # Saturday
        error = await rejected(engine, SBIN, board, req(SBIN, qty=1, product=Product.CNC))
        assert error.message.startswith("Market is closed for NSE")


class TestMargins:
    async def test_short_nifty_option_blocks_span_like_margin_not_premium(self, engine, store, board):
        board.set(NIFTY_24000_CE, 150, bid=149.5, ask=150.5)
        order = await engine.place(USER, req(NIFTY_24000_CE, Action.SELL, 75, product=Product.NRML),
                                   NIFTY_24000_CE, board)
        assert order.average_price == D("149.5")
        assert store.funds[USER].position_margin_paise == 14_400_000  # 24000 × 75 × 8 % = ₹1,44,000

    async def test_hedged_call_spread_needs_only_its_maximum_loss(self, engine, store, board):
        board.set(NIFTY_24000_CE, 150, bid=150, ask=150)
        board.set(NIFTY_24200_CE, 80, bid=80, ask=80)
        await engine.place(USER, req(NIFTY_24000_CE, Action.SELL, 75, product=Product.NRML), NIFTY_24000_CE, board)
        hedge = await engine.place(USER, req(NIFTY_24200_CE, Action.BUY, 75, product=Product.NRML),
                                   NIFTY_24200_CE, board)
        assert hedge.margin_paise == 0  # the hedge lowers the requirement
        # premium 80 × 75 = 6,000 + spread loss (24200 − 24000) × 75 = 15,000
        assert store.funds[USER].position_margin_paise == 2_100_000
        assert store.funds[USER].available_paise == CAPITAL - 2_100_000

    async def test_futures_and_cnc_leverage(self, engine, store, board):
        board.set(NIFTY_FUT, 24000, bid=24000, ask=24000)
        await engine.place(USER, req(NIFTY_FUT, qty=75, product=Product.NRML), NIFTY_FUT, board)
        assert store.funds[USER].position_margin_paise == 18_000_000  # 75 × 24000 / 10
        board.set(SBIN, 800, bid=800, ask=800)
        await engine.place(USER, req(SBIN, qty=10, product=Product.CNC), SBIN, board)
        assert store.funds[USER].position_margin_paise == 18_000_000 + 800_000

    async def test_reducing_order_blocks_nothing(self, engine, store, board):
        board.set(SBIN, 800, bid=800, ask=800)
        await engine.place(USER, req(SBIN, qty=10), SBIN, board)
        exit_order = await engine.place(USER, req(SBIN, Action.SELL, 10, PriceType.LIMIT, price="820"), SBIN, board)
        assert exit_order.margin_paise == 0


class TestModifyCancel:
    async def test_modify_reblocks_margin_at_the_new_terms(self, engine, store, board):
        board.set(SBIN, 800, bid=800, ask=800)
        order = await engine.place(USER, req(SBIN, qty=10, pricetype=PriceType.LIMIT, price="790"), SBIN, board)
        await engine.modify(USER, order.orderid, req(SBIN, qty=20, pricetype=PriceType.LIMIT, price="780"))
        again = store.orders[order.orderid]
        assert (again.quantity, again.price, again.margin_paise) == (20, D("780"), 312000)
        assert store.funds[USER].order_margin_paise == 312000

    async def test_modify_into_a_marketable_price_fills(self, engine, store, board):
        board.set(SBIN, 800, bid=799.9, ask=800.1)
        order = await engine.place(USER, req(SBIN, qty=10, pricetype=PriceType.LIMIT, price="790"), SBIN, board)
        await engine.modify(USER, order.orderid, req(SBIN, qty=10, pricetype=PriceType.LIMIT, price="801"), SBIN, board)
        assert store.orders[order.orderid].status == OrderStatus.COMPLETE
        assert store.orders[order.orderid].average_price == D("800.1")
        assert order.orderid not in engine.books

    async def test_cancel_releases_margin_and_twice_is_a_clear_error(self, engine, store, board):
        board.set(SBIN, 800)
        order = await engine.place(USER, req(SBIN, qty=10, pricetype=PriceType.LIMIT, price="790"), SBIN, board)
        await engine.cancel(USER, order.orderid)
        assert store.funds[USER].available_paise == CAPITAL and order.orderid not in engine.books
        with pytest.raises(OrderRejected, match="Cannot cancel order in cancelled status"):
            await engine.cancel(USER, order.orderid)
        with pytest.raises(OrderRejected, match="Order 123 not found") as caught:
            await engine.cancel(USER, "123")
        assert caught.value.status == 404

    async def test_filled_order_cannot_be_modified_and_price_on_market_is_refused(self, engine, board):
        board.set(SBIN, 800)
        done = await engine.place(USER, req(SBIN, qty=10), SBIN, board)
        with pytest.raises(OrderRejected, match="Cannot modify order in complete status"):
            await engine.modify(USER, done.orderid, req(SBIN, qty=5))
        resting = await engine.place(USER, req(SBIN, qty=10, pricetype=PriceType.SL_M, trigger="810"), SBIN, board)
        with pytest.raises(OrderRejected, match="SL-M orders do not accept a price"):
            await engine.modify(USER, resting.orderid, req(SBIN, qty=10, pricetype=PriceType.SL_M, price="805",
                                                           trigger="812"))

    async def test_other_users_orders_are_invisible(self, engine, board):
        board.set(SBIN, 800)
        order = await engine.place(USER, req(SBIN, qty=10, pricetype=PriceType.LIMIT, price="790"), SBIN, board)
        with pytest.raises(OrderRejected, match="not found"):
            await engine.cancel(USER + 1, order.orderid)
