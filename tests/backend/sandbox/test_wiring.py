"""The canonical-type client, the scheduled jobs, and a burst cut off mid-flight."""

from __future__ import annotations

import asyncio
from decimal import Decimal as D

import pytest

from backend.core.scheduler import Scheduler
from backend.domains.sandbox.client import PaperExecutionClient
from backend.domains.sandbox.repository import SandboxReader
from backend.domains.sandbox.tasks import SandboxJobs
from brokers.contract import (
    Action,
    Exchange,
    InstrumentNotFound,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
)
from tests.fixtures.sandbox import SBIN, ist, make_sandbox


async def resolve(symbol: str, exchange: str):
    return SBIN if (symbol, exchange) == ("SBIN", "NSE") else None


async def test_execution_client_speaks_canonical_types(app, clock, sandbox_user, board):
    sandbox = make_sandbox(app, clock)
    sandbox.resolve = resolve
    client = PaperExecutionClient(sandbox, sandbox_user, board)
    board.set(SBIN, 800, bid=800, ask=800.5)
    order = await client.place_order(OrderRequest("SBIN", Exchange.NSE, Action.BUY, 2, product=Product.CNC))
    assert order.status == OrderStatus.COMPLETE and order.average_price == D("800.5")
    [position] = await client.positions()
    assert (position.quantity, position.average_price) == (2, D("800.5"))
    funds = await client.funds()
    assert funds.utiliseddebits == D("1601.00") and funds.availablecash == D("9998399.00")
    assert [o.orderid for o in await client.orders()] == [order.orderid]
    assert len(await client.trades()) == 1
    with pytest.raises(InstrumentNotFound):
        await client.place_order(OrderRequest("NOPE", Exchange.NSE, Action.BUY, 1))


async def test_jobs_install_and_run(app, clock, sandbox_user, board):
    sandbox = make_sandbox(app, clock, sessions=True, sandbox_reset_day="Sunday", sandbox_reset_time="18:30")
    jobs = SandboxJobs(sandbox, Scheduler(), market=lambda: board)
    assert sorted(jobs.install()) == ["sandbox-daily-pnl", "sandbox-poll", "sandbox-sweep", "sandbox-weekly-reset"]
    board.set(SBIN, 800, bid=800, ask=800)
    await sandbox.place_order(sandbox_user, OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1), SBIN, board)
    limit = OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1, PriceType.LIMIT, Product.CNC, D("790"))
    resting = await sandbox.place_order(sandbox_user, limit, SBIN, board)
    sandbox.engine.books.remove(resting["orderid"])  # as if another worker had placed it
    board.set(SBIN, 789, bid=789, ask=789)
    await jobs.poll()  # indexes it and fills it from a fresh quote
    assert (await sandbox.order_status(sandbox_user, resting["orderid"]))["data"]["order_status"] == "complete"
    clock.set(ist(2026, 12, 1, 15, 16))
    await jobs.sweep()
    assert (await sandbox.open_position(sandbox_user, "SBIN", "NSE", "MIS"))["quantity"] == 0
    await jobs.snapshot()
    await jobs.reset()
    assert (await sandbox.funds(sandbox_user))["data"]["reset_count"] == 1


async def test_callers_cancelled_mid_burst_leave_no_partial_state(app, clock, sandbox_user, board):
    sandbox = make_sandbox(app, clock)
    board.set(SBIN, 800, bid=800, ask=800)
    await sandbox.funds(sandbox_user)

    async def one() -> None:
        try:
            await sandbox.place_order(sandbox_user, OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1), SBIN, board)
        except OrderRejected:
            pass

    tasks = [asyncio.create_task(one()) for _ in range(200)]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)  # mid-burst, however fast units are
    for task in tasks:
        task.cancel()  # the callers go away mid-burst
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert any(isinstance(result, asyncio.CancelledError) for result in results)
    await sandbox.engine.drain()  # units already started run to commit or rollback
    restarted = make_sandbox(app, clock)
    await restarted.start(board)
    async with restarted.db.sessions() as session:
        reader = SandboxReader(session, sandbox_user)
        funds, totals = await reader.funds(), await reader.ledger_totals()
        orders, trades, positions = await reader.all_orders(), await reader.all_trades(), await reader.positions()
    filled = [o for o in orders if o.status == OrderStatus.COMPLETE]
    assert len(filled) == len(trades) == sum(p.quantity for p in positions)
    assert totals["cash_paise"] == funds.cash_paise and totals["position_margin_paise"] == funds.position_margin_paise
    assert funds.position_margin_paise == 16_000 * len(filled)
