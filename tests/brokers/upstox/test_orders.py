"""Orders, books, funds and margin against the fake, plus the error mapping."""

from decimal import Decimal

import pytest

from brokers.contract import (
    Action,
    BrokerError,
    Exchange,
    ExecutionClient,
    MarginClient,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    SessionExpired,
    UnmappedValue,
)


@pytest.fixture
async def client(plugin, session, lookup):
    return plugin.execution_client(session, lookup)


def sbin(**changes) -> OrderRequest:
    values = {"symbol": "SBIN", "exchange": Exchange.NSE, "action": Action.BUY, "quantity": 10,
              "product": Product.CNC}
    return OrderRequest(**{**values, **changes})


async def test_protocols(client):
    assert isinstance(client, ExecutionClient) and isinstance(client, MarginClient)


async def test_market_order_fills_and_shows_in_every_book(client, fake):
    placed = await client.place_order(sbin(strategy="momentum"))
    assert placed.orderid and placed.status is OrderStatus.OPEN
    body = fake.order_bodies[-1]
    assert body == {"quantity": 10, "product": "D", "validity": "DAY", "price": 0.0,
                    "instrument_token": "NSE_EQ|INE062A01020", "order_type": "MARKET", "transaction_type": "BUY",
                    "disclosed_quantity": 0, "trigger_price": 0.0, "is_amo": False, "tag": "momentum"}

    [order] = await client.orders()
    assert order.orderid == placed.orderid and order.status is OrderStatus.COMPLETE
    assert order.request.symbol == "SBIN" and order.request.exchange is Exchange.NSE
    assert order.request.product is Product.CNC and order.request.pricetype is PriceType.MARKET
    assert order.filled_quantity == 10 and order.average_price == Decimal("812.35")
    assert order.timestamp is not None and order.timestamp.utcoffset().total_seconds() == 19800
    assert order.request.strategy == "momentum"

    [trade] = await client.trades()
    assert (trade.orderid, trade.symbol, trade.action, trade.quantity, trade.price) == (
        placed.orderid, "SBIN", Action.BUY, 10, Decimal("812.35"))
    assert trade.product is Product.CNC and trade.tradeid == "T0000001"

    [position] = await client.positions()
    # average_price is null in the broker's row: the buy price stands in.
    assert (position.symbol, position.quantity, position.average_price) == ("SBIN", 10, Decimal("812.35"))
    assert position.product is Product.CNC and position.ltp == 812.35

    funds = await client.funds()
    assert funds.availablecash == Decimal("91876.5") and funds.utiliseddebits == Decimal("9123.5")
    assert funds.collateral == Decimal("4000.0")
    assert funds.m2mrealized == 0 and funds.m2munrealized == 0


async def test_nrml_future_round_trip(client):
    await client.place_order(OrderRequest("NIFTY29DEC26FUT", Exchange.NFO, Action.SELL, 75, product=Product.NRML))
    [order] = await client.orders()
    assert order.request.symbol == "NIFTY29DEC26FUT" and order.request.exchange is Exchange.NFO
    assert order.request.product is Product.NRML and order.request.action is Action.SELL
    [position] = await client.positions()
    assert position.quantity == -75 and position.average_price == Decimal("26180.5")


async def test_limit_order_modify_and_cancel(client, fake):
    placed = await client.place_order(sbin(pricetype=PriceType.LIMIT, price=Decimal("800.5"), product=Product.MIS))
    assert fake.order_bodies[-1]["price"] == 800.5 and fake.order_bodies[-1]["product"] == "I"
    [order] = await client.orders()
    assert order.status is OrderStatus.OPEN and order.request.price == Decimal("800.5")
    assert order.request.product is Product.MIS

    modified = await client.modify_order(placed.orderid, sbin(pricetype=PriceType.LIMIT, price=Decimal("801"),
                                                              quantity=20, product=Product.MIS))
    assert modified.orderid == placed.orderid
    [order] = await client.orders()
    assert order.request.quantity == 20 and order.request.price == Decimal("801.0")

    cancelled = await client.cancel_order(placed.orderid)
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.reason == "Cancelled by user"
    assert cancelled.request.symbol == "SBIN"


