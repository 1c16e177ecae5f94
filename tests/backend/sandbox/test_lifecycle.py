"""Time-driven work with a controllable clock: MIS square-off at the minute, T+1 across a holiday,
expiry settlement, capital reset and the daily P&L snapshot."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from backend.domains.sandbox.repository import SandboxReader
from brokers.contract import Action, Exchange, FeedMode, OrderRequest, PriceType, Product, Tick
from brokers.paper.lifecycle import snapshot_day
from tests.fixtures.sandbox import NIFTY_24000_CE, SBIN, ist, make_sandbox


def sbin(action=Action.BUY, qty=10, product=Product.MIS, pricetype=PriceType.MARKET, price="0"):
    return OrderRequest("SBIN", Exchange.NSE, action, qty, pricetype, product, D(price))


async def test_mis_square_off_happens_at_the_configured_minute(app, clock, sandbox_user, board):
    sandbox = make_sandbox(app, clock, sessions=True)
    board.set(SBIN, 800, bid=799.9, ask=800.1)
    await sandbox.place_order(sandbox_user, sbin(), SBIN, board)
    resting = await sandbox.place_order(sandbox_user, sbin(pricetype=PriceType.LIMIT, price="780"), SBIN, board)
    board.set(SBIN, 805, bid=804.9, ask=805.1)
    clock.set(ist(2026, 12, 1, 15, 14, 59))
    await sandbox.sweep_all(board)
    assert (await sandbox.open_position(sandbox_user, "SBIN", "NSE", "MIS"))["quantity"] == 10
    clock.set(ist(2026, 12, 1, 15, 15))
    await sandbox.sweep_all(board)
    assert (await sandbox.open_position(sandbox_user, "SBIN", "NSE", "MIS"))["quantity"] == 0
    orders = {o["orderid"]: o for o in (await sandbox.orderbook(sandbox_user))["data"]["orders"]}
    assert orders[resting["orderid"]]["order_status"] == "cancelled"
    [square_off] = [o for o in orders.values() if o["strategy"] == "AUTO_SQUARE_OFF"]
    assert (square_off["action"], square_off["average_price"], square_off["timestamp"]) == (
        "SELL", 804.9, "2026-12-01 15:15:00")
    funds = (await sandbox.funds(sandbox_user))["data"]
    assert funds["m2mrealized"] == 48.0 and funds["utiliseddebits"] == 0.0  # (804.90 − 800.10) × 10


async def test_demo_calendar_lets_a_newcomer_trade_intraday_at_night(app, clock, sandbox_user, board):
    sandbox = make_sandbox(app, clock)  # always-open simulator calendar
    board.set(SBIN, 800, bid=800, ask=800)
    clock.set(ist(2026, 12, 1, 21, 0))
    await sandbox.place_order(sandbox_user, sbin(), SBIN, board)
    await sandbox.sweep_all(board)
    assert (await sandbox.open_position(sandbox_user, "SBIN", "NSE", "MIS"))["quantity"] == 10
    clock.set(ist(2026, 12, 2, 0, 0))  # the simulated session ends at midnight
    await sandbox.sweep_all(board)
    assert (await sandbox.open_position(sandbox_user, "SBIN", "NSE", "MIS"))["quantity"] == 0


async def test_cnc_buy_settles_t_plus_1_across_a_holiday(app, clock, sandbox_user, board):
    holiday = date(2026, 12, 7)  # Monday
    sandbox = make_sandbox(app, clock, sessions=True, holidays=[holiday])
    board.set(SBIN, 800, bid=800, ask=800.25)
    clock.set(ist(2026, 12, 4, 11, 0))  # Friday
    await sandbox.place_order(sandbox_user, sbin(qty=4, product=Product.CNC), SBIN, board)
    before = (await sandbox.funds(sandbox_user))["data"]
    assert before["utiliseddebits"] == 3201.0
    for day in (5, 6, 7):  # weekend and the holiday: nothing settles
        clock.set(ist(2026, 12, day, 0, 1))
        await sandbox.sweep_all()
        assert (await sandbox.holdings(sandbox_user))["data"]["holdings"] == []
    clock.set(ist(2026, 12, 8, 0, 1))
    await sandbox.sweep_all()
    [holding] = (await sandbox.holdings(sandbox_user))["data"]["holdings"]
    assert (holding["quantity"], holding["average_price"], holding["settlement_date"]) == (4, 800.25, "2026-12-08")
    after = (await sandbox.funds(sandbox_user))["data"]
    assert after["utiliseddebits"] == 0.0 and after["availablecash"] == before["availablecash"]
    # selling delivered shares realises P&L against the holding's cost and pays the proceeds
    clock.set(ist(2026, 12, 8, 10, 0))
    board.set(SBIN, 810, bid=810, ask=810)
    await sandbox.place_order(sandbox_user, sbin(Action.SELL, qty=4, product=Product.CNC), SBIN, board)
    funds = (await sandbox.funds(sandbox_user))["data"]
    assert funds["m2mrealized"] == 39.0 and funds["availablecash"] == 10_000_000 + 39.0  # 4 × (810 − 800.25)
    assert (await sandbox.holdings(sandbox_user))["data"]["holdings"] == []


async def test_expired_short_option_settles_and_releases_margin(app, clock, sandbox_user, board):
    sandbox = make_sandbox(app, clock)
    board.set(NIFTY_24000_CE, 150, bid=150, ask=150)
    request = OrderRequest(NIFTY_24000_CE.symbol, Exchange.NFO, Action.SELL, 75, PriceType.MARKET, Product.NRML)
    await sandbox.place_order(sandbox_user, request, NIFTY_24000_CE, board)
    assert (await sandbox.funds(sandbox_user))["data"]["utiliseddebits"] == 144_000.0
    await sandbox.on_tick(Tick("NFO", NIFTY_24000_CE.symbol, FeedMode.LTP, 20.0, 0))
    clock.set(ist(2026, 12, 29, 15, 40))
    await sandbox.sweep_all()
    funds = (await sandbox.funds(sandbox_user))["data"]
    assert funds["utiliseddebits"] == 0.0 and funds["m2mrealized"] == 9750.0  # (150 − 20) × 75
    orders = (await sandbox.orderbook(sandbox_user))["data"]["orders"]
    assert orders[0]["strategy"] == "EXPIRY_SETTLEMENT" and orders[0]["average_price"] == 20.0


async def test_reset_restores_capital_and_snapshot_records_the_day(app, clock, sandbox, sandbox_user, board):
    board.set(SBIN, 800, bid=800, ask=800)
    await sandbox.place_order(sandbox_user, sbin(), SBIN, board)
    await sandbox.place_order(sandbox_user, sbin(pricetype=PriceType.LIMIT, price="790"), SBIN, board)
    daily = await snapshot_day(sandbox.engine, sandbox_user)
    assert daily.used_paise == 160_000 + 158_000 and daily.portfolio_value_paise == 1_000_000_000
    await sandbox.reset_capital(sandbox_user)
    funds = (await sandbox.funds(sandbox_user))["data"]
    assert (funds["availablecash"], funds["utiliseddebits"], funds["reset_count"]) == (10_000_000.0, 0.0, 1)
    assert (await sandbox.positionbook(sandbox_user))["data"] == []
    assert len(sandbox.engine.books) == 0
    async with sandbox.db.sessions() as session:
        assert [d.day for d in await SandboxReader(session, sandbox_user).daily_pnl()] == [date(2026, 12, 1)]
