"""Orders, books, funds and margin against the fake, including what the plugin put on the wire."""

import json
from datetime import date
from decimal import Decimal

import pytest

from brokers.contract import (
    Action,
    Exchange,
    InstrumentNotFound,
    MarginClient,
    OrderRejected,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    UnmappedValue,
)
from brokers.fyers.orders import FyersExecutionClient


@pytest.fixture
def client(plugin, session, lookup) -> FyersExecutionClient:
    return plugin.execution_client(session, lookup)


def sbin(quantity=5, **kwargs) -> OrderRequest:
    return OrderRequest("SBIN", Exchange.NSE, Action.BUY, quantity, **kwargs)


async def test_market_order_fills_and_moves_the_books(client, fake):
    placed = await client.place_order(sbin(5, strategy="my-strat 1"))
    assert placed.orderid and placed.status == OrderStatus.OPEN
    body = fake.orders[placed.orderid]
    assert (body.type, body.side, body.product, body.tag) == (2, 1, "INTRADAY", "mystrat1")

    [order] = await client.orders()
    assert (order.orderid, order.status, order.filled_quantity) == (placed.orderid, OrderStatus.COMPLETE, 5)
    assert order.average_price == Decimal("812.35") and order.timestamp.utcoffset().total_seconds() == 19800
    assert (order.request.symbol, order.request.exchange, order.request.pricetype, order.request.product) == (
        "SBIN", Exchange.NSE, PriceType.MARKET, Product.MIS)

    [trade] = await client.trades()
    assert (trade.orderid, trade.symbol, trade.quantity, trade.price, trade.action) == (
        placed.orderid, "SBIN", 5, Decimal("812.35"), Action.BUY)

    [position] = await client.positions()
    assert (position.symbol, position.exchange, position.product, position.quantity) == (
        "SBIN", Exchange.NSE, Product.MIS, 5)
    assert position.average_price == Decimal("812.35") and position.ltp == 812.35

    funds = await client.funds()
    assert funds.availablecash == Decimal("100000.0") - Decimal("4061.75") + Decimal("2000.0")
    assert funds.utiliseddebits == Decimal("4061.75") and funds.collateral == Decimal("5000.0")
    assert funds.m2munrealized == Decimal("0.0") and funds.m2mrealized == Decimal("0.0")


async def test_limit_order_stays_open_then_modify_and_cancel(client, fake):
    fut = OrderRequest("NIFTY29DEC26FUT", Exchange.NFO, Action.SELL, 75, PriceType.LIMIT, Product.NRML,
                       price=Decimal("26300.5"))
    placed = await client.place_order(fut)
    order = fake.orders[placed.orderid]
    assert (order.status, order.side, order.product, order.limit) == (6, -1, "MARGIN", 26300.5)
    [booked] = await client.orders()
    assert booked.status == OrderStatus.OPEN and booked.request.symbol == "NIFTY29DEC26FUT"
    assert booked.request.price == Decimal("26300.5") and booked.request.action == Action.SELL

    modified = await client.modify_order(placed.orderid, OrderRequest(
        "NIFTY29DEC26FUT", Exchange.NFO, Action.SELL, 150, PriceType.LIMIT, Product.NRML, price=Decimal("26310")))
    assert modified.orderid == placed.orderid and (order.qty, order.limit) == (150, 26310.0)

    cancelled = await client.cancel_order(placed.orderid)
    assert cancelled.status == OrderStatus.CANCELLED and cancelled.reason == "CANCELLED BY USER"
    assert cancelled.request.quantity == 150
    assert await client.trades() == []

    # DELETE carried its JSON body, as Fyers wants.
    with pytest.raises(OrderRejected, match="cannot cancel"):
        await client.cancel_order(placed.orderid)


async def test_rejected_order_raises_with_the_brokers_reason(client, fake):
    with pytest.raises(OrderRejected, match="multiple of lot size 75") as rejected:
        await client.place_order(OrderRequest("NIFTY29DEC2626000CE", Exchange.NFO, Action.BUY, 10))
    assert rejected.value.orderid and rejected.value.status == 400
    assert rejected.value.message.startswith("RED:")
    [order] = await client.orders()
    assert order.status == OrderStatus.REJECTED and "lot size" in order.reason


async def test_unknown_symbol_is_not_sent(client, fake):
    with pytest.raises(InstrumentNotFound):
        await client.place_order(OrderRequest("NOPE", Exchange.NSE, Action.BUY, 1))
    assert not any(path == "/api/v3/orders/sync" for _, path, _ in fake.requests)


