"""Orders, books, funds and basket margin for one Fyers session (reference §3.1)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import (
    Action,
    Exchange,
    Funds,
    Holding,
    Order,
    OrderRequest,
    OrderStatus,
    Position,
    Trade,
)
from brokers.fyers.api import FyersApi
from brokers.fyers.mapping import ACTION, HOLDING_TYPE, ORDER_STATUS, PRICE_TYPE, PRODUCT
from brokers.fyers.symbols import IST, broker_time, inbound, integer, money, number, outbound

log = logging.getLogger("algogate.brokers.fyers")
ORDERS = "/api/v3/orders/sync"


def order_tag(strategy: str) -> str:
    # Fyers accepts only an alphanumeric tag.
    return re.sub(r"[^A-Za-z0-9]", "", strategy)[:20] or "algogate"


class FyersExecutionClient:
    def __init__(self, api: FyersApi, token: str, instruments: InstrumentLookup) -> None:
        self.api = api
        self.token = token
        self.instruments = instruments

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return await self.api.call(method, path, token=self.token, **kwargs)

    # --- orders -------------------------------------------------------------------------------
    def _order_body(self, request: OrderRequest) -> dict[str, Any]:
        instrument = outbound(self.instruments, request.exchange, request.symbol)
        return {
            "symbol": instrument.brsymbol,
            "qty": int(request.quantity),
            "type": PRICE_TYPE.to_broker(request.pricetype),
            "side": ACTION.to_broker(request.action),
            "productType": PRODUCT.to_broker(request.product),
            "limitPrice": float(request.price),
            "stopPrice": float(request.trigger_price),
            "validity": "DAY",
            "disclosedQty": int(request.disclosed_quantity),
            "offlineOrder": False,
            "stopLoss": 0,
            "takeProfit": 0,
            "orderTag": order_tag(request.strategy),
        }

    async def place_order(self, request: OrderRequest) -> Order:
        answer = await self._call("POST", ORDERS, group="orders", json=self._order_body(request), order=True)
        # The sync endpoint answers with the id only; the books report how it went on.
        return Order(str(answer.get("id", "")), request, OrderStatus.OPEN)

    async def modify_order(self, orderid: str, request: OrderRequest) -> Order:
        body = {
            "id": orderid,
            "qty": int(request.quantity),
            "type": PRICE_TYPE.to_broker(request.pricetype),
            "limitPrice": float(request.price),
            "stopPrice": float(request.trigger_price),
        }
        answer = await self._call("PATCH", ORDERS, group="orders", json=body, order=True)
        return Order(str(answer.get("id") or orderid), request, OrderStatus.OPEN)

    async def cancel_order(self, orderid: str) -> Order:
        answer = await self._call("DELETE", ORDERS, group="orders", json={"id": orderid}, order=True)
        orderid = str(answer.get("id") or orderid)
        # Fyers answers a cancel with the id alone; the order book has the rest of the order.
        for order in await self.orders():
            if order.orderid == orderid:
                return order
        # Gone from today's book (an order of an earlier session): the id is all we know.
        return Order(orderid, OrderRequest("", Exchange.NSE, Action.BUY, 0), OrderStatus.CANCELLED)

    # --- books --------------------------------------------------------------------------------
    def _order(self, row: dict[str, Any]) -> Order:
        symbol, exchange = inbound(self.instruments, row)
        status = ORDER_STATUS.from_broker(integer(row.get("status")))
        request = OrderRequest(
            symbol=symbol,
            exchange=exchange,
            action=ACTION.from_broker(integer(row.get("side"))),
            quantity=integer(row.get("qty")),
            pricetype=PRICE_TYPE.from_broker(integer(row.get("type"))),
            product=PRODUCT.from_broker(str(row.get("productType", ""))),
            price=money(row.get("limitPrice")),
            trigger_price=money(row.get("stopPrice")),
            disclosed_quantity=integer(row.get("disclosedQty")),
            strategy=str(row.get("orderTag") or ""),
        )
        reason = str(row.get("message") or "") if status in (OrderStatus.REJECTED, OrderStatus.CANCELLED) else ""
        return Order(str(row.get("id", "")), request, status, integer(row.get("filledQty")),
                     money(row.get("tradedPrice")), broker_time(row.get("orderDateTime")), reason)

    async def orders(self) -> list[Order]:
        answer = await self._call("GET", "/api/v3/orders")
        return [self._order(row) for row in answer.get("orderBook") or []]

    async def trades(self) -> list[Trade]:
        answer = await self._call("GET", "/api/v3/tradebook")
        trades = []
        for row in answer.get("tradeBook") or []:
            symbol, exchange = inbound(self.instruments, row)
            # Fyers always stamps a trade; an unreadable stamp is shown as the time we read it.
            timestamp = broker_time(row.get("orderDateTime")) or datetime.now(IST)
            trades.append(Trade(
                orderid=str(row.get("orderNumber", "")),
                tradeid=str(row.get("tradeNumber") or row.get("orderNumber", "")),
                symbol=symbol, exchange=exchange,
                action=ACTION.from_broker(integer(row.get("side"))),
                product=PRODUCT.from_broker(str(row.get("productType", ""))),
                quantity=integer(row.get("tradedQty")),
                price=money(row.get("tradePrice")),
                timestamp=timestamp,
            ))
        return trades

    async def _net_positions(self) -> list[dict[str, Any]]:
        answer = await self._call("GET", "/api/v3/positions")
        return list(answer.get("netPositions") or [])

    async def positions(self) -> list[Position]:
        positions = []
        for row in await self._net_positions():
            symbol, exchange = inbound(self.instruments, row)
            positions.append(Position(
                symbol=symbol, exchange=exchange,
                product=PRODUCT.from_broker(str(row.get("productType", ""))),
                quantity=integer(row.get("netQty")),
                average_price=money(row.get("netAvg")),
                ltp=number(row.get("ltp")),
                pnl=money(row.get("pl")),
                realized_pnl=money(row.get("realized_profit")),
            ))
        return positions

    async def holdings(self) -> list[Holding]:
        answer = await self._call("GET", "/api/v3/holdings")
        holdings = []
        for row in answer.get("holdings") or []:
            HOLDING_TYPE.from_broker(str(row.get("holdingType", "HLD")))  # an unknown type is reported
            symbol, exchange = inbound(self.instruments, row)
            holdings.append(Holding(
                symbol=symbol, exchange=exchange,
                quantity=integer(row.get("quantity")),
                average_price=money(row.get("costPrice")),
                ltp=number(row.get("ltp")),
                pnl=money(row.get("pl")),
            ))
        return holdings

    async def funds(self) -> Funds:
        answer = await self._call("GET", "/api/v3/funds")
        by_title: dict[str, Decimal] = {}
        for row in answer.get("fund_limit") or []:
            title = str(row.get("title", "")).strip().lower()
            by_title[title] = money(row.get("equityAmount")) + money(row.get("commodityAmount"))
        positions = await self._net_positions()
        return Funds(
            # "Clear Balance", not "Available Balance", which already folds the collateral in.
            availablecash=by_title.get("clear balance", Decimal(0)),
            collateral=by_title.get("collaterals", Decimal(0)),
            m2mrealized=sum((money(p.get("realized_profit")) for p in positions), Decimal(0)),
            m2munrealized=sum((money(p.get("unrealized_profit")) for p in positions), Decimal(0)),
            utiliseddebits=by_title.get("utilized amount", Decimal(0)),
        )

    # --- margin -------------------------------------------------------------------------------
    async def margin(self, requests: Sequence[OrderRequest]) -> dict[str, float]:
        legs = []
        for request in requests:
            body = self._order_body(request)
            legs.append({key: body[key] for key in ("symbol", "qty", "side", "type", "productType", "limitPrice",
                                                     "stopLoss", "stopPrice", "takeProfit")})
        answer = await self._call("POST", "/api/v3/multiorder/margin", json={"data": legs}, idempotent=True)
        data = answer.get("data") or {}
        # Fyers gives one figure for the basket, no SPAN/exposure split.
        return {"total_margin_required": number(data.get("margin_new_order")), "span_margin": 0.0,
                "exposure_margin": 0.0}

