"""Orders, books, funds and margin against the fake Dhan."""

from decimal import Decimal

import pytest

from brokers.contract import (
    Action,
    BrokerError,
    Exchange,
    ExecutionClient,
    InstrumentNotFound,
    MarginClient,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    UnmappedValue,
)
from brokers.dhan.orders import protective_limit
from tests.brokers.dhan.fake import CLIENT_ID


def sbin(**changes) -> OrderRequest:
    values = dict(symbol="SBIN", exchange=Exchange.NSE, action=Action.BUY, quantity=10)
    values.update(changes)
    return OrderRequest(**values)


def sent(fake, method: str, path: str) -> list[dict]:
    return [body for m, p, body in fake.requests if m == method and p == path]


async def test_market_order_fills_and_shows_in_every_book(execution, fake):
    assert isinstance(execution, ExecutionClient) and isinstance(execution, MarginClient)
    placed = await execution.place_order(sbin())
    assert placed.status == OrderStatus.OPEN and placed.orderid.isdigit()  # TRANSIT at the broker
    body = sent(fake, "POST", "/v2/orders")[-1]
    assert body == {"dhanClientId": CLIENT_ID, "transactionType": "BUY", "exchangeSegment": "NSE_EQ",
                    "productType": "INTRADAY", "validity": "DAY", "securityId": "3045", "quantity": 10,
                    "disclosedQuantity": 0, "afterMarketOrder": False, "orderType": "MARKET"}

    [order] = await execution.orders()
    assert (order.orderid, order.status, order.filled_quantity) == (placed.orderid, OrderStatus.COMPLETE, 10)
    assert order.request.symbol == "SBIN" and order.request.product == Product.MIS
    assert order.average_price == Decimal("812.45") and order.timestamp.tzinfo is not None

    [trade] = await execution.trades()
    assert (trade.orderid, trade.symbol, trade.exchange, trade.action, trade.quantity, trade.price) == (
        placed.orderid, "SBIN", Exchange.NSE, Action.BUY, 10, Decimal("812.45"))
    assert trade.tradeid == "T000001"

    [position] = await execution.positions()
    assert (position.symbol, position.quantity, position.average_price, position.ltp) == (
        "SBIN", 10, Decimal("812.45"), 812.45)

    funds = await execution.funds()
    assert funds.availablecash == Decimal("120000") - Decimal("8124.5") - Decimal("20000")
    assert funds.collateral == Decimal("20000") and funds.utiliseddebits == Decimal("8124.5")


async def test_option_position_maps_back_to_openalgo_symbol(execution):
    await execution.place_order(OrderRequest("NIFTY30DEC2526000CE", Exchange.NFO, Action.SELL, 75,
                                             product=Product.NRML))
    [position] = await execution.positions()
    assert (position.symbol, position.exchange, position.product, position.quantity) == (
        "NIFTY30DEC2526000CE", Exchange.NFO, Product.NRML, -75)
    assert position.ltp == 182.35 and position.pnl == Decimal(0)


async def test_limit_order_modify_and_cancel(execution, fake):
    placed = await execution.place_order(sbin(pricetype=PriceType.LIMIT, price=Decimal("800.5")))
    assert sent(fake, "POST", "/v2/orders")[-1]["price"] == 800.5
    [order] = await execution.orders()
    assert order.status == OrderStatus.OPEN and order.request.price == Decimal("800.5")

    modified = await execution.modify_order(placed.orderid, sbin(pricetype=PriceType.LIMIT, price=Decimal("801"),
                                                                 quantity=5))
    assert modified.orderid == placed.orderid
    body = sent(fake, "PUT", f"/v2/orders/{placed.orderid}")[-1]
    assert body["legName"] == "ENTRY_LEG" and body["orderId"] == placed.orderid and body["quantity"] == 5
    cancelled = await execution.cancel_order(placed.orderid)
    assert cancelled.status == OrderStatus.CANCELLED and cancelled.request.quantity == 5
    assert cancelled.request.price == Decimal("801")
    with pytest.raises(OrderRejected, match=r"dhan: Order is CANCELLED, cannot cancel \(DH-906\)"):
        await execution.cancel_order(placed.orderid)


