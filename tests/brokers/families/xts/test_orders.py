"""Orders and books against the fake's interactive API: request bodies validated by the fake,
books mapped back to OpenAlgo symbols, rejections, unmapped statuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokers.contract import (
    Action,
    BrokerError,
    Exchange,
    ExecutionClient,
    InstrumentNotFound,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    UnmappedValue,
)
from tests.brokers.families.xts.conftest import MEMBERS


def market(symbol="SBIN", exchange=Exchange.NSE, quantity=2, action=Action.BUY, product=Product.MIS):
    return OrderRequest(symbol=symbol, exchange=exchange, action=action, quantity=quantity, product=product)


def limit(price="1330", symbol="RELIANCE", quantity=1):
    return OrderRequest(symbol=symbol, exchange=Exchange.NSE, action=Action.BUY, quantity=quantity,
                        pricetype=PriceType.LIMIT, product=Product.CNC, price=Decimal(price))


async def test_execution_client_protocol(execution):
    assert isinstance(execution, ExecutionClient)


@pytest.mark.parametrize("member", MEMBERS)
async def test_market_order_fills_and_shows_in_every_book(member, fake, execution):
    placed = await execution.place_order(market())
    assert placed.status == OrderStatus.OPEN and placed.orderid.isdigit()
    sent = fake.orders[int(placed.orderid)]
    assert (sent["ExchangeSegment"], sent["ExchangeInstrumentID"], sent["OrderUniqueIdentifier"]) == (
        "NSECM", 3045, "openalgo")
    [order] = await execution.orders()
    assert (order.orderid, order.request.symbol, order.request.exchange, order.status) == (
        placed.orderid, "SBIN", Exchange.NSE, OrderStatus.COMPLETE)
    assert (order.filled_quantity, order.average_price, order.request.pricetype) == (2, Decimal("800.5"),
                                                                                    PriceType.MARKET)
    assert order.timestamp is not None and order.timestamp.hour == 13
    [trade] = await execution.trades()
    # The fake sends AppOrderID as a float in the trade book: normalised to the integer string.
    assert (trade.orderid, trade.tradeid, trade.symbol, trade.quantity, trade.price) == (
        placed.orderid, f"E{placed.orderid}", "SBIN", 2, Decimal("800.5"))
    [position] = await execution.positions()
    assert (position.symbol, position.exchange, position.product, position.quantity, position.average_price) == (
        "SBIN", Exchange.NSE, Product.MIS, 2, Decimal("800.5"))


async def test_limit_order_rests_then_modify_and_cancel(fake, execution):
    placed = await execution.place_order(limit())
    [order] = await execution.orders()
    assert (order.status, order.request.price, order.request.product) == (OrderStatus.OPEN, Decimal("1330"),
                                                                          Product.CNC)
    modified = await execution.modify_order(placed.orderid, limit("1325.5", quantity=3))
    assert modified.orderid == placed.orderid
    row = fake.orders[int(placed.orderid)]
    assert (row["OrderPrice"], row["OrderQuantity"], row["OrderType"]) == (1325.5, 3, "Limit")
    cancelled = await execution.cancel_order(placed.orderid)
    assert (cancelled.orderid, cancelled.status, cancelled.request.symbol) == (placed.orderid,
                                                                               OrderStatus.CANCELLED, "RELIANCE")
    assert fake.orders[int(placed.orderid)]["OrderStatus"] == "Cancelled"


async def test_stop_orders_map_both_ways(fake, execution):
    request = OrderRequest(symbol="NIFTY29DEC2626000CE", exchange=Exchange.NFO,
                           action=Action.SELL, quantity=75, pricetype=PriceType.SL, product=Product.NRML,
                           price=Decimal("140"), trigger_price=Decimal("141"))
    placed = await execution.place_order(request)
    assert fake.orders[int(placed.orderid)]["OrderType"] == "StopLimit"
    [order] = await execution.orders()
    assert (order.request.pricetype, order.status, order.request.trigger_price, order.request.exchange) == (
        PriceType.SL, OrderStatus.TRIGGER_PENDING, Decimal("141"), Exchange.NFO)
    assert order.request.symbol == "NIFTY29DEC2626000CE"


async def test_rejected_order_carries_the_brokers_message(fake, execution):
    with pytest.raises(OrderRejected) as caught:
        await execution.place_order(market("NIFTY29DEC26FUT", Exchange.NFO, quantity=10, product=Product.NRML))
    assert "multiple of lot size 75" in caught.value.message and str(caught.value).startswith("iifl:")
    with pytest.raises(OrderRejected, match="NRML is not allowed"):
        await execution.place_order(market(product=Product.NRML))
    with pytest.raises(OrderRejected, match="not open"):
        placed = await execution.place_order(market())
        await execution.cancel_order(placed.orderid)


async def test_unknown_symbol_is_instrument_not_found(execution):
    with pytest.raises(InstrumentNotFound):
        await execution.place_order(market("NOSUCH"))


async def test_unknown_order_ids(fake, execution):
    with pytest.raises(BrokerError) as caught:
        await execution.cancel_order("abc")
    assert caught.value.status == 404
    with pytest.raises(OrderRejected, match="Order not found"):
        await execution.cancel_order("42")


async def test_unmapped_status_is_reported_not_guessed(fake, execution):
    fake.order_status_override = "Frozen"
    await execution.place_order(limit())
    with pytest.raises(UnmappedValue) as caught:
        await execution.orders()
    assert caught.value.value == "Frozen" and caught.value.kind == "order status"


@pytest.mark.parametrize("status,expected", [("PartiallyFilled", OrderStatus.OPEN), ("PendingNew", OrderStatus.OPEN),
                                             ("Rejected", OrderStatus.REJECTED)])
async def test_working_statuses(fake, execution, status, expected):
    fake.order_status_override = status
    await execution.place_order(limit())
    [order] = await execution.orders()
    assert order.status == expected


async def test_holdings_and_funds(fake, execution):
    [holding] = await execution.holdings()
    assert (holding.symbol, holding.exchange, holding.quantity, holding.average_price) == (
        "SBIN", Exchange.NSE, 10, Decimal("700.25"))
    assert (holding.ltp, holding.pnl) == (800.5, Decimal("1002.50"))  # priced by a 1512 quote
    funds = await execution.funds()
    assert funds.availablecash == Decimal("500000") and funds.collateral == Decimal("25000")
    assert funds.m2munrealized == 0  # the broker's "nan"
    assert (funds.m2mrealized, funds.utiliseddebits) == (Decimal("-12.5"), Decimal("1250.5"))
    await execution.place_order(market())
    assert (await execution.funds()).availablecash == Decimal("500000") - Decimal("1601.0")


async def test_rate_limit_groups_are_used(fake, plugin, execution, data, lookup):
    used: list[str] = []
    original = plugin.http.limiter.acquire

    async def spy(group: str) -> float:
        used.append(group)
        return await original(group)

    plugin.http.limiter.acquire = spy
    try:
        await execution.place_order(market())
        await execution.orders()
        await data.quote(lookup.get("NSE", "SBIN"))
        from datetime import date
        await data.history(lookup.get("NSE", "SBIN"), "D", date(2025, 11, 24), date(2025, 11, 25))
    finally:
        plugin.http.limiter.acquire = original
    assert used == ["orders", "other", "quotes", "history"]


def test_declared_limits_per_member():
    from brokers.families.xts.plugin import rate_limits
    from tests.brokers.families.xts.conftest import member_config
    jainam = rate_limits(member_config("jainamxts"))
    assert (jainam["other"].rate, jainam["other"].per_seconds) == (1800, 900)
    assert rate_limits(member_config("iifl"))["quotes"].rate == 10
