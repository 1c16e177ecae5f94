"""Concurrent orders for one user never overspend, double-fill or lose an update — within one
process (asyncio lock) and across processes (two engines on one database = two workers)."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

from backend.domains.sandbox.repository import SandboxReader
from brokers.contract import Action, Exchange, FeedMode, OrderRejected, OrderRequest, PriceType, Product, Tick
from tests.fixtures.sandbox import SBIN, make_sandbox

CAPITAL = D(100_000)


def cnc_buy(qty=10, pricetype=PriceType.MARKET, price="0"):
    return OrderRequest("SBIN", Exchange.NSE, Action.BUY, qty, pricetype, Product.CNC, D(price))


async def attempt(sandbox, user_id, request, board) -> bool:
    try:
        await sandbox.place_order(user_id, request, SBIN, board)
        return True
    except OrderRejected as error:
        assert error.message.startswith("Insufficient funds")
        return False


async def state(sandbox, user_id):
    async with sandbox.db.sessions() as session:
        reader = SandboxReader(session, user_id)
        return await reader.funds(), await reader.ledger_totals(), await reader.positions(), await reader.all_trades()


async def test_forty_concurrent_buys_never_overspend(app, clock, sandbox_user, board):
    sandbox = make_sandbox(app, clock, sandbox_starting_capital=CAPITAL)
    board.set(SBIN, 800, bid=800, ask=800)
    results = await asyncio.gather(*(attempt(sandbox, sandbox_user, cnc_buy(), board) for _ in range(40)))
    assert sum(results) == 12  # 12 × ₹8,000 fit in ₹1,00,000
    funds, totals, [position], trades = await state(sandbox, sandbox_user)
    assert funds.available_paise == 400_000 and position.quantity == 120 and len(trades) == 12
    assert totals["cash_paise"] == funds.cash_paise and totals["position_margin_paise"] == funds.position_margin_paise


async def test_two_workers_share_one_account_safely(app, clock, sandbox_user, board):
    workers = [make_sandbox(app, clock, sandbox_starting_capital=CAPITAL) for _ in range(2)]
    board.set(SBIN, 800, bid=800, ask=800)
    jobs = [attempt(workers[i % 2], sandbox_user, cnc_buy(pricetype=PriceType.LIMIT, price="790"), board)
            for i in range(30)]
    results = await asyncio.gather(*jobs)
    assert sum(results) == 12  # ₹7,900 blocked per resting order
    funds, totals, _, _ = await state(workers[0], sandbox_user)
    assert funds.order_margin_paise == 12 * 790_000 and funds.available_paise >= 0
    assert totals["order_margin_paise"] == funds.order_margin_paise
    # both workers see the tick (each indexed its own orders; a poll would index the other's too)
    for worker in workers:
        await worker.engine.rebuild_books()
    tick = Tick("NSE", "SBIN", FeedMode.LTP, 789.0, 0)
    await asyncio.gather(workers[0].on_tick(tick), workers[1].on_tick(tick))
    funds, totals, [position], trades = await state(workers[0], sandbox_user)
    assert len(trades) == 12 and position.quantity == 120  # each order filled exactly once
    assert funds.order_margin_paise == 0 and funds.position_margin_paise == 12 * 790_000
    assert (totals["cash_paise"], totals["position_margin_paise"]) == (funds.cash_paise, funds.position_margin_paise)


async def test_many_users_at_once(app, clock, board):
    from tests.fixtures.sandbox import create_users

    sandbox = make_sandbox(app, clock)
    users = await create_users(sandbox.db, 8)
    board.set(SBIN, 800, bid=800, ask=800)
    await asyncio.gather(*(sandbox.place_order(u, cnc_buy(qty=1), SBIN, board) for u in users for _ in range(3)))
    for user in users:
        funds, totals, [position], trades = await state(sandbox, user)
        assert position.quantity == 3 and len(trades) == 3 and totals["position_margin_paise"] == 240_000


async def test_concurrent_smart_orders_reach_the_target_once(app, clock, sandbox_user, board):
    workers = [make_sandbox(app, clock) for _ in range(2)]
    board.set(SBIN, 800, bid=800, ask=800)
    request = OrderRequest("SBIN", Exchange.NSE, Action.BUY, 10, PriceType.MARKET, Product.MIS)
    answers = await asyncio.gather(*(workers[i % 2].place_smart_order(sandbox_user, request, 50, SBIN, board)
                                     for i in range(10)))
    assert sum("orderid" in answer for answer in answers) == 1
    assert (await workers[0].open_position(sandbox_user, "SBIN", "NSE", "MIS"))["quantity"] == 50