async def test_stop_loss_is_trigger_pending(client, fake):
    await client.place_order(sbin(pricetype=PriceType.SL_M, trigger_price=Decimal("790")))
    assert fake.order_bodies[-1]["trigger_price"] == 790.0 and fake.order_bodies[-1]["price"] == 0.0
    [order] = await client.orders()
    assert order.status is OrderStatus.TRIGGER_PENDING and order.request.pricetype is PriceType.SL_M


async def test_rejected_order_carries_the_brokers_message(client, fake):
    with pytest.raises(OrderRejected, match=r"upstox: Quantity should be a multiple of lot size 75") as info:
        await client.place_order(OrderRequest("NIFTY29DEC26FUT", Exchange.NFO, Action.BUY, 10,
                                              product=Product.NRML))
    assert info.value.status == 400
    with pytest.raises(OrderRejected, match="Order cannot be cancelled"):
        placed = await client.place_order(sbin())
        await client.cancel_order(placed.orderid)


async def test_orders_are_never_retried(client, fake):
    fake.calls.clear()
    with pytest.raises(OrderRejected):
        await client.place_order(sbin(quantity=0))
    assert fake.calls.count(("POST", "/v2/order/place")) == 1


async def test_unknown_symbol_is_reported(client):
    with pytest.raises(BrokerError, match="Symbol 'NOPE' not found"):
        await client.place_order(sbin(symbol="NOPE"))


async def test_unmapped_status_is_not_guessed(client, fake):
    placed = await client.place_order(sbin(pricetype=PriceType.LIMIT, price=Decimal("800")))
    fake.status_override[placed.orderid] = "some brand new state"
    with pytest.raises(UnmappedValue, match="order status 'some brand new state'"):
        await client.orders()
    fake.status_override[placed.orderid] = "put order req received"  # an in-flight state: still open
    [order] = await client.orders()
    assert order.status is OrderStatus.OPEN


async def test_holdings(client):
    [holding] = await client.holdings()
    assert (holding.symbol, holding.exchange, holding.quantity) == ("SBIN", Exchange.NSE, 10)
    assert holding.average_price == Decimal("700.5") and holding.pnl == Decimal("1118.5")


async def test_margin(client, fake):
    result = await client.margin([sbin(), OrderRequest("NIFTY29DEC26FUT", Exchange.NFO, Action.SELL, 75,
                                                       product=Product.NRML)])
    notional = 812.35 * 10 + 26180.5 * 75
    assert result["span_margin"] == pytest.approx(notional * 0.1, abs=0.02)
    assert result["exposure_margin"] == pytest.approx(notional * 0.03, abs=0.02)
    assert result["total_margin_required"] == pytest.approx(notional * 0.13 * 0.9, abs=0.05)
    # Baskets over 20 are split into calls the broker accepts.
    fake.calls.clear()
    await client.margin([sbin()] * 25)
    assert fake.calls.count(("POST", "/v2/charges/margin")) == 2


async def test_expired_token_is_session_expired(client, fake):
    fake.expire_tokens()
    with pytest.raises(SessionExpired):
        await client.orders()
    with pytest.raises(SessionExpired):
        await client.place_order(sbin())


async def test_rate_limiter_groups(client, plugin, fake):
    buckets = plugin.http.limiter.buckets
    assert set(buckets) == {"orders", "quotes", "history", "other"}
    for bucket in buckets.values():  # freeze refills so every call shows as one token
        bucket._clock = lambda: 0.0
        bucket._updated = 0.0
    before = {name: bucket.tokens for name, bucket in buckets.items()}
    await client.place_order(sbin())
    assert buckets["orders"].tokens == before["orders"] - 1
    await client.orders()
    assert buckets["other"].tokens == before["other"] - 1
    assert buckets["quotes"].tokens == before["quotes"] and buckets["history"].tokens == before["history"]
    assert buckets["orders"].capacity == 10 and buckets["quotes"].capacity == 50


async def test_book_rows_missing_from_the_master_are_kept_and_logged(plugin, session, lookup, caplog):
    from tests.brokers.upstox.conftest import Lookup

    await plugin.execution_client(session, lookup).place_order(sbin())
    partial = Lookup([i for i in lookup.items if i.symbol != "SBIN"])
    with caplog.at_level("WARNING", logger="algogate.brokers.upstox"):
        [order] = await plugin.execution_client(session, partial).orders()
    assert (order.request.symbol, order.request.exchange) == ("SBIN", Exchange.NSE)
    assert "not in the installed master contract" in caplog.text
