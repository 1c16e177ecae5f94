"""Orders, books, funds and the margin calculator over Kite's REST API (ExecutionClient and
MarginClient)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from brokers.contract.errors import BrokerError, InstrumentNotFound
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import (
    Exchange,
    Funds,
    Holding,
    Instrument,
    Order,
    OrderRequest,
    OrderStatus,
    Position,
    PriceType,
    Trade,
)
from brokers.zerodha.api import BROKER, KiteApi
from brokers.zerodha.convert import IST, integer, ist_time, money, number
from brokers.zerodha.mapping import ACTIONS, EXCHANGES, ORDER_STATUS, PRICE_TYPES, PRODUCTS, VALIDITY

log = logging.getLogger("algogate.brokers.zerodha")

VARIETY = "regular"
TAG = "openalgo"  # Kite rejects tags over 20 characters; this one is fixed and short
MARKET_PROTECTION = "-1"  # mandatory for MARKET/SL-M: -1 = Kite's automatic protection


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


class ZerodhaExecution:
    def __init__(self, api: KiteApi, instruments: InstrumentLookup) -> None:
        self.api = api
        self.instruments = instruments

    # --- translation -------------------------------------------------------------------------
    def _instrument(self, exchange: Exchange, symbol: str) -> Instrument:
        instrument = self.instruments.get(str(exchange), symbol)
        if instrument is None:
            raise InstrumentNotFound(BROKER, symbol, str(exchange))
        return instrument

    def _our_symbol(self, row: Mapping[str, Any]) -> tuple[str, Exchange]:
        exchange = EXCHANGES.from_broker(row.get("exchange"))
        token = row.get("instrument_token")
        found = self.instruments.by_token(str(exchange), str(token)) if token else None
        if found is None:
            found = self.instruments.by_brsymbol(str(row.get("exchange")), str(row.get("tradingsymbol")))
        if found is None:
            # Reported as the broker's own symbol rather than dropped: the master may be stale.
            log.warning("zerodha: %s:%s is not in the master contract", row.get("exchange"), row.get("tradingsymbol"))
            return str(row.get("tradingsymbol")), exchange
        return found.symbol, found.exchange

    def _order(self, row: Mapping[str, Any]) -> Order:
        symbol, exchange = self._our_symbol(row)
        request = OrderRequest(
            symbol=symbol, exchange=exchange, action=ACTIONS.from_broker(row.get("transaction_type")),
            quantity=integer(row.get("quantity")), pricetype=PRICE_TYPES.from_broker(row.get("order_type")),
            product=PRODUCTS.from_broker(row.get("product")), price=money(row.get("price")),
            trigger_price=money(row.get("trigger_price")),
            disclosed_quantity=integer(row.get("disclosed_quantity")), strategy=str(row.get("tag") or ""),
        )
        return Order(
            orderid=str(row.get("order_id")), request=request, status=ORDER_STATUS.from_broker(row.get("status")),
            filled_quantity=integer(row.get("filled_quantity")), average_price=money(row.get("average_price")),
            timestamp=ist_time(row.get("order_timestamp")), reason=str(row.get("status_message") or ""),
        )

    def _order_form(self, request: OrderRequest, instrument: Instrument) -> dict[str, str]:
        return {
            "tradingsymbol": instrument.brsymbol, "exchange": EXCHANGES.to_broker(request.exchange),
            "transaction_type": ACTIONS.to_broker(request.action),
            "order_type": PRICE_TYPES.to_broker(request.pricetype), "quantity": str(request.quantity),
            "product": PRODUCTS.to_broker(request.product), "price": _plain(request.price),
            "trigger_price": _plain(request.trigger_price), "disclosed_quantity": str(request.disclosed_quantity),
            "validity": VALIDITY.to_broker("DAY"), "market_protection": MARKET_PROTECTION, "tag": TAG,
        }

    async def _order_state(self, orderid: str, fallback: OrderRequest, status: OrderStatus) -> Order:
        """The order's latest state from its history; the write already succeeded, so a failing
        read falls back to what we know rather than raising."""
        try:
            history = await self.api.call("GET", f"/orders/{orderid}")
        except BrokerError as exc:
            log.warning("zerodha: order %s placed but its state could not be read: %s", orderid, exc.message)
            return Order(orderid, fallback, status)
        if not history:
            return Order(orderid, fallback, status)
        return self._order(history[-1])

    # --- ExecutionClient ---------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> Order:
        instrument = self._instrument(request.exchange, request.symbol)
        data = await self.api.call("POST", f"/orders/{VARIETY}", group="orders", order=True,
                                   data=self._order_form(request, instrument))
        orderid = str(data["order_id"])
        return await self._order_state(orderid, request, OrderStatus.OPEN)

    async def modify_order(self, orderid: str, request: OrderRequest) -> Order:
        form = {"order_type": PRICE_TYPES.to_broker(request.pricetype), "quantity": str(request.quantity),
                "price": _plain(request.price), "disclosed_quantity": str(request.disclosed_quantity),
                "validity": VALIDITY.to_broker("DAY")}
        if request.pricetype in (PriceType.SL, PriceType.SL_M) or request.trigger_price:
            form["trigger_price"] = _plain(request.trigger_price)
        await self.api.call("PUT", f"/orders/{VARIETY}/{orderid}", group="orders", order=True, data=form)
        return await self._order_state(orderid, request, OrderStatus.OPEN)

    async def cancel_order(self, orderid: str) -> Order:
        await self.api.call("DELETE", f"/orders/{VARIETY}/{orderid}", group="orders", order=True)
        history = await self.api.call("GET", f"/orders/{orderid}")
        if not history:
            raise BrokerError(BROKER, f"order {orderid} not found after cancel", 404)
        return self._order(history[-1])

    async def orders(self) -> list[Order]:
        return [self._order(row) for row in await self.api.call("GET", "/orders") or []]

    async def trades(self) -> list[Trade]:
        result = []
        for row in await self.api.call("GET", "/trades") or []:
            symbol, exchange = self._our_symbol(row)
            stamp = (ist_time(row.get("fill_timestamp")) or ist_time(row.get("exchange_timestamp"))
                     or ist_time(row.get("order_timestamp")) or datetime.now(IST))
            result.append(Trade(
                orderid=str(row.get("order_id")), tradeid=str(row.get("trade_id")), symbol=symbol,
                exchange=exchange, action=ACTIONS.from_broker(row.get("transaction_type")),
                product=PRODUCTS.from_broker(row.get("product")), quantity=integer(row.get("quantity")),
                price=money(row.get("average_price")), timestamp=stamp,
            ))
        return result

    async def _net_positions(self) -> list[Mapping[str, Any]]:
        data = await self.api.call("GET", "/portfolio/positions") or {}
        return list(data.get("net") or [])

    async def positions(self) -> list[Position]:
        result = []
        for row in await self._net_positions():
            symbol, exchange = self._our_symbol(row)
            result.append(Position(
                symbol=symbol, exchange=exchange, product=PRODUCTS.from_broker(row.get("product")),
                quantity=integer(row.get("quantity")), average_price=money(row.get("average_price")),
                ltp=number(row.get("last_price")), pnl=money(row.get("pnl")), realized_pnl=money(row.get("realised")),
            ))
        return result

    async def holdings(self) -> list[Holding]:
        result = []
        for row in await self.api.call("GET", "/portfolio/holdings") or []:
            symbol, exchange = self._our_symbol(row)
            result.append(Holding(
                symbol=symbol, exchange=exchange, quantity=integer(row.get("quantity")),
                average_price=money(row.get("average_price")), ltp=number(row.get("last_price")),
                pnl=money(row.get("pnl")),
            ))
        return result

    async def funds(self) -> Funds:
        margins = await self.api.call("GET", "/user/margins") or {}
        net = debits = collateral = Decimal(0)
        for segment in ("equity", "commodity"):
            part = margins.get(segment) or {}
            net += money(part.get("net"))
            debits += money((part.get("utilised") or {}).get("debits"))
            collateral += money((part.get("available") or {}).get("collateral"))
        realized = unrealized = Decimal(0)
        for row in await self._net_positions():
            quantity = integer(row.get("quantity"))
            if quantity == 0:
                realized += money(row.get("sell_value")) - money(row.get("buy_value"))
            else:
                # The row's own last price: a live LTP would cost a call on the 1/s quote bucket.
                unrealized += (money(row.get("last_price")) - money(row.get("average_price"))) * quantity
        # `available.cash` can read 0 for funded accounts; Kite defines net = cash + collateral − debits.
        return Funds(availablecash=net + debits - collateral, collateral=collateral, m2mrealized=realized,
                     m2munrealized=unrealized, utiliseddebits=debits)

    # --- MarginClient ------------------------------------------------------------------------
    async def margin(self, requests: Sequence[OrderRequest]) -> dict[str, float]:
        if not requests:
            raise BrokerError(BROKER, "margin needs at least one order", 400)
        legs = []
        for request in requests:
            instrument = self._instrument(request.exchange, request.symbol)
            legs.append({
                "exchange": EXCHANGES.to_broker(request.exchange), "tradingsymbol": instrument.brsymbol,
                "transaction_type": ACTIONS.to_broker(request.action), "variety": VARIETY,
                "product": PRODUCTS.to_broker(request.product), "order_type": PRICE_TYPES.to_broker(request.pricetype),
                "quantity": request.quantity, "price": float(request.price), "trigger_price": float(request.trigger_price),
            })
        if len(legs) == 1:
            rows = await self.api.call("POST", "/margins/orders", json=legs) or []
            return {
                "total_margin_required": sum(number(r.get("total")) for r in rows),
                "span_margin": sum(number(r.get("span")) for r in rows),
                "exposure_margin": sum(number(r.get("exposure")) for r in rows),
            }
        data = await self.api.call("POST", "/margins/basket", json=legs,
                                   params={"consider_positions": "true"}) or {}
        # `initial` keeps the short leg's naked SPAN; `final` is the hedged requirement.
        final = data.get("final") or {}
        return {"total_margin_required": number(final.get("total")), "span_margin": number(final.get("span")),
                "exposure_margin": number(final.get("exposure"))}
