"""Orders, books, funds and margin against the fake SmartAPI."""

import asyncio
import time
from decimal import Decimal

import pytest

from brokers.angel.plugin import AngelPlugin
from brokers.contract import (
    Action,
    BrokerConfig,
    BrokerError,
    BrokerUnavailable,
    Exchange,
    InstrumentNotFound,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    UnmappedValue,
)


def sbin(**changes) -> OrderRequest:
    values = {"symbol": "SBIN", "exchange": Exchange.NSE, "action": Action.BUY, "quantity": 10,
              "pricetype": PriceType.MARKET, "product": Product.MIS}
    values.update(changes)
    return OrderRequest(**values)


class TestPlacing:
    async def test_market_order_fills_and_shows_in_every_book(self, fake, execution):
        order = await execution.place_order(sbin(strategy="my-strategy-with-a-long-name"))
        assert order.orderid in fake.orders and order.status == OrderStatus.OPEN
        sent = fake.paths("placeOrder")[-1]
        assert sent == {"variety": "NORMAL", "tradingsymbol": "SBIN-EQ", "symboltoken": "3045",
                        "transactiontype": "BUY", "exchange": "NSE", "ordertype": "MARKET", "producttype": "INTRADAY",
                        "duration": "DAY", "price": "0", "triggerprice": "0", "squareoff": "0", "stoploss": "0",
                        "quantity": "10", "ordertag": "my-strategy-with-a-l"}
        [booked] = await execution.orders()
        assert booked.orderid == order.orderid and booked.status == OrderStatus.COMPLETE
        assert booked.request.symbol == "SBIN" and booked.request.exchange == Exchange.NSE
        assert booked.request.product == Product.MIS and booked.request.pricetype == PriceType.MARKET
        assert booked.filled_quantity == 10 and booked.average_price == Decimal("800.50")
        assert booked.timestamp is not None and booked.timestamp.utcoffset().total_seconds() == 19800
        [trade] = await execution.trades()
        assert (trade.orderid, trade.symbol, trade.exchange, trade.action, trade.product) == (
            order.orderid, "SBIN", Exchange.NSE, Action.BUY, Product.MIS)
        assert trade.quantity == 10 and trade.price == Decimal("800.50") and trade.tradeid == "00000001"
        [position] = await execution.positions()
        assert (position.symbol, position.exchange, position.product, position.quantity) == (
            "SBIN", Exchange.NSE, Product.MIS, 10)
        assert position.average_price == Decimal("800.50") and position.ltp == 800.5

    async def test_limit_order_stays_open_then_modify_and_cancel(self, fake, execution):
        order = await execution.place_order(sbin(pricetype=PriceType.LIMIT, price=Decimal("790.05"), quantity=5,
                                                 product=Product.CNC))
        assert fake.paths("placeOrder")[-1]["price"] == "790.05"
        assert fake.paths("placeOrder")[-1]["producttype"] == "DELIVERY"
        [booked] = await execution.orders()
        assert booked.status == OrderStatus.OPEN and booked.request.price == Decimal("790.05")
        assert booked.request.product == Product.CNC
        modified = await execution.modify_order(order.orderid, sbin(pricetype=PriceType.LIMIT, price=Decimal("791"),
                                                                    quantity=7, product=Product.CNC))
        assert modified.orderid == order.orderid
        body = fake.paths("modifyOrder")[-1]
        assert body["orderid"] == order.orderid and body["price"] == "791" and body["quantity"] == "7"
        assert fake.orders[order.orderid]["quantity"] == "7"
        cancelled = await execution.cancel_order(order.orderid)
        assert cancelled.status == OrderStatus.CANCELLED and cancelled.request.symbol == "SBIN"
        assert fake.paths("cancelOrder")[-1] == {"variety": "NORMAL", "orderid": order.orderid}
        assert (await execution.orders())[0].status == OrderStatus.CANCELLED

    async def test_stop_loss_uses_its_variety_everywhere(self, fake, execution):
        order = await execution.place_order(sbin(action=Action.SELL, pricetype=PriceType.SL, price=Decimal("780"),
                                                 trigger_price=Decimal("781.5")))
        body = fake.paths("placeOrder")[-1]
        assert (body["variety"], body["ordertype"], body["triggerprice"], body["stoploss"]) == (
            "STOPLOSS", "STOPLOSS_LIMIT", "781.5", "781.5")
        [booked] = await execution.orders()
        assert booked.status == OrderStatus.TRIGGER_PENDING and booked.request.pricetype == PriceType.SL
        assert booked.request.trigger_price == Decimal("781.5")
        await execution.cancel_order(order.orderid)  # the fake refuses a NORMAL cancel of a STOPLOSS order
        assert fake.paths("cancelOrder")[-1]["variety"] == "STOPLOSS"
        await execution.place_order(sbin(pricetype=PriceType.SL_M, trigger_price=Decimal("810")))
        assert fake.paths("placeOrder")[-1]["ordertype"] == "STOPLOSS_MARKET"

    async def test_futures_map_nrml_and_lot_size(self, fake, execution):
        await execution.place_order(OrderRequest("NIFTY29DEC26FUT", Exchange.NFO, Action.SELL, 75,
                                                 product=Product.NRML))
        body = fake.paths("placeOrder")[-1]
        assert (body["tradingsymbol"], body["symboltoken"], body["producttype"]) == (
            "NIFTY29DEC26FUT", "35001", "CARRYFORWARD")
        [position] = await execution.positions()
        assert position.symbol == "NIFTY29DEC26FUT" and position.quantity == -75 and position.product == Product.NRML

    async def test_rejections(self, fake, execution):
        with pytest.raises(OrderRejected) as refused:
            await execution.place_order(OrderRequest("NIFTY29DEC26FUT", Exchange.NFO, Action.BUY, 10,
                                                     product=Product.NRML))
        assert "lot size 75" in str(refused.value) and "AB4036" in str(refused.value)
        assert str(refused.value).startswith("angel: Angel One:")
        with pytest.raises(InstrumentNotFound):
            await execution.place_order(sbin(symbol="NOPE"))
        with pytest.raises(BrokerError, match="not found"):
            await execution.cancel_order("999")
        # An RMS rejection is accepted by the API and shows up in the book with Angel's reason.
        big = await execution.place_order(sbin(quantity=100_000))
        [booked] = [o for o in await execution.orders() if o.orderid == big.orderid]
        assert booked.status == OrderStatus.REJECTED and booked.reason == "RMS:Margin Exceeds"

    async def test_orders_are_never_retried(self, fake, execution):
        fake.fail_next_status = 502
        with pytest.raises(BrokerUnavailable):
            await execution.place_order(sbin())
        assert len(fake.paths("placeOrder")) == 1 and not fake.orders

    async def test_reads_are_retried_on_5xx(self, fake, execution):
        fake.fail_next_status = 503
        assert await execution.orders() == []
        assert len(fake.paths("getOrderBook")) == 2


