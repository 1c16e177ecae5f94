"""Orders, books and funds (Upstox API v2 trading endpoints, v3 funds)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from brokers.contract.errors import BrokerError
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import (
    Funds,
    Holding,
    Order,
    OrderRequest,
    OrderStatus,
    Position,
    PriceType,
    Trade,
)
from brokers.upstox.api import BROKER, UpstoxApi
from brokers.upstox.convert import IST, instrument_for, integer, ist_timestamp, money, number, resolve_row
from brokers.upstox.mapping import ACTION, PRICE_TYPE, PRODUCT, order_status, product_from_broker

MARGIN_BATCH = 20  # Upstox's margin calculator takes at most 20 instruments per call
TAG_LENGTH = 40


def _price(request: OrderRequest) -> float:
    return float(request.price) if request.pricetype in (PriceType.LIMIT, PriceType.SL) else 0.0


def _trigger(request: OrderRequest) -> float:
    return float(request.trigger_price) if request.pricetype in (PriceType.SL, PriceType.SL_M) else 0.0


class UpstoxExecutionClient:
    def __init__(self, api: UpstoxApi, instruments: InstrumentLookup) -> None:
        self.api = api
        self.instruments = instruments

    # --- orders --------------------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> Order:
        instrument = instrument_for(self.instruments, request.exchange, request.symbol)
        body: dict[str, Any] = {
            "quantity": request.quantity, "product": PRODUCT.to_broker(request.product), "validity": "DAY",
            "price": _price(request), "instrument_token": instrument.token,
            "order_type": PRICE_TYPE.to_broker(request.pricetype),
            "transaction_type": ACTION.to_broker(request.action),
            "disclosed_quantity": request.disclosed_quantity, "trigger_price": _trigger(request), "is_amo": False,
        }
        if request.strategy:
            body["tag"] = request.strategy[:TAG_LENGTH]
        data = await self.api.call("POST", "/v2/order/place", group="orders", order=True, json=body)
        orderid = _order_id(data)
        return Order(orderid, request, OrderStatus.OPEN, timestamp=datetime.now(IST))

    async def modify_order(self, orderid: str, request: OrderRequest) -> Order:
        body = {"order_id": orderid, "quantity": request.quantity, "validity": "DAY", "price": _price(request),
                "order_type": PRICE_TYPE.to_broker(request.pricetype),
                "disclosed_quantity": request.disclosed_quantity, "trigger_price": _trigger(request)}
        data = await self.api.call("PUT", "/v2/order/modify", group="orders", order=True, json=body)
        return Order(_order_id(data) or orderid, request, OrderStatus.OPEN, timestamp=datetime.now(IST))

    async def cancel_order(self, orderid: str) -> Order:
        data = await self.api.call("DELETE", "/v2/order/cancel", group="orders", order=True,
                                   params={"order_id": orderid})
        cancelled = _order_id(data) or orderid
        # The cancel answer carries only the id; the book says what was cancelled.
        for order in await self.orders():
            if order.orderid == cancelled:
                return order
        raise BrokerError(BROKER, f"order {cancelled} was cancelled but is not in the order book", 502)

    # --- books ---------------------------------------------------------------------------------
    async def orders(self) -> list[Order]:
        rows = await self.api.get("/v2/order/retrieve-all") or []
        return [self._order(row) for row in rows]

    async def trades(self) -> list[Trade]:
        rows = await self.api.get("/v2/order/trades/get-trades-for-day") or []
        trades = []
        for row in rows:
            symbol, exchange = resolve_row(self.instruments, row)
            stamp = (ist_timestamp(row.get("exchange_timestamp")) or ist_timestamp(row.get("order_timestamp"))
                     or datetime.now(IST))
            trades.append(Trade(
                orderid=str(row.get("order_id") or ""), tradeid=str(row.get("trade_id") or ""), symbol=symbol,
                exchange=exchange, action=ACTION.from_broker(row.get("transaction_type")),
                product=product_from_broker(row.get("product"), exchange), quantity=integer(row.get("quantity")),
                price=money(row.get("average_price")), timestamp=stamp))
        return trades

    async def positions(self) -> list[Position]:
        rows = await self.api.get("/v2/portfolio/short-term-positions") or []
        positions = []
        for row in rows:
            symbol, exchange = resolve_row(self.instruments, row)
            quantity = integer(row.get("quantity"))
            positions.append(Position(
                symbol=symbol, exchange=exchange, product=product_from_broker(row.get("product"), exchange),
                quantity=quantity, average_price=_position_average(row, quantity),
                ltp=number(row.get("last_price")), pnl=money(row.get("pnl")),
                realized_pnl=money(row.get("realised"))))
        return positions

    async def holdings(self) -> list[Holding]:
        rows = await self.api.get("/v2/portfolio/long-term-holdings") or []
        holdings = []
        for row in rows:
            symbol, exchange = resolve_row(self.instruments, row)
            holdings.append(Holding(
                symbol=symbol, exchange=exchange, quantity=integer(row.get("quantity")),
                average_price=money(row.get("average_price")), ltp=number(row.get("last_price")),
                pnl=money(row.get("pnl"))))
        return holdings

    async def funds(self) -> Funds:
        data = await self.api.get("/v3/user/get-funds-and-margin", headers={"Api-Version": "3.0"}) or {}
        available = data.get("available_to_trade") or {}
        cash = available.get("cash_available_to_trade") or {}
        pledge = available.get("pledge_available_to_trade") or {}
        cash_used = money(_total(cash.get("margin_used")))
        pledge_used = money(_total(pledge.get("margin_used")))
        rows = await self.api.get("/v2/portfolio/short-term-positions") or []
        # The pledge bucket has no top-level total: collateral is what pledging gave minus what it uses.
        return Funds(
            availablecash=money(cash.get("total")),
            collateral=money(_total(pledge.get("margin_from_pledge"))) - pledge_used,
            m2mrealized=sum((money(r.get("realised")) for r in rows), Decimal(0)),
            m2munrealized=sum((money(r.get("unrealised")) for r in rows), Decimal(0)),
            utiliseddebits=cash_used + pledge_used)

    # --- margin (capabilities.basket_margin) -------------------------------------------------------
    async def margin(self, requests: Sequence[OrderRequest]) -> dict[str, float]:
        items = []
        for request in requests:
            instrument = instrument_for(self.instruments, request.exchange, request.symbol)
            item: dict[str, Any] = {"instrument_key": instrument.token, "quantity": request.quantity,
                                    "transaction_type": ACTION.to_broker(request.action),
                                    "product": PRODUCT.to_broker(request.product)}
            if request.pricetype in (PriceType.LIMIT, PriceType.SL):
                item["price"] = float(request.price)
            items.append(item)
        total = span = exposure = 0.0
        # Baskets over the per-call cap are summed batch by batch (hedge benefit only within a batch).
        for start in range(0, len(items), MARGIN_BATCH):
            data = await self.api.call("POST", "/v2/charges/margin", group="other", idempotent=True,
                                       json={"instruments": items[start:start + MARGIN_BATCH]}) or {}
            total += number(data.get("final_margin", data.get("required_margin")))
            for row in data.get("margins") or []:
                span += number(row.get("span_margin"))
                exposure += number(row.get("exposure_margin"))
        return {"total_margin_required": total, "span_margin": span, "exposure_margin": exposure}

    # --- rows ----------------------------------------------------------------------------------
    def _order(self, row: dict[str, Any]) -> Order:
        symbol, exchange = resolve_row(self.instruments, row)
        request = OrderRequest(
            symbol=symbol, exchange=exchange, action=ACTION.from_broker(row.get("transaction_type")),
            quantity=integer(row.get("quantity")), pricetype=PRICE_TYPE.from_broker(row.get("order_type")),
            product=product_from_broker(row.get("product"), exchange), price=money(row.get("price")),
            trigger_price=money(row.get("trigger_price")),
            disclosed_quantity=integer(row.get("disclosed_quantity")), strategy=str(row.get("tag") or ""))
        return Order(orderid=str(row.get("order_id") or ""), request=request,
                     status=order_status(row.get("status")), filled_quantity=integer(row.get("filled_quantity")),
                     average_price=money(row.get("average_price")),
                     timestamp=ist_timestamp(row.get("order_timestamp")),
                     reason=str(row.get("status_message") or ""))


def _order_id(data: Any) -> str:
    return str(data.get("order_id") or "") if isinstance(data, dict) else ""


def _total(bucket: Any) -> Any:
    return bucket.get("total") if isinstance(bucket, dict) else bucket


def _position_average(row: dict[str, Any], quantity: int) -> Decimal:
    """`average_price` may be null/0 on Upstox; fall back to the side's buy/sell price."""
    average = money(row.get("average_price"))
    if average:
        return average
    if quantity > 0:
        return money(row.get("buy_price")) or money(row.get("day_buy_price"))
    if quantity < 0:
        return money(row.get("sell_price")) or money(row.get("day_sell_price"))
    return Decimal(0)