async def test_sl_m_is_sent_as_stop_loss_with_a_protective_limit(execution, fake):
    await execution.place_order(sbin(action=Action.SELL, pricetype=PriceType.SL_M, trigger_price=Decimal("800")))
    body = sent(fake, "POST", "/v2/orders")[-1]
    # 800 × (1 − 0.5 %) = 796, floored to the 0.05 tick
    assert (body["orderType"], body["triggerPrice"], body["price"]) == ("STOP_LOSS", 800.0, 796.0)
    assert protective_limit(Action.BUY, Decimal("150.02"), Decimal("0.05"), True) == Decimal("153.05")
    assert protective_limit(Action.SELL, Decimal("5"), Decimal("0.05"), True) == Decimal("4.75")
    with pytest.raises(OrderRejected, match="trigger price must be greater than 0"):
        await execution.place_order(sbin(pricetype=PriceType.SL_M))


async def test_rejections(execution, fake):
    with pytest.raises(OrderRejected, match="multiple of lot size 75") as lot:
        await execution.place_order(OrderRequest("NIFTY30DEC25FUT", Exchange.NFO, Action.BUY, 10))
    assert lot.value.orderid and fake.book.orders[lot.value.orderid]["orderStatus"] == "REJECTED"
    [rejected] = await execution.orders()
    assert rejected.status == OrderStatus.REJECTED and "lot size" in rejected.reason

    with pytest.raises(OrderRejected, match=r"dhan: CNC product is not allowed for derivatives \(DH-906\)") as cnc:
        await execution.place_order(OrderRequest("NIFTY30DEC25FUT", Exchange.NFO, Action.BUY, 75,
                                                 product=Product.CNC))
    assert cnc.value.status == 400 and cnc.value.orderid is None
    with pytest.raises(InstrumentNotFound):
        await execution.place_order(sbin(symbol="NOPE"))
    with pytest.raises(UnmappedValue):  # indices are not tradable on Dhan
        await execution.place_order(OrderRequest("NIFTY", Exchange.NSE_INDEX, Action.BUY, 1))


async def test_unknown_status_is_reported_not_guessed(execution, fake):
    placed = await execution.place_order(sbin(pricetype=PriceType.LIMIT, price=Decimal("800")))
    fake.book.orders[placed.orderid]["orderStatus"] = "TRIGGERED"
    with pytest.raises(UnmappedValue, match="dhan: unmapped order status 'TRIGGERED'"):
        await execution.orders()
    fake.book.orders[placed.orderid].update(orderStatus="PENDING", productType="MTF")
    with pytest.raises(UnmappedValue, match="product 'MTF'"):
        await execution.orders()


async def test_holdings_and_the_empty_book_error(execution, fake):
    [holding] = await execution.holdings()
    assert (holding.symbol, holding.exchange, holding.quantity, holding.average_price) == (
        "SBIN", Exchange.NSE, 10, Decimal("700.5"))
    assert holding.ltp == 812.45 and holding.pnl == Decimal("1119.50")
    fake.holdings_empty = True
    assert await execution.holdings() == []


async def test_margin_single_and_basket(execution, fake):
    single = await execution.margin([sbin(pricetype=PriceType.LIMIT, price=Decimal("800"))])
    assert single == {"total_margin_required": 1200.0, "span_margin": 960.0, "exposure_margin": 240.0}
    basket = await execution.margin([
        OrderRequest("NIFTY30DEC2526000CE", Exchange.NFO, Action.SELL, 75, product=Product.NRML),
        OrderRequest("NIFTY30DEC2526000PE", Exchange.NFO, Action.SELL, 75, product=Product.NRML)])
    multi = sent(fake, "POST", "/v2/margincalculator/multi")[-1]
    assert [s["price"] for s in multi["scripList"]] == [182.35, 141.2]  # MARKET legs priced at the LTP
    assert basket["span_margin"] == pytest.approx((182.35 + 141.2) * 75 * 0.12 * 0.8, abs=0.02)
    with pytest.raises(BrokerError, match="at least one"):
        await execution.margin([])
