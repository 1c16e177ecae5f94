"""Market sources: each account's resting orders and marks follow its own market only (the
simulator's shared feed, or one user's live broker feed), across placement, ticks, the safety
poll, a change of broker and a restart."""

from __future__ import annotations

from decimal import Decimal as D

from brokers.contract import Action, Exchange, FeedMode, OrderRequest, OrderStatus, PriceType, Product, Tick
from brokers.paper import lifecycle
from brokers.paper.book import DEFAULT_SOURCE
from brokers.paper.calendar import AlwaysOpenCalendar
from brokers.paper.engine import PaperEngine
from brokers.paper.pricing import MarketSnapshot
from brokers.paper.store import InMemoryStore
from tests.fixtures.sandbox import SBIN, QuoteBoard

SIM_USER, KITE_USER, OTHER_KITE_USER = 1, 2, 3
KITE = "zerodha:2"
OTHER_KITE = "zerodha:3"


def limit_buy(price: str) -> OrderRequest:
    return OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1, PriceType.LIMIT, Product.CNC, D(price))


def tick(ltp: float) -> Tick:
    return Tick("NSE", "SBIN", FeedMode.QUOTE, ltp, 0, bid=ltp - 0.05, ask=ltp)


def status(store: InMemoryStore, orderid: str) -> OrderStatus:
    return store.orders[orderid].status


class TestOrdersFollowTheirSource:
    async def test_a_tick_fills_only_the_orders_of_its_own_source(self, engine, store, board):
        board.set(SBIN, 800, bid=799.95, ask=800)
        sim = await engine.place(SIM_USER, limit_buy("790"), SBIN, board)  # no source: the simulator
        kite = await engine.place(KITE_USER, limit_buy("790"), SBIN, board, KITE)
        other = await engine.place(OTHER_KITE_USER, limit_buy("790"), SBIN, board, OTHER_KITE)
        assert sorted(engine.resting_contracts()) == sorted(
            [(DEFAULT_SOURCE, sim.contract), (KITE, kite.contract), (OTHER_KITE, other.contract)])

        assert [o.orderid for o in await engine.on_tick(tick(785))] == [sim.orderid]  # the simulator's tick
        assert status(store, kite.orderid) == status(store, other.orderid) == OrderStatus.OPEN

        assert [o.orderid for o in await engine.on_tick(tick(789), KITE)] == [kite.orderid]
        assert status(store, other.orderid) == OrderStatus.OPEN  # another user's broker feed
        assert store.orders[kite.orderid].average_price == D("790")

    async def test_marks_are_kept_per_source(self, engine, board):
        board.set(SBIN, 800, bid=799.95, ask=800)
        await engine.place(SIM_USER, limit_buy("700"), SBIN, board)
        await engine.place(KITE_USER, limit_buy("700"), SBIN, board, KITE)
        await engine.on_tick(tick(801))
        await engine.on_tick(tick(1200), KITE)
        assert engine.mark(SIM_USER, "NSE:SBIN").ltp == D("801")
        assert engine.mark(KITE_USER, "NSE:SBIN").ltp == D("1200")
        assert engine.mark(OTHER_KITE_USER, "NSE:SBIN").ltp == D("801")  # not told otherwise: the simulator
        engine.set_source(OTHER_KITE_USER, OTHER_KITE)
        assert engine.mark(OTHER_KITE_USER, "NSE:SBIN") is None  # nothing seen on that feed yet

    async def test_a_new_source_takes_the_resting_orders_with_it(self, engine, store, board):
        board.set(SBIN, 800, bid=799.95, ask=800)
        order = await engine.place(KITE_USER, limit_buy("790"), SBIN, board)  # still on the simulator
        engine.set_source(KITE_USER, KITE)  # the user chose their broker
        assert engine.resting_contracts() == [(KITE, order.contract)]
        assert await engine.on_tick(tick(780)) == []
        assert [o.orderid for o in await engine.on_tick(tick(780), KITE)] == [order.orderid]
        assert status(store, order.orderid) == OrderStatus.COMPLETE


class TestPollAndRestart:
    async def test_the_poll_quotes_each_source_and_skips_one_it_cannot_quote(self, engine, store, board):
        board.set(SBIN, 800, bid=799.95, ask=800)
        sim = await engine.place(SIM_USER, limit_buy("790"), SBIN, board)
        kite = await engine.place(KITE_USER, limit_buy("790"), SBIN, board, KITE)
        crossing = QuoteBoard()
        crossing.set(SBIN, 780, bid=779.95, ask=780)
        asked: list[str] = []

        async def quotes(source: str):
            asked.append(source)
            if source != DEFAULT_SOURCE:
                return None  # e.g. the user's broker session expired

            async def quote_for(contract):
                return MarketSnapshot.of_quote(await crossing.quote(SBIN))
            return quote_for

        changed = await lifecycle.poll(engine, quotes)
        assert [o.orderid for o in changed] == [sim.orderid]
        assert sorted(asked) == [DEFAULT_SOURCE, KITE]
        assert status(store, kite.orderid) == OrderStatus.OPEN  # never took the simulator's price
        assert engine.mark(KITE_USER, "NSE:SBIN").ltp == D("800")  # its own placement quote only

    async def test_a_restarted_engine_locates_each_account_before_indexing(self, store, clock, board):
        board.set(SBIN, 800, bid=799.95, ask=800)
        first = PaperEngine(store, calendar=AlwaysOpenCalendar(), clock=clock)
        kite = await first.place(KITE_USER, limit_buy("790"), SBIN, board, KITE)
        sim = await first.place(SIM_USER, limit_buy("790"), SBIN, board)
        located: list[set[int]] = []

        async def locate(user_ids):
            located.append(set(user_ids))
            return {user_id: KITE if user_id == KITE_USER else DEFAULT_SOURCE for user_id in user_ids}

        restarted = PaperEngine(store, calendar=AlwaysOpenCalendar(), clock=clock)
        restarted.locate = locate
        await restarted.rebuild_books()
        assert located == [{KITE_USER, SIM_USER}]
        assert sorted(restarted.resting_contracts()) == sorted(
            [(DEFAULT_SOURCE, sim.contract), (KITE, kite.contract)])
        assert [o.orderid for o in await restarted.on_tick(tick(780))] == [sim.orderid]
        assert status(store, kite.orderid) == OrderStatus.OPEN
        await restarted.rebuild_books()
        assert len(located) == 1  # known accounts are not looked up again