async def test_unmapped_broker_status_is_reported_not_guessed(client, fake):
    placed = await client.place_order(sbin(1, pricetype=PriceType.LIMIT, price=Decimal("800")))
    fake.orders[placed.orderid].status = 3
    with pytest.raises(UnmappedValue, match="unmapped order status 3") as unmapped:
        await client.orders()
    assert unmapped.value.kind == "order status" and unmapped.value.value == 3


async def test_transit_and_expired_statuses_map(client, fake):
    placed = await client.place_order(sbin(1, pricetype=PriceType.SL, price=Decimal("800"),
                                           trigger_price=Decimal("799")))
    row = fake.orders[placed.orderid]
    assert (row.type, row.stop) == (4, 799.0)
    row.status = 4
    assert (await client.orders())[0].status == OrderStatus.OPEN
    row.status = 7
    assert (await client.orders())[0].status == OrderStatus.CANCELLED


async def test_holdings(client):
    holdings = {h.symbol: h for h in await client.holdings()}
    assert set(holdings) == {"SBIN", "RELIANCE"}
    assert holdings["SBIN"].quantity == 10 and holdings["SBIN"].average_price == Decimal("700.5")
    assert holdings["SBIN"].pnl == Decimal("1118.5") and holdings["RELIANCE"].exchange == Exchange.NSE


async def test_margin_for_a_basket(client):
    assert isinstance(client, MarginClient)
    margin = await client.margin([sbin(10), OrderRequest("NIFTY29DEC26FUT", Exchange.NFO, Action.BUY, 75,
                                                         product=Product.NRML)])
    assert margin == {"total_margin_required": round(812.35 * 10 * 0.2 + 26150.0 * 75, 2), "span_margin": 0.0,
                      "exposure_margin": 0.0}


async def test_book_row_missing_from_the_master_is_kept_and_reported(plugin, session, fake, caplog):
    from tests.brokers.fyers.conftest import Lookup

    empty = plugin.execution_client(session, Lookup([]))
    fake.trades.append({"symbol": "NSE:SBIN-EQ", "side": -1, "productType": "CNC", "tradedQty": 1,
                        "tradePrice": 800.0, "tradeValue": 800.0, "orderNumber": "1", "tradeNumber": "T1",
                        "orderDateTime": "29-Nov-2026 10:00:00", "exchange": 10, "segment": 10})
    [trade] = await empty.trades()
    assert (trade.symbol, trade.exchange, trade.action, trade.product) == ("NSE:SBIN-EQ", Exchange.NSE, Action.SELL,
                                                                           Product.CNC)
    assert "not in the installed master" in caplog.text


async def test_rate_limit_groups_are_used(client, plugin, session, lookup):
    used: list[str] = []
    real = plugin.http.limiter.acquire

    async def spy(group: str) -> float:
        used.append(group)
        return await real(group)

    plugin.http.limiter.acquire = spy
    await client.place_order(sbin(1))
    await client.orders()
    data = plugin.data_client(session, lookup)
    await data.quote(lookup.get("NSE", "SBIN"))
    await data.history(lookup.get("NSE", "SBIN"), "D", date(2026, 11, 2), date(2026, 11, 6))
    assert used == ["orders", "other", "quotes", "history"]
    assert set(plugin.capabilities.rate_limits) == {"orders", "quotes", "history", "other"}
    assert all(bucket.rate == 10 for bucket in plugin.http.limiter.buckets.values())
    # The key-wide budget on top of the groups: 10/s and 200/min.
    assert [round(b.rate * 60) for b in plugin.api.global_buckets] == [600, 200]


async def test_requests_are_json_with_the_auth_header(client, fake, session):
    placed = await client.place_order(sbin(2, product=Product.CNC))
    assert fake.orders[placed.orderid].product == "CNC"
    # The fake refuses form bodies and a wrong header, so success proves both; check the header shape.
    assert client.token == f"{fake.APP_ID}:{session.access_token}"
    assert json.loads(json.dumps(client._order_body(sbin(2))))["validity"] == "DAY"


async def test_modifying_a_filled_order_is_refused(client):
    placed = await client.place_order(sbin(1))
    with pytest.raises(OrderRejected, match="not pending"):
        await client.modify_order(placed.orderid, sbin(2, pricetype=PriceType.LIMIT, price=Decimal("800")))
