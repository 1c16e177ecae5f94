"""Orders, books and funds per member: the body style on the wire, Market Price Protection,
mappings both ways, rejections and token expiry."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from brokers.contract import (
    Action,
    Exchange,
    InstrumentNotFound,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    SessionExpired,
    UnmappedValue,
)
from brokers.families.noren.orders import protected_price
from brokers.families.noren.wire import jdata


def buy(symbol="SBIN", exchange=Exchange.NSE, **kw) -> OrderRequest:
    return OrderRequest(symbol=symbol, exchange=exchange, action=kw.pop("action", Action.BUY),
                        quantity=kw.pop("quantity", 2), **kw)


async def test_market_order_goes_out_as_a_protected_limit_and_fills(fake, execution, member):
    order = await execution.place_order(buy(pricetype=PriceType.MARKET, product=Product.MIS, strategy="s1"))
    sent = fake.last("PlaceOrder")
    # LTP 800.50 > 500: 0.5 % protection, rounded to the 0.05 tick.
    assert (sent["prctyp"], sent["prc"], sent["trgprc"]) == ("LMT", "804.5", "0")
    assert (sent["exch"], sent["tsym"], sent["qty"], sent["prd"], sent["trantype"], sent["ret"]) == (
        "NSE", "SBIN-EQ", "2", "I", "B", "DAY")
    assert (sent["uid"], sent["actid"], sent["ordersource"], sent["remarks"]) == (
        fake.spec.uid, fake.spec.uid, "API", "s1")
    assert "GetQuotes" in [endpoint for endpoint, _ in fake.calls]
    assert order.status == OrderStatus.COMPLETE and order.filled_quantity == 2
    assert order.average_price == Decimal("800.50") and order.request.symbol == "SBIN"
    assert order.timestamp is not None and order.timestamp.tzinfo is not None


async def test_the_body_style_per_member(fake, execution, member):
    await execution.funds()
    request = next(r for r in fake.requests if r["endpoint"] == "Limits")
    if member == "flattrade":
        assert request == {"endpoint": "Limits", "content_type": "application/x-www-form-urlencoded", "jkey": True,
                           "bearer": False}
    else:
        assert request == {"endpoint": "Limits", "content_type": "text/plain", "jkey": False, "bearer": True}


def test_ampersand_is_escaped_inside_jdata():
    body = jdata({"tsym": "M&M-EQ", "qty": "1"})
    assert "&" not in body and json.loads(body[6:]) == {"tsym": "M&M-EQ", "qty": "1"}


async def test_symbol_with_ampersand_survives_the_split_on_ampersand(fake, execution):
    order = await execution.place_order(buy("M&M", pricetype=PriceType.LIMIT, price=Decimal("2900"), quantity=1))
    assert fake.last("PlaceOrder")["tsym"] == "M&M-EQ"
    assert order.status == OrderStatus.OPEN and order.request.symbol == "M&M"


async def test_limit_rests_modify_and_cancel(fake, execution):
    order = await execution.place_order(buy("RELIANCE", pricetype=PriceType.LIMIT, price=Decimal("1300.5"),
                                            product=Product.CNC, quantity=1))
    assert order.status == OrderStatus.OPEN and fake.last("PlaceOrder")["prd"] == "C"
    assert fake.last("PlaceOrder")["prc"] == "1300.5"
    modified = await execution.modify_order(order.orderid, buy("RELIANCE", pricetype=PriceType.LIMIT,
                                                                 price=Decimal("1310"), product=Product.CNC, quantity=1))
    sent = fake.last("ModifyOrder")
    assert (sent["norenordno"], sent["prc"], sent["prctyp"], sent["qty"]) == (order.orderid, "1310", "LMT", "1")
    assert "trgprc" not in sent  # a trigger on a LIMIT modify is refused by Noren
    assert modified.request.price == Decimal("1310") and modified.status == OrderStatus.OPEN
    cancelled = await execution.cancel_order(order.orderid)
    assert cancelled.status == OrderStatus.CANCELLED
    assert fake.last("CancelOrder") == {"uid": fake.spec.uid, "norenordno": order.orderid}


async def test_stop_orders(fake, execution, member):
    stop = await execution.place_order(buy("NIFTY30DEC2626000CE", Exchange.NFO, quantity=75, pricetype=PriceType.SL_M,
                                           trigger_price=Decimal("160"), product=Product.NRML))
    sent = fake.last("PlaceOrder")
    if member == "zebu":  # Zebu only protects MARKET: SL-M goes out as SL-MKT
        assert (sent["prctyp"], sent["trgprc"]) == ("SL-MKT", "160")
    else:  # option above 100: 2 % beyond the trigger
        assert (sent["prctyp"], sent["trgprc"], sent["prc"]) == ("SL-LMT", "160", "163.2")
    assert sent["prd"] == "M" and sent["exch"] == "NFO" and sent["tsym"] == "NIFTY30DEC26C26000"
    # The REST book reads TRIGGER_PENDING as open (OpenAlgo), so the UI offers modify/cancel.
    assert stop.status == OrderStatus.OPEN
    await execution.modify_order(stop.orderid, buy("NIFTY30DEC2626000CE", Exchange.NFO, quantity=75,
                                                   pricetype=PriceType.SL, price=Decimal("165"),
                                                   trigger_price=Decimal("161"), product=Product.NRML))
    assert fake.last("ModifyOrder")["trgprc"] == "161" and fake.last("ModifyOrder")["prctyp"] == "SL-LMT"


def test_protected_price_slabs():
    assert protected_price(Decimal("800.50"), True, False, Decimal("0.05")) == Decimal("804.5")
    assert protected_price(Decimal("800.50"), False, False, Decimal("0.05")) == Decimal("796.5")
    assert protected_price(Decimal("50"), True, False, Decimal("0.05")) == Decimal("51")
    assert protected_price(Decimal("8"), True, True, Decimal("0.05")) == Decimal("8.4")
    assert protected_price(Decimal("150"), False, True, Decimal("0.05")) == Decimal("147")


async def test_books_positions_trades_holdings_funds(fake, execution, member):
    placed = await execution.place_order(buy(pricetype=PriceType.MARKET, quantity=3))
    await execution.place_order(buy(pricetype=PriceType.LIMIT, price=Decimal("790"), quantity=1))
    orders = await execution.orders()
    assert [o.status for o in orders] == [OrderStatus.OPEN, OrderStatus.COMPLETE]
    assert orders[1].orderid == placed.orderid and orders[1].request.pricetype == PriceType.LIMIT
    trades = await execution.trades()
    assert len(trades) == 1
    trade = trades[0]
    assert (trade.orderid, trade.symbol, trade.exchange, trade.action, trade.product, trade.quantity, trade.price) == (
        placed.orderid, "SBIN", Exchange.NSE, Action.BUY, Product.MIS, 3, Decimal("800.50"))
    positions = await execution.positions()
    assert [(p.symbol, p.exchange, p.product, p.quantity, p.average_price, p.ltp) for p in positions] == [
        ("SBIN", Exchange.NSE, Product.MIS, 3, Decimal("800.50"), 800.5)]
    holdings = await execution.holdings()
    # 8 held + 2 BTST + max(0 npoad, 1 dp) − 1 used, NSE leg only
    assert [(h.symbol, h.exchange, h.quantity, h.average_price) for h in holdings] == [
        ("SBIN", Exchange.NSE, 10, Decimal("750.25"))]
    funds = await execution.funds()
    assert funds.collateral == Decimal("50000.00") and funds.utiliseddebits == Decimal("480.30")
    assert funds.availablecash == Decimal("1000000") - Decimal("480.30")
    assert funds.m2mrealized == 0 and funds.m2munrealized == 0
    funds_calls = [endpoint for endpoint, _ in fake.calls][-2:]
    if member in ("flattrade", "tradesmart"):  # M2M from PositionBook
        assert funds_calls == ["Limits", "PositionBook"]
    else:
        assert funds_calls[-1] == "Limits"


async def test_realised_pnl_sign(fake, execution, member):
    await execution.place_order(buy(pricetype=PriceType.MARKET, quantity=2))
    fake.scrip("NSE", "SBIN-EQ").price = Decimal("810.50")
    try:
        await execution.place_order(buy(pricetype=PriceType.MARKET, quantity=2, action=Action.SELL))
        funds = await execution.funds()
        assert funds.m2mrealized == Decimal("20.00")  # Limits' inverted rpnl read back, or PositionBook's
        position = (await execution.positions())[0]
        assert position.quantity == 0 and position.realized_pnl == Decimal("20.00")
    finally:
        fake.scrip("NSE", "SBIN-EQ").price = Decimal("800.50")


async def test_empty_books_are_empty_lists(fake, execution):
    assert await execution.orders() == [] and await execution.trades() == [] and await execution.positions() == []


async def test_rms_rejection_raises_with_the_order_id(fake, execution, member):
    with pytest.raises(OrderRejected, match=f"{member}: RED:Margin Shortfall") as failure:
        await execution.place_order(buy(pricetype=PriceType.LIMIT, price=Decimal("800"), quantity=200_000))
    assert failure.value.orderid in fake.orders
    assert (await execution.orders())[0].status == OrderStatus.REJECTED


async def test_broker_refusal_is_order_rejected(fake, execution, member):
    with pytest.raises(OrderRejected, match=f"{member}: Invalid Input : Quantity should be a multiple of lot size 75"):
        await execution.place_order(buy("NIFTY30DEC26FUT", Exchange.NFO, quantity=10, pricetype=PriceType.LIMIT,
                                        price=Decimal("26000"), product=Product.NRML))


async def test_unknown_symbol(execution):
    with pytest.raises(InstrumentNotFound):
        await execution.place_order(buy("NOSUCH"))


async def test_unmapped_status_is_reported(fake, execution, member):
    order = await execution.place_order(buy(pricetype=PriceType.LIMIT, price=Decimal("790"), quantity=1))
    fake.orders[order.orderid]["status"] = "PARKED_FOR_REVIEW"
    with pytest.raises(UnmappedValue, match=f"{member}: unmapped order status 'PARKED FOR REVIEW'"):
        await execution.orders()
    fake.orders[order.orderid].update(status="OPEN", prd="B")
    with pytest.raises(UnmappedValue, match="unmapped product 'B'"):
        await execution.orders()


async def test_expired_token_is_session_expired(fake, execution, member):
    fake.expire_tokens()
    with pytest.raises(SessionExpired, match=f"{member}: session expired"):
        await execution.funds()
    with pytest.raises(SessionExpired):
        await execution.place_order(buy(pricetype=PriceType.LIMIT, price=Decimal("790")))


async def test_margin(fake, plugin, execution, member):
    legs = [buy("NIFTY30DEC26FUT", Exchange.NFO, quantity=75, pricetype=PriceType.LIMIT, price=Decimal("26000"),
                product=Product.NRML),
            buy("NIFTY30DEC2626000PE", Exchange.NFO, quantity=75, pricetype=PriceType.MARKET, product=Product.NRML)]
    if member == "zebu":
        assert plugin.capabilities.basket_margin is False
        return
    assert plugin.capabilities.basket_margin is True
    margin = await execution.margin(legs)
    # 75 × 26000 / 5 + 75 × protected(120 → 122.4) / 5
    assert margin["total_margin_required"] == pytest.approx(390000 + 1836)
    if member == "tradesmart":
        assert [e for e, _ in fake.calls].count("GetOrderMargin") == 2
    else:
        sent = fake.last("GetBasketMargin")
        assert sent["tsym"] == "NIFTY30DEC26F" and sent["basketlists"][0]["prctyp"] == "LMT"
        assert sent["basketlists"][0]["prc"] == "122.4"
