"""Property tests of the pure pieces: netting conserves P&L; the in-memory engine keeps its ledger."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.contract import Action, Exchange, FeedMode, OrderRejected, OrderRequest, PriceType, Product, Tick
from brokers.paper.calendar import AlwaysOpenCalendar
from brokers.paper.config import PaperConfig
from brokers.paper.engine import PaperEngine
from brokers.paper.margin import Exposure, requirement_paise
from brokers.paper.netting import net
from brokers.paper.store import InMemoryStore
from tests.fixtures.sandbox import SBIN, ManualClock, QuoteBoard, ist

fills = st.lists(st.tuples(st.integers(-50, 50).filter(bool), st.integers(1, 40_000)), min_size=1, max_size=30)


@settings(max_examples=100, deadline=None)
@given(fills=fills, mark=st.integers(1, 40_000))
def test_netting_conserves_pnl(fills, mark):
    """Cash flows of all fills + the open position at a mark = realised + unrealised (to rounding)."""
    quantity, average, realized = 0, D(0), 0
    cash = D(0)
    for signed, paise_price in fills:
        price = D(paise_price) / 100
        result = net(quantity, average, signed, price)
        quantity, average, realized = result.quantity, result.average_price, realized + result.realized_paise
        cash -= signed * price
    assert quantity == sum(signed for signed, _ in fills)
    mark_price = D(mark) / 100
    total = (cash + quantity * mark_price) * 100
    unrealized = (mark_price - average) * quantity * 100
    tolerance = len(fills) * D("0.5") + sum(abs(s) for s, _ in fills) * D("0.01")  # paisa and 0.0001 rounding
    assert abs(total - (realized + unrealized)) <= tolerance


actions = st.lists(st.tuples(st.sampled_from(["buy", "sell", "limit_buy", "limit_sell", "tick", "cancel"]),
                             st.integers(1, 30), st.integers(-30, 30)), min_size=1, max_size=40)


@settings(max_examples=100, deadline=None)
@given(steps=actions)
async def test_in_memory_engine_keeps_the_ledger(steps):
    store, board = InMemoryStore(), QuoteBoard()
    engine = PaperEngine(store, config=PaperConfig(starting_capital=D(50_000)), calendar=AlwaysOpenCalendar(),
                         clock=ManualClock(ist(2026, 12, 1)))
    board.set(SBIN, 800, bid=799.95, ask=800.05)
    placed: list[str] = []
    async with engine.account(1):  # open it
        pass
    for kind, qty, offset in steps:
        price = D(800) + offset * D("0.5")
        try:
            if kind == "tick":
                board.set(SBIN, float(price), bid=float(price - D("0.05")), ask=float(price + D("0.05")))
                await engine.on_tick(Tick("NSE", "SBIN", FeedMode.QUOTE, float(price), 0, bid=float(price - D("0.05")),
                                          ask=float(price + D("0.05"))))
            elif kind == "cancel" and placed:
                await engine.cancel(1, placed[qty % len(placed)])
            elif kind != "cancel":
                action = Action.BUY if kind.endswith("buy") else Action.SELL
                limit = kind.startswith("limit")
                request = OrderRequest("SBIN", Exchange.NSE, action, qty, PriceType.LIMIT if limit else PriceType.MARKET,
                                       Product.MIS, price if limit else D(0))
                placed.append((await engine.place(1, request, SBIN, board)).orderid)
        except OrderRejected:
            pass
        funds = store.funds[1]
        ledger = store.ledger
        assert funds.cash_paise == sum(e.cash_paise for e in ledger)
        assert funds.order_margin_paise == sum(e.order_margin_paise for e in ledger)
        assert funds.position_margin_paise == sum(e.position_margin_paise for e in ledger)
        assert funds.available_paise >= 0
        assert funds.order_margin_paise == sum(o.margin_paise for o in store.orders.values() if o.pending)
        positions = list(store.positions.get(1, {}).values())
        exposures = [Exposure(p.contract, p.product, p.quantity, p.average_price) for p in positions]
        assert funds.position_margin_paise == requirement_paise(exposures, engine.config)
        assert funds.realized_paise == sum(p.realized_paise for p in positions)
        position = store.positions.get(1, {}).get(("SBIN", "NSE", "MIS"))
        traded = sum(t.quantity * (1 if t.action == Action.BUY else -1) for t in store.trades)
        assert (position.quantity if position else 0) == traded
