"""A live broker's ExecutionClient, answering in OpenAlgo's live-mode shapes (api-v1 §3–4).

The broker plugin speaks canonical types; this facade turns them into the bodies OpenAlgo
clients expect, so routers never know which kind of execution they talk to."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from backend.core.clock import to_ist
from backend.core.errors import AppError, NotFoundError
from brokers.contract import (
    Action,
    BrokerError,
    ExecutionClient,
    Instrument,
    Order,
    OrderRequest,
    OrderStatus,
    PriceType,
    Product,
    SessionExpired,
)

Body = dict[str, Any]
OPEN = (OrderStatus.OPEN, OrderStatus.TRIGGER_PENDING)


def _money(value: Decimal | float) -> float:
    return round(float(value), 2)


def order_item(order: Order) -> Body:
    request = order.request
    return {
        "action": str(request.action), "exchange": str(request.exchange), "order_status": str(order.status),
        "orderid": order.orderid, "price": 0.0 if request.pricetype == PriceType.MARKET else _money(request.price),
        "pricetype": str(request.pricetype), "product": str(request.product), "quantity": request.quantity,
        "symbol": request.symbol, "trigger_price": _money(request.trigger_price),
        "timestamp": to_ist(order.timestamp).strftime("%d-%b-%Y %H:%M:%S") if order.timestamp else "",
    }


@dataclass(frozen=True)
class LiveExecution:
    broker: str
    client: ExecutionClient
    user_id: int
    latency: Any = None
    # Called with each order the broker acknowledged (place, modify, cancel): the app turns it into an
    # `order_update` for the SPA and feed clients, and a Telegram alert. Must return at once.
    on_order: Any = None

    def _announce(self, order: Order) -> None:
        if self.on_order is not None:
            self.on_order(self.user_id, self.broker, order)

    async def _call(self, operation: str, call):
        try:
            if self.latency is None:
                return await call
            async with self.latency.measure(self.broker, operation, user_id=self.user_id):
                return await call
        except SessionExpired:
            raise  # the app's handler ends the broker session everywhere
        except BrokerError as exc:
            raise AppError(str(exc), exc.status) from None

    async def place_order(self, request: OrderRequest, instrument: Instrument) -> Body:
        order = await self._call("placeorder", self.client.place_order(request))
        self._announce(order)
        return {"status": "success", "orderid": order.orderid}

    async def _net_quantity(self, symbol: str, exchange: str, product: str) -> int:
        for position in await self._call("positionbook", self.client.positions()):
            if (position.symbol, str(position.exchange), str(position.product)) == (symbol, exchange, product):
                return position.quantity
        return 0

    async def place_smart_order(self, request: OrderRequest, position_size: int, instrument: Instrument) -> Body:
        current = await self._net_quantity(request.symbol, str(request.exchange), str(request.product))
        if position_size == current:
            if current == 0 and request.quantity > 0:
                return await self.place_order(request, instrument)
            return {"status": "success", "message": "Positions Already Matched. No Action needed."}
        action = Action.BUY if position_size > current else Action.SELL
        delta = OrderRequest(request.symbol, request.exchange, action, abs(position_size - current),
                             request.pricetype, request.product, request.price, request.trigger_price,
                             request.disclosed_quantity, request.strategy)
        return await self.place_order(delta, instrument)

    async def modify_order(self, orderid: str, request: OrderRequest, instrument: Instrument) -> Body:
        self._announce(await self._call("modifyorder", self.client.modify_order(orderid, request)))
        return {"status": "success", "orderid": orderid}

    async def cancel_order(self, orderid: str) -> Body:
        self._announce(await self._call("cancelorder", self.client.cancel_order(orderid)))
        return {"status": "success", "orderid": orderid}

    async def cancel_all_orders(self) -> Body:
        cancelled, failed = [], []
        for order in await self._call("orderbook", self.client.orders()):
            if order.status not in OPEN:
                continue
            try:
                await self._call("cancelorder", self.client.cancel_order(order.orderid))
                cancelled.append(order.orderid)
            except AppError:
                failed.append(order.orderid)
        return {"status": "success",
                "message": f"Canceled {len(cancelled)} orders. Failed to cancel {len(failed)} orders.",
                "canceled_orders": cancelled, "failed_cancellations": failed}

    async def close_all_positions(self, strategy: str) -> Body:
        for position in await self._call("positionbook", self.client.positions()):
            if position.quantity:
                action = Action.SELL if position.quantity > 0 else Action.BUY
                exit_order = OrderRequest(position.symbol, position.exchange, action, abs(position.quantity),
                                          PriceType.MARKET, Product(position.product), strategy=strategy)
                try:
                    await self._call("placeorder", self.client.place_order(exit_order))
                except AppError:
                    pass  # OpenAlgo reports the square-off as done either way (api-v1 §6.15)
        return {"status": "success", "message": "All Open Positions Squared Off"}

    async def order_status(self, orderid: str) -> Body:
        for order in await self._call("orderbook", self.client.orders()):
            if order.orderid == orderid:
                average = _money(order.average_price) if order.status == OrderStatus.COMPLETE else 0.0
                return {"status": "success", "data": {**order_item(order), "average_price": average}}
        raise NotFoundError(f"Order {orderid} not found")

    async def open_position(self, symbol: str, exchange: str, product: str) -> Body:
        return {"status": "success", "quantity": await self._net_quantity(symbol, exchange, product)}

    async def orderbook(self) -> Body:
        orders = [order_item(o) for o in await self._call("orderbook", self.client.orders())]
        statistics = {
            "total_buy_orders": sum(o["action"] == "BUY" for o in orders),
            "total_sell_orders": sum(o["action"] == "SELL" for o in orders),
            "total_completed_orders": sum(o["order_status"] == "complete" for o in orders),
            "total_open_orders": sum(o["order_status"] in ("open", "trigger pending") for o in orders),
            "total_rejected_orders": sum(o["order_status"] == "rejected" for o in orders),
        }
        return {"status": "success", "data": {"orders": orders, "statistics": statistics}}

    async def tradebook(self) -> Body:
        trades = await self._call("tradebook", self.client.trades())
        return {"status": "success", "data": [{
            "action": str(t.action), "average_price": _money(t.price), "exchange": str(t.exchange),
            "orderid": t.orderid, "product": str(t.product), "quantity": t.quantity, "symbol": t.symbol,
            "timestamp": to_ist(t.timestamp).strftime("%H:%M:%S"), "trade_value": _money(t.price * t.quantity),
        } for t in trades]}

    async def positionbook(self) -> Body:
        positions = await self._call("positionbook", self.client.positions())
        return {"status": "success", "data": [{
            "symbol": p.symbol, "exchange": str(p.exchange), "product": str(p.product), "quantity": p.quantity,
            "average_price": f"{p.average_price:.2f}", "ltp": p.ltp, "pnl": _money(p.pnl),
        } for p in positions]}

    async def holdings(self) -> Body:
        rows = await self._call("holdings", self.client.holdings())
        items, value, invested = [], Decimal(0), Decimal(0)
        for h in rows:
            cost = h.average_price * h.quantity
            worth = Decimal(repr(h.ltp)) * h.quantity if h.ltp else cost
            value, invested = value + worth, invested + cost
            items.append({"symbol": h.symbol, "exchange": str(h.exchange), "product": "CNC", "quantity": h.quantity,
                          "average_price": _money(h.average_price), "pnl": _money(worth - cost),
                          "pnlpercent": _money((worth - cost) / cost * 100) if cost else 0.0})
        statistics = {"totalholdingvalue": _money(value), "totalinvvalue": _money(invested),
                      "totalprofitandloss": _money(value - invested),
                      "totalpnlpercentage": _money((value - invested) / invested * 100) if invested else 0.0}
        return {"status": "success", "data": {"holdings": items, "statistics": statistics}}

    async def funds(self) -> Body:
        funds = await self._call("funds", self.client.funds())
        return {"status": "success", "data": {  # live values are 2-decimal strings, as OpenAlgo's
            "availablecash": f"{funds.availablecash:.2f}", "collateral": f"{funds.collateral:.2f}",
            "m2mrealized": f"{funds.m2mrealized:.2f}", "m2munrealized": f"{funds.m2munrealized:.2f}",
            "utiliseddebits": f"{funds.utiliseddebits:.2f}"}}
