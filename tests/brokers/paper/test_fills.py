"""Fill prices, statuses and funds of single orders against a hand-set market (in-memory store)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from brokers.contract import (
    Action,
    Exchange,
    FeedMode,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    Tick,
)
from tests.fixtures.sandbox import NIFTY_FUT, SBIN

USER = 7


def buy(symbol="SBIN", qty=10, pricetype=PriceType.MARKET, product=Product.MIS, price="0", trigger="0",
        exchange=Exchange.NSE, action=Action.BUY):
    return OrderRequest(symbol, exchange, action, qty, pricetype, product, D(price), D(trigger))


def sell(**kw):
    return buy(action=Action.SELL, **kw)


def tick(inst, ltp, bid=0.0, ask=0.0):
    return Tick(str(inst.exchange), inst.symbol, FeedMode.QUOTE, ltp, 0, bid=bid, ask=ask)


class TestMarketOrders:
    async def test_buy_walks_the_ask_side_for_size(self, engine, store, board):
        board.set(SBIN, 800, bid=799.9, ask=800.1, asks=[(800.1, 10), (800.2, 15), (800.5, 100)])
        order = await engine.place(USER, buy(qty=30), SBIN, board)
        assert order.status == OrderStatus.COMPLETE
        # 10 × 800.10 + 15 × 800.20 + 5 × 800.50 = 24006.50 → 800.2167 (4 dp)
        assert order.average_price == D("800.2167")
        funds = store.funds[USER]
        assert funds.position_margin_paise == 480131  # 30 × 800.2167 / 5 = 4801.302 → ceil paise
        assert funds.available_paise == 1_000_000_000 - 480131

    async def test_sell_takes_the_bid_and_ltp_without_a_book(self, engine, board):
        board.set(SBIN, 800, bid=799.5, ask=800.5)
        assert (await engine.place(USER, sell(qty=5), SBIN, board)).average_price == D("799.5")
        board.set(SBIN, 801)
        assert (await engine.place(USER, sell(qty=5), SBIN, board)).average_price == D("801")

    async def test_size_beyond_visible_depth_fills_at_the_last_level(self, engine, board):
        board.set(SBIN, 800, asks=[(800.1, 10)])
        assert (await engine.place(USER, buy(qty=20), SBIN, board)).average_price == D("800.1")

    async def test_market_without_any_quote_is_rejected_and_recorded(self, engine, store):
        class NoQuotes:
            async def quote(self, _):
                raise TimeoutError

            depth = quote

        with pytest.raises(OrderRejected, match="Unable to fetch a quote") as caught:
            await engine.place(USER, buy(), SBIN, NoQuotes())
        recorded = store.orders[caught.value.orderid]
        assert recorded.status == OrderStatus.REJECTED and "quote" in recorded.reason
        assert store.funds[USER].available_paise == 1_000_000_000
        assert [entry.kind for entry in store.ledger] == ["capital"]


class TestLimitOrders:
    async def test_marketable_limit_fills_at_the_touch_not_the_limit(self, engine, board):
        board.set(SBIN, 800, bid=799.9, ask=800.1, asks=[(800.1, 50)])
        order = await engine.place(USER, buy(pricetype=PriceType.LIMIT, price="805"), SBIN, board)
        assert order.status == OrderStatus.COMPLETE and order.average_price == D("800.1")

    async def test_marketable_limit_never_fills_beyond_its_price(self, engine, board):
        board.set(SBIN, 800, asks=[(800.0, 5), (800.5, 5), (801.0, 100)])
        order = await engine.place(USER, buy(qty=20, pricetype=PriceType.LIMIT, price="800.50"), SBIN, board)
        # 5 × 800 + 5 × 800.5 walk the book; the other 10 fill at the limit
        assert order.average_price == D("800.375")

    async def test_resting_limit_fills_at_its_price_when_traded_through(self, engine, store, board):
        board.set(SBIN, 800, bid=799.9, ask=800.1)
        order = await engine.place(USER, buy(pricetype=PriceType.LIMIT, price="790"), SBIN, board)
        assert order.status == OrderStatus.OPEN and order.margin_paise == 158000  # 10 × 790 / 5
        assert await engine.on_tick(tick(SBIN, 790.0)) == []  # a touch is not a fill (queue position)
        assert store.orders[order.orderid].status == OrderStatus.OPEN
        filled = await engine.on_tick(tick(SBIN, 789.5))
        assert [o.orderid for o in filled] == [order.orderid]
        done = store.orders[order.orderid]
        assert done.status == OrderStatus.COMPLETE and done.average_price == D("790")
        funds = store.funds[USER]
        assert funds.order_margin_paise == 0 and funds.position_margin_paise == 158000

    async def test_tick_for_another_instrument_touches_nothing(self, engine, board):
        board.set(SBIN, 800)
        await engine.place(USER, buy(pricetype=PriceType.LIMIT, price="790"), SBIN, board)
        assert await engine.on_tick(tick(NIFTY_FUT, 1.0)) == []
        assert len(engine.books) == 1


class TestStopOrders:
    async def test_sl_m_sell_triggers_on_ltp_and_fills_at_the_bid(self, engine, store, board):
        board.set(SBIN, 800)
        await engine.place(USER, buy(qty=10), SBIN, board)
        stop = await engine.place(USER, sell(qty=10, pricetype=PriceType.SL_M, trigger="790"), SBIN, board)
        assert stop.status == OrderStatus.TRIGGER_PENDING
        assert await engine.on_tick(tick(SBIN, 790.05)) == []
        await engine.on_tick(tick(SBIN, 789.95, bid=789.8, ask=790.0))
        done = store.orders[stop.orderid]
        assert done.status == OrderStatus.COMPLETE and done.average_price == D("789.8")
        # (789.80 − 800) × 10 realised
        assert store.funds[USER].realized_paise == -10200

    async def test_sl_buy_triggered_but_not_marketable_rests_as_limit(self, engine, store, board):
        board.set(SBIN, 800)
        stop = await engine.place(USER, buy(pricetype=PriceType.SL, price="810", trigger="805"), SBIN, board)
        await engine.on_tick(tick(SBIN, 812.0, bid=811.9, ask=812.1))  # gap over the limit
        after = store.orders[stop.orderid]
        assert after.status == OrderStatus.OPEN and after.triggered
        await engine.on_tick(tick(SBIN, 809.0))  # released SL fills without re-checking the trigger
        assert store.orders[stop.orderid].status == OrderStatus.COMPLETE
        assert store.orders[stop.orderid].average_price == D("810")

    async def test_stale_print_outside_the_day_range_never_fills(self, engine, store, board):
        board.set(SBIN, 800)
        stop = await engine.place(USER, sell(pricetype=PriceType.SL_M, trigger="790", product=Product.MIS), SBIN, board)
        stale = Tick("NSE", "SBIN", FeedMode.QUOTE, 700.0, 0, high=805.0, low=795.0)
        await engine.on_tick(stale)
        assert store.orders[stop.orderid].status == OrderStatus.TRIGGER_PENDING
        assert stop.orderid in engine.books


class TestBooks:
    async def test_tick_pops_only_crossed_levels_and_cancelled_entries_are_compacted(self, store, clock):
        from brokers.paper.book import COMPACT_AFTER, DEFAULT_SOURCE, RestingBooks
        from brokers.paper.model import ContractSpec, PaperOrder

        books = RestingBooks()
        contract = ContractSpec("SBIN", Exchange.NSE)
        orders = [PaperOrder(str(n), 1, contract, Action.BUY, 1, PriceType.LIMIT, Product.MIS, D(700 + n), D(0), "",
                             OrderStatus.OPEN, clock(), clock()) for n in range(COMPACT_AFTER * 3)]
        for order in orders:
            books.add(order)
        crossed = books.crossing((DEFAULT_SOURCE, "NSE:SBIN"), D(700 + COMPACT_AFTER * 3 - 3))
        assert sorted(int(e.orderid) for e in crossed) == [COMPACT_AFTER * 3 - 3, COMPACT_AFTER * 3 - 2,
                                                          COMPACT_AFTER * 3 - 1]
        for order in orders[: COMPACT_AFTER * 2]:
            books.remove(order.orderid)
        book = books._books[(DEFAULT_SOURCE, "NSE:SBIN")]
        assert book.size() < COMPACT_AFTER * 2  # the heap was rebuilt without the cancelled entries
        assert len(books) == COMPACT_AFTER - 3