class TestBooks:
    async def test_empty_books_are_null_data(self, execution):
        assert await execution.orders() == [] and await execution.trades() == []
        assert await execution.positions() == []

    async def test_unmapped_status_raises(self, fake, execution):
        order = await execution.place_order(sbin(pricetype=PriceType.LIMIT, price=Decimal("700")))
        fake.status_override[order.orderid] = "sent to mars"
        with pytest.raises(UnmappedValue) as unmapped:
            await execution.orders()
        assert unmapped.value.kind == "order status" and unmapped.value.value == "sent to mars"
        fake.status_override[order.orderid] = "open pending"  # a transient OMS state is a working order
        assert (await execution.orders())[0].status == OrderStatus.OPEN

    async def test_holdings(self, execution):
        [holding] = await execution.holdings()
        assert (holding.symbol, holding.exchange, holding.quantity) == ("SBIN", Exchange.NSE, 10)
        assert holding.average_price == Decimal("750.0") and holding.pnl == Decimal("505.0")

    async def test_funds_take_m2m_from_positions(self, fake, execution):
        await execution.place_order(sbin(quantity=10))
        fake.scrip("SBIN-EQ").ltp = 810.5
        await execution.place_order(OrderRequest("RELIANCE", Exchange.NSE, Action.BUY, 2))
        await execution.place_order(OrderRequest("RELIANCE", Exchange.NSE, Action.SELL, 2))
        funds = await execution.funds()
        assert funds.m2munrealized == Decimal("100.00")  # SBIN 10 × (810.50 − 800.50)
        assert funds.m2mrealized == Decimal("0.00")
        assert funds.utiliseddebits == Decimal("8005.00") and funds.collateral == Decimal("2500.00")
        assert funds.availablecash == Decimal("991995.00")

    async def test_margin(self, fake, execution):
        result = await execution.margin([OrderRequest("NIFTY29DEC26FUT", Exchange.NFO, Action.SELL, 75,
                                                      product=Product.NRML)])
        assert result == {"total_margin_required": 271125.0, "span_margin": 180750.0, "exposure_margin": 0.0}
        assert fake.paths("margin/v1/batch")[-1] == {"positions": [{
            "exchange": "NFO", "qty": 75, "price": 0.0, "productType": "CARRYFORWARD", "token": "35001",
            "tradeType": "SELL", "orderType": "MARKET"}]}
        with pytest.raises(BrokerError, match="1 to 50"):
            await execution.margin([])


class TestRateLimits:
    async def test_rate_limited_reads_back_off_orders_do_not(self, fake, execution):
        fake.rate_limit_next = 1
        assert await execution.positions() == []
        assert len(fake.paths("getPosition")) == 2
        fake.rate_limit_next = 1
        with pytest.raises(BrokerError) as limited:
            await execution.place_order(sbin())
        assert limited.value.status == 429 and "rate limit" in str(limited.value)
        assert not fake.orders

    async def test_groups_pace_calls(self, fake, session, lookup):
        plugin = AngelPlugin(BrokerConfig(urls=fake.urls))  # the real limits
        try:
            buckets = plugin.http.limiter.buckets
            assert set(buckets) >= {"orders", "quotes", "history", "other", "orderbook", "positions"}
            assert buckets["history"].rate == 2 and buckets["orders"].rate == 20
            execution = plugin.execution_client(session, lookup)
            started = time.monotonic()
            await asyncio.gather(execution.orders(), execution.orders())  # getOrderBook: 1 a second
            assert time.monotonic() - started >= 0.9
            before = buckets["orders"].tokens
            await execution.place_order(sbin())
            assert buckets["orders"].tokens < before  # orders drew from the "orders" bucket
            started = time.monotonic()
            await plugin.data_client(session, lookup).quote(lookup.get("NSE", "SBIN"))
            assert time.monotonic() - started < 0.5 and buckets["quotes"].tokens < 10
        finally:
            await plugin.close()
