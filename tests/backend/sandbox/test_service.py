"""The sandbox service on SQLite and PostgreSQL: OpenAlgo's analyze-mode shapes, the ledger,
restart catch-up."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from brokers.contract import Action, Exchange, FeedMode, OrderRejected, OrderRequest, PriceType, Product, Tick
from tests.fixtures.sandbox import SBIN, make_sandbox


def order(action=Action.BUY, qty=10, pricetype=PriceType.MARKET, product=Product.MIS, price="0", trigger="0",
          strategy="Python"):
    return OrderRequest("SBIN", Exchange.NSE, action, qty, pricetype, product, D(price), D(trigger), strategy=strategy)


async def assert_ledger_matches(sandbox, user_id):
    totals = await sandbox.ledger_totals(user_id)
    async with sandbox.db.sessions() as session:
        from backend.domains.sandbox.repository import SandboxReader
        funds = await SandboxReader(session, user_id).funds()
    assert (totals["cash_paise"], totals["order_margin_paise"], totals["position_margin_paise"],
            totals["realized_paise"]) == (funds.cash_paise, funds.order_margin_paise, funds.position_margin_paise,
                                          funds.realized_paise)


async def test_place_answers_like_openalgo_and_books_show_the_fill(sandbox, sandbox_user, board):
    board.set(SBIN, 800, bid=799.95, ask=800.05)
    placed = await sandbox.place_order(sandbox_user, order(), SBIN, board)
    assert set(placed) == {"status", "orderid", "mode"} and placed["mode"] == "analyze"
    assert len(placed["orderid"]) == 14 and placed["orderid"].startswith("261201")

    book = await sandbox.orderbook(sandbox_user)
    [item] = book["data"]["orders"]
    assert item == {"orderid": placed["orderid"], "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
                    "quantity": 10, "price": 0.0, "trigger_price": 0.0, "pricetype": "MARKET", "product": "MIS",
                    "order_status": "complete", "average_price": 800.05, "filled_quantity": 10,
                    "pending_quantity": 0, "rejection_reason": "", "timestamp": "2026-12-01 10:00:00",
                    "strategy": "Python"}
    assert book["data"]["statistics"] == {"total_buy_orders": 1, "total_sell_orders": 0,
                                          "total_completed_orders": 1, "total_open_orders": 0,
                                          "total_rejected_orders": 0, "total_trigger_pending_orders": 0}
    [trade] = (await sandbox.tradebook(sandbox_user))["data"]
    assert trade["trade_value"] == 8000.5 and trade["orderid"] == placed["orderid"]
    assert trade["tradeid"].startswith("TRADE-20261201-100000-")

    status = await sandbox.order_status(sandbox_user, placed["orderid"])
    assert status["data"]["order_status"] == "complete" and status["mode"] == "analyze"

    await sandbox.on_tick(Tick("NSE", "SBIN", FeedMode.LTP, 810.0, 0))
    positions = await sandbox.positionbook(sandbox_user)
    assert positions["data"] == [{"symbol": "SBIN", "exchange": "NSE", "product": "MIS", "quantity": 10,
                                  "average_price": 800.05, "ltp": 810.0, "pnl": 99.5, "pnlpercent": 1.24,
                                  "unrealized_pnl": 99.5, "today_realized_pnl": 0.0, "total_pnl_today": 99.5,
                                  "lot_size": 1}]
    assert positions["total_unrealized_pnl"] == 99.5
    funds = (await sandbox.funds(sandbox_user))["data"]
    assert funds["availablecash"] == 10_000_000 - 1600.1 and funds["utiliseddebits"] == 1600.1
    assert funds["m2munrealized"] == 99.5 and funds["collateral"] == 0.0
    assert (await sandbox.open_position(sandbox_user, "SBIN", "NSE", "MIS"))["quantity"] == 10
    await assert_ledger_matches(sandbox, sandbox_user)


async def test_realised_pnl_to_the_paisa(sandbox, sandbox_user, board):
    board.set(SBIN, 800, bid=800.05, ask=800.05)
    await sandbox.place_order(sandbox_user, order(qty=7), SBIN, board)
    board.set(SBIN, 812, bid=812.35, ask=812.40)
    await sandbox.place_order(sandbox_user, order(Action.SELL, qty=3), SBIN, board)
    board.set(SBIN, 790, bid=790.10, ask=790.15)
    await sandbox.place_order(sandbox_user, order(Action.SELL, qty=4), SBIN, board)
    funds = (await sandbox.funds(sandbox_user))["data"]
    # 3 × (812.35 − 800.05) + 4 × (790.10 − 800.05) = 36.90 − 39.80
    assert funds["m2mrealized"] == -2.9 and funds["utiliseddebits"] == 0.0
    assert funds["availablecash"] == 10_000_000 - 2.9
    [row] = (await sandbox.positionbook(sandbox_user))["data"]
    assert (row["quantity"], row["average_price"], row["today_realized_pnl"], row["pnl"]) == (0, 0.0, -2.9, -2.9)
    await assert_ledger_matches(sandbox, sandbox_user)


async def test_smart_order_cancel_all_and_close(sandbox, sandbox_user, board):
    board.set(SBIN, 800, bid=800, ask=800)
    await sandbox.place_smart_order(sandbox_user, order(qty=100), 50, SBIN, board)
    assert (await sandbox.open_position(sandbox_user, "SBIN", "NSE", "MIS"))["quantity"] == 50
    await sandbox.place_smart_order(sandbox_user, order(Action.SELL, qty=1), -20, SBIN, board)
    assert (await sandbox.open_position(sandbox_user, "SBIN", "NSE", "MIS"))["quantity"] == -20
    same = await sandbox.place_smart_order(sandbox_user, order(qty=5), -20, SBIN, board)
    assert same["message"] == "Positions Already Matched. No Action needed."

    for price in ("790", "780"):
        await sandbox.place_order(sandbox_user, order(pricetype=PriceType.LIMIT, price=price), SBIN, board)
    await sandbox.place_order(sandbox_user, order(pricetype=PriceType.SL_M, trigger="850"), SBIN, board)
    result = await sandbox.cancel_all_orders(sandbox_user)
    assert result["message"] == "Canceled 3 orders. Failed to cancel 0 orders." and len(result["canceled_orders"]) == 3
    assert (await sandbox.cancel_all_orders(sandbox_user))["message"] == "No open orders to cancel"

    closed = await sandbox.close_all_positions(sandbox_user, board)
    assert closed == {"status": "success", "message": "Closed 1 positions", "closed_positions": 1,
                      "failed_closures": 0, "mode": "analyze"}
    assert (await sandbox.funds(sandbox_user))["data"]["utiliseddebits"] == 0.0
    await assert_ledger_matches(sandbox, sandbox_user)


async def test_rejection_is_recorded_and_unknown_order_is_404(sandbox, sandbox_user, board):
    board.set(SBIN, 800)
    with pytest.raises(OrderRejected) as caught:
        await sandbox.place_order(sandbox_user, order(product=Product.NRML), SBIN, board)
    status = await sandbox.order_status(sandbox_user, caught.value.orderid)
    assert status["data"]["order_status"] == "rejected"
    assert status["data"]["rejection_reason"].startswith("NRML product not allowed")
    with pytest.raises(OrderRejected, match="Order 99 not found") as missing:
        await sandbox.order_status(sandbox_user, "99")
    assert missing.value.status == 404
    assert (await sandbox.funds(sandbox_user))["data"]["availablecash"] == 10_000_000.0


async def test_restart_catches_up_resting_orders_once(app, clock, sandbox, sandbox_user, board):
    board.set(SBIN, 800)
    resting = await sandbox.place_order(sandbox_user, order(pricetype=PriceType.LIMIT, price="790"), SBIN, board)
    # the process dies; the market moves while it is down; a fresh service starts on the same database
    board.set(SBIN, 785, bid=784.9, ask=785.1)
    restarted = make_sandbox(app, clock)
    await restarted.start(board)
    status = await restarted.order_status(sandbox_user, resting["orderid"])
    assert status["data"]["order_status"] == "complete" and status["data"]["average_price"] == 790.0
    await restarted.start(board)  # a second catch-up finds nothing to do
    assert len((await restarted.tradebook(sandbox_user))["data"]) == 1
    await assert_ledger_matches(restarted, sandbox_user)
