"""Orders, books, funds and margins against the fake Kite, including refusals and unmapped values."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from brokers.contract import (
    Action,
    Exchange,
    ExecutionClient,
    InstrumentNotFound,
    MarginClient,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    SessionExpired,
    UnmappedValue,
)

OPTION = "NIFTY29DEC2626000CE"


def buy(symbol="SBIN", exchange=Exchange.NSE, quantity=10, **kw) -> OrderRequest:
    return OrderRequest(symbol=symbol, exchange=exchange, action=Action.BUY, quantity=quantity, **kw)


async def test_client_implements_the_protocols(execution):
    assert isinstance(execution, ExecutionClient) and isinstance(execution, MarginClient)


async def test_market_order_fills_at_last_price_and_sends_kites_form(fake, execution):
    order = await execution.place_order(buy(product=Product.CNC))
    assert order.status == OrderStatus.COMPLETE and order.filled_quantity == 10
    assert order.average_price == Decimal("800.5") and order.request.symbol == "SBIN"
    assert order.timestamp is not None and order.timestamp.utcoffset().total_seconds() == 19800
    sent = fake.orders[order.orderid]
    assert (sent["tradingsymbol"], sent["exchange"], sent["transaction_type"], sent["order_type"]) == (
        "SBIN", "NSE", "BUY", "MARKET")
    assert (sent["product"], sent["validity"], sent["market_protection"], sent["tag"]) == ("CNC", "DAY", -1, "openalgo")
    assert ("POST", "/orders/regular") in fake.calls


async def test_limit_order_stays_open_then_modify_and_cancel(fake, execution):
    placed = await execution.place_order(buy(OPTION, Exchange.NFO, 75, pricetype=PriceType.LIMIT,
                                             product=Product.NRML, price=Decimal("140.5")))
    assert placed.status == OrderStatus.OPEN and placed.request.symbol == OPTION
    assert fake.orders[placed.orderid]["tradingsymbol"] == "NIFTY26DEC26000CE"
    modified = await execution.modify_order(placed.orderid, buy(OPTION, Exchange.NFO, 150, pricetype=PriceType.LIMIT,
                                                                product=Product.NRML, price=Decimal("141")))
    assert modified.status == OrderStatus.OPEN and modified.request.price == Decimal("141")
    assert modified.request.quantity == 150
    cancelled = await execution.cancel_order(placed.orderid)
    assert cancelled.status == OrderStatus.CANCELLED and cancelled.reason == "Cancelled by user"
    with pytest.raises(OrderRejected, match="zerodha: Order cannot be modified or cancelled as it is CANCELLED"):
        await execution.cancel_order(placed.orderid)


async def test_stop_orders_are_trigger_pending(execution):
    order = await execution.place_order(buy(pricetype=PriceType.SL_M, trigger_price=Decimal("805")))
    assert order.status == OrderStatus.TRIGGER_PENDING and order.request.trigger_price == Decimal("805")


async def test_order_book_maps_symbols_and_values_back(fake, execution):
    await execution.place_order(buy(OPTION, Exchange.NFO, 75, product=Product.NRML))
    await execution.place_order(buy("RELIANCE", pricetype=PriceType.LIMIT, price=Decimal("1390.1")))
    book = await execution.orders()
    assert [(o.request.symbol, o.request.exchange, o.status) for o in book] == [
        (OPTION, Exchange.NFO, OrderStatus.COMPLETE), ("RELIANCE", Exchange.NSE, OrderStatus.OPEN)]
    assert book[0].average_price == Decimal("150.0") and book[0].request.product == Product.NRML
    assert book[1].request.price == Decimal("1390.1") and book[1].request.pricetype == PriceType.LIMIT
    assert book[1].request.strategy == "openalgo"


async def test_trades_positions_holdings(fake, execution):
    await execution.place_order(buy(quantity=4, product=Product.MIS))
    fake.set_price("NSE:SBIN", "810.5")
    trades = await execution.trades()
    assert len(trades) == 1
    trade = trades[0]
    assert (trade.symbol, trade.exchange, trade.action, trade.product, trade.quantity, trade.price) == (
        "SBIN", Exchange.NSE, Action.BUY, Product.MIS, 4, Decimal("800.5"))
    assert isinstance(trade.timestamp, datetime)
    (position,) = await execution.positions()
    assert (position.symbol, position.quantity, position.average_price, position.ltp) == ("SBIN", 4,
                                                                                          Decimal("800.5"), 810.5)
    assert position.pnl == Decimal("40.0") and position.realized_pnl == Decimal("0.0")
    (holding,) = await execution.holdings()
    assert (holding.symbol, holding.exchange, holding.quantity, holding.average_price) == (
        "SBIN", Exchange.NSE, 10, Decimal("700.25"))
    assert holding.pnl == Decimal("1102.5")


async def test_funds_follow_openalgos_formula(fake, execution):
    await execution.place_order(buy(quantity=10))  # 8005 debited
    fake.set_price("NSE:SBIN", "801.5")
    funds = await execution.funds()
    # net(equity) = 1,000,000 + 50,000 − 8,005 ; net(commodity) = 25,000
    assert funds.utiliseddebits == Decimal("8005.0") and funds.collateral == Decimal("50000.0")
    assert funds.availablecash == Decimal("1025000.0")
    assert funds.m2munrealized == Decimal("10.0") and funds.m2mrealized == Decimal(0)


async def test_margin_refusal_is_order_rejected(fake, execution):
    with pytest.raises(OrderRejected, match="zerodha: Insufficient funds") as refusal:
        await execution.place_order(buy(quantity=5000))
    assert refusal.value.status == 400 and not fake.orders


async def test_rms_rejection_is_reported_with_its_reason(fake, execution):
    fake.reject_next = "RMS:Rule: Limit price outside the circuit band"
    order = await execution.place_order(buy(pricetype=PriceType.LIMIT, price=Decimal("500")))
    assert order.status == OrderStatus.REJECTED and order.reason == fake.orders[order.orderid]["status_message"]
    assert "circuit" in order.reason


async def test_input_refusal_is_order_rejected(fake, execution):
    # 10 is not a multiple of the NIFTY lot (75): Kite refuses with an InputException.
    with pytest.raises(OrderRejected, match="multiple of lot size 75"):
        await execution.place_order(buy(OPTION, Exchange.NFO, 10, product=Product.NRML))


async def test_unmapped_status_raises_and_transient_status_is_open(fake, execution):
    order = await execution.place_order(buy(pricetype=PriceType.LIMIT, price=Decimal("799")))
    fake.status_override[order.orderid] = "VALIDATION PENDING"
    assert (await execution.orders())[0].status == OrderStatus.OPEN
    fake.status_override[order.orderid] = "LOST IN SPACE"
    with pytest.raises(UnmappedValue) as unmapped:
        await execution.orders()
    assert unmapped.value.kind == "order status" and unmapped.value.value == "LOST IN SPACE"
    assert "zerodha" in str(unmapped.value)


async def test_unmapped_and_unknown_instruments_never_reach_kite(fake, execution):
    with pytest.raises(UnmappedValue):
        await execution.place_order(buy("NIFTY", Exchange.NSE_INDEX, 1))
    with pytest.raises(InstrumentNotFound):
        await execution.place_order(buy("NOSUCH"))
    assert ("POST", "/orders/regular") not in fake.calls


async def test_margin_single_and_basket(fake, execution):
    single = await execution.margin([buy("NIFTY29DEC26FUT", Exchange.NFO, 75, product=Product.NRML)])
    # value 26100 × 75 = 1,957,500 → span 195,750, exposure 39,150
    assert single == {"total_margin_required": 234900.0, "span_margin": 195750.0, "exposure_margin": 39150.0}
    basket = await execution.margin([
        buy("NIFTY29DEC26FUT", Exchange.NFO, 75, product=Product.NRML),
        OrderRequest(OPTION, Exchange.NFO, Action.SELL, 75, product=Product.NRML),
    ])
    # (sum of both legs) × 0.6: the fake's `final` hedging benefit, not `initial`
    assert basket == {"total_margin_required": 141750.0, "span_margin": 118125.0, "exposure_margin": 23625.0}
    assert ("POST", "/margins/orders") in fake.calls and ("POST", "/margins/basket") in fake.calls
    assert fake.last_query == [("consider_positions", "true")]


async def test_expired_token_is_session_expired(fake, execution):
    fake.expire_tokens()
    with pytest.raises(SessionExpired, match="zerodha"):
        await execution.orders()
    with pytest.raises(SessionExpired):
        await execution.place_order(buy())
