"""Property test: random order sequences keep the ledger invariants (SQLite and PostgreSQL).

After every sequence: the funds row re-derives from the ledger; available funds never went
negative; held order margin is exactly what pending orders hold; position margin is what the
positions require; no order is over-filled; positions equal the sum of trades; realised P&L is
the positions' realised P&L.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.domains.sandbox.repository import SandboxReader
from brokers.contract import (
    Action,
    FeedMode,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    Tick,
)
from brokers.paper.margin import Exposure, requirement_paise
from tests.fixtures.sandbox import (
    NIFTY_24000_CE,
    NIFTY_24200_CE,
    NIFTY_FUT,
    SBIN,
    QuoteBoard,
    create_users,
    make_sandbox,
)

MARKETS = {  # instrument → (products, base price, tick)
    SBIN.symbol: (SBIN, (Product.MIS, Product.CNC), 800, D("0.05")),
    NIFTY_FUT.symbol: (NIFTY_FUT, (Product.NRML, Product.MIS), 24000, D("0.05")),
    NIFTY_24000_CE.symbol: (NIFTY_24000_CE, (Product.NRML,), 150, D("0.05")),
    NIFTY_24200_CE.symbol: (NIFTY_24200_CE, (Product.NRML,), 80, D("0.05")),
}

symbols = st.sampled_from(sorted(MARKETS))
place = st.tuples(st.just("place"), symbols, st.sampled_from([Action.BUY, Action.SELL]), st.integers(1, 4),
                  st.sampled_from([PriceType.MARKET, PriceType.LIMIT, PriceType.SL, PriceType.SL_M]),
                  st.integers(0, 1), st.integers(-40, 40))
move = st.tuples(st.just("tick"), symbols, st.integers(-60, 60))
cancel = st.tuples(st.just("cancel"), st.integers(0, 30))
modify = st.tuples(st.just("modify"), st.integers(0, 30), st.integers(-30, 30))
operations = st.lists(st.one_of(place, place, move, cancel, modify), min_size=1, max_size=18)


def price_at(symbol: str, offset_ticks: int) -> D:
    base, tick = MARKETS[symbol][2], MARKETS[symbol][3]
    return max(D(base) + offset_ticks * tick * 10, tick)


async def run(sandbox, user, board: QuoteBoard, ops) -> None:
    last = {symbol: D(MARKETS[symbol][2]) for symbol in MARKETS}
    for symbol, price in last.items():
        board.set(MARKETS[symbol][0], float(price), bid=float(price - D("0.05")), ask=float(price + D("0.05")))
    orderids: list[str] = []
    await sandbox.funds(user)  # opens the account
    for op in ops:
        if op[0] == "place":
            _, symbol, action, lots, pricetype, product_index, offset = op
            inst, products, _, _ = MARKETS[symbol]
            limit = price_at(symbol, offset)
            trigger = limit if pricetype == PriceType.SL_M else (
                limit - D("0.5") if action == Action.BUY else limit + D("0.5"))
            request = OrderRequest(symbol, inst.exchange, action, lots * inst.lotsize, pricetype,
                                   products[product_index % len(products)],
                                   limit if pricetype in (PriceType.LIMIT, PriceType.SL) else D(0),
                                   max(trigger, D("0.05")) if pricetype in (PriceType.SL, PriceType.SL_M) else D(0))
            try:
                placed = await sandbox.place_order(user, request, inst, board)
                orderids.append(placed["orderid"])
            except OrderRejected:
                pass
        elif op[0] == "tick":
            _, symbol, offset = op
            ltp = price_at(symbol, offset)
            board.set(MARKETS[symbol][0], float(ltp), bid=float(ltp - D("0.05")), ask=float(ltp + D("0.05")))
            await sandbox.on_tick(Tick(str(MARKETS[symbol][0].exchange), symbol, FeedMode.QUOTE, float(ltp), 0,
                                       bid=float(ltp - D("0.05")), ask=float(ltp + D("0.05"))))
        elif orderids:
            orderid = orderids[op[1] % len(orderids)]
            try:
                if op[0] == "cancel":
                    await sandbox.cancel_order(user, orderid)
                else:
                    status = (await sandbox.order_status(user, orderid))["data"]
                    symbol = status["symbol"]
                    inst = MARKETS[symbol][0]
                    new_price = price_at(symbol, op[2])
                    request = OrderRequest(symbol, inst.exchange, Action(status["action"]), status["quantity"],
                                           PriceType(status["pricetype"]), Product(status["product"]),
                                           new_price if status["pricetype"] in ("LIMIT", "SL") else D(0),
                                           D(str(status["trigger_price"])))
                    await sandbox.modify_order(user, orderid, request, inst, board)
            except OrderRejected:
                pass
        await assert_invariants(sandbox, user)


async def assert_invariants(sandbox, user) -> None:
    async with sandbox.db.sessions() as session:
        reader = SandboxReader(session, user)
        funds, totals = await reader.funds(), await reader.ledger_totals()
        orders, trades, positions = await reader.all_orders(), await reader.all_trades(), await reader.positions()
    assert (totals["cash_paise"], totals["order_margin_paise"], totals["position_margin_paise"],
            totals["realized_paise"]) == (funds.cash_paise, funds.order_margin_paise, funds.position_margin_paise,
                                          funds.realized_paise)
    assert funds.available_paise >= 0
    assert funds.order_margin_paise == sum(o.margin_paise for o in orders if o.pending)
    assert all(o.margin_paise == 0 for o in orders if not o.pending)
    exposures = [Exposure(p.contract, p.product, p.quantity, p.average_price) for p in positions]
    assert funds.position_margin_paise == requirement_paise(exposures, sandbox.engine.config)
    per_order = defaultdict(int)
    for trade in trades:
        per_order[trade.orderid] += trade.quantity
    for order in orders:
        assert order.filled_quantity <= order.quantity
        assert per_order.get(order.orderid, 0) == (order.quantity if order.status == OrderStatus.COMPLETE else 0)
    net = defaultdict(int)
    for trade in trades:
        net[(trade.symbol, str(trade.exchange), str(trade.product))] += trade.quantity * (
            1 if trade.action == Action.BUY else -1)
    assert {key: qty for key, qty in net.items() if qty} == {p.key: p.quantity for p in positions if p.quantity}
    assert funds.realized_paise == sum(p.realized_paise for p in positions)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
async def test_random_sequences_keep_the_ledger_whole(app, clock, ops):
    sandbox = make_sandbox(app, clock, sandbox_starting_capital=D(500_000))
    [user] = await create_users(sandbox.db, 1)
    await run(sandbox, user, QuoteBoard(), ops)
