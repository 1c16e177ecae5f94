"""Orders, books and funds over the XTS interactive API (ExecutionClient)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from brokers.contract.errors import BrokerError, InstrumentNotFound, OrderRejected, SessionExpired
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
    Trade,
)
from brokers.families.xts.convert import IST, integer, ist_time, money, number, order_id
from brokers.families.xts.mapping import XtsMaps
from brokers.families.xts.market import LTP, QUOTE_BATCH, parse_payload
from brokers.families.xts.wire import XtsApi

log = logging.getLogger("algogate.brokers.xts")

TAG = "openalgo"  # orderUniqueIdentifier, as OpenAlgo sends it


class XtsExecution:
    def __init__(self, api: XtsApi, instruments: InstrumentLookup, maps: XtsMaps) -> None:
        self.api = api
        self.broker = api.broker
        self.instruments = instruments
        self.maps = maps

    # --- translation -------------------------------------------------------------------------
    def _instrument(self, request: OrderRequest) -> Instrument:
        instrument = self.instruments.get(str(request.exchange), request.symbol)
        if instrument is None:
            raise InstrumentNotFound(self.broker, request.symbol, str(request.exchange))
        return instrument

    def _our_symbol(self, row: Mapping[str, Any], token_field: str = "ExchangeInstrumentID") -> tuple[str, Exchange]:
        segment = str(row.get("ExchangeSegment") or "")
        exchange = self.maps.exchanges.from_broker(segment)
        token = row.get(token_field) or row.get("ExchangeInstrumentId") or row.get("ExchangeInstrumentID")
        found = self.instruments.by_token(str(exchange), str(integer(token))) if token else None
        if found is None and row.get("TradingSymbol"):
            found = self.instruments.by_brsymbol(segment, str(row.get("TradingSymbol")))
        if found is None:
            # Reported with the broker's own symbol rather than dropped: the master may be stale.
            log.warning("%s: %s %s is not in the master contract", self.broker, segment, row.get("TradingSymbol"))
            return str(row.get("TradingSymbol") or token), exchange
        return found.symbol, found.exchange

    def _order(self, row: Mapping[str, Any]) -> Order:
        symbol, exchange = self._our_symbol(row)
        status = self.maps.order_status.from_broker(str(row.get("OrderStatus") or ""))
        quantity = integer(row.get("OrderQuantity"))
        filled = integer(row.get("CumulativeQuantity")) if row.get("CumulativeQuantity") is not None else (
            quantity if status == OrderStatus.COMPLETE else 0)
        request = OrderRequest(
            symbol=symbol, exchange=exchange, action=self.maps.actions.from_broker(row.get("OrderSide")),
            quantity=quantity, pricetype=self.maps.price_types.from_broker(row.get("OrderType")),
            product=self.maps.products.from_broker(row.get("ProductType")), price=money(row.get("OrderPrice")),
            trigger_price=money(row.get("OrderStopPrice")),
            disclosed_quantity=integer(row.get("OrderDisclosedQuantity")),
            strategy=str(row.get("OrderUniqueIdentifier") or ""),
        )
        return Order(
            orderid=order_id(row.get("AppOrderID")), request=request, status=status, filled_quantity=filled,
            average_price=money(row.get("OrderAverageTradedPrice")),
            timestamp=ist_time(row.get("LastUpdateDateTime")) or ist_time(row.get("OrderGeneratedDateTime")),
            reason=str(row.get("CancelRejectReason") or ""),
        )

    def _body(self, request: OrderRequest, instrument: Instrument) -> dict[str, Any]:
        # Numbers as JSON numbers: some hosts (RMoney) refuse strings.
        return {
            "exchangeSegment": self.maps.segment(instrument),
            "exchangeInstrumentID": int(instrument.token),
            "productType": self.maps.products.to_broker(request.product),
            "orderType": self.maps.price_types.to_broker(request.pricetype),
            "orderSide": self.maps.actions.to_broker(request.action),
            "timeInForce": self.maps.validity.to_broker("DAY"),
            "disclosedQuantity": int(request.disclosed_quantity),
            "orderQuantity": int(request.quantity),
            "limitPrice": float(request.price),
            "stopPrice": float(request.trigger_price),
            "orderUniqueIdentifier": TAG,
        }

    async def _rows(self) -> list[Mapping[str, Any]]:
        result = await self.api.call("GET", "interactive", "/orders")
        return list(result or []) if isinstance(result, list) else []

    async def _find(self, orderid: str) -> Mapping[str, Any] | None:
        return next((row for row in await self._rows() if order_id(row.get("AppOrderID")) == str(orderid)), None)

    # --- ExecutionClient ---------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> Order:
        body = self._body(request, self._instrument(request))
        result = await self.api.call("POST", "interactive", "/orders", group="orders", order=True, json=body)
        orderid = order_id((result or {}).get("AppOrderID") or "")
        if not orderid:
            raise OrderRejected(self.broker, "the broker accepted the order but returned no AppOrderID")
        return Order(orderid, request, OrderStatus.OPEN, timestamp=datetime.now(IST))

    def _app_order_id(self, orderid: str) -> int:
        if not str(orderid).strip().isdigit():
            raise BrokerError(self.broker, f"order {orderid!r} not found", 404)  # XTS ids are integers
        return int(orderid)

    async def modify_order(self, orderid: str, request: OrderRequest) -> Order:
        instrument = self._instrument(request)
        body = {
            "appOrderID": self._app_order_id(orderid),
            "modifiedProductType": self.maps.products.to_broker(request.product),
            "modifiedOrderType": self.maps.price_types.to_broker(request.pricetype),
            "modifiedOrderQuantity": int(request.quantity),
            "modifiedDisclosedQuantity": int(request.disclosed_quantity),
            "modifiedLimitPrice": float(request.price),
            "modifiedStopPrice": float(request.trigger_price),
            "modifiedTimeInForce": self.maps.validity.to_broker("DAY"),
            "orderUniqueIdentifier": TAG,
        }
        self.maps.segment(instrument)  # an instrument we cannot route is refused before the call
        result = await self.api.call("PUT", "interactive", "/orders", group="orders", order=True, json=body)
        return Order(order_id((result or {}).get("AppOrderID") or orderid), request, OrderStatus.OPEN,
                     timestamp=datetime.now(IST))

    async def cancel_order(self, orderid: str) -> Order:
        await self.api.call("DELETE", "interactive", "/orders", group="orders", order=True,
                            params={"appOrderID": str(self._app_order_id(orderid)), "orderUniqueIdentifier": TAG})
        row = await self._find(orderid)
        if row is None:
            raise BrokerError(self.broker, f"order {orderid} not found after cancel", 404)
        order = self._order(row)
        if order.status in (OrderStatus.OPEN, OrderStatus.TRIGGER_PENDING):
            order.status = OrderStatus.CANCELLED  # the book may lag the accepted cancel by a moment
        return order

    async def orders(self) -> list[Order]:
        return [self._order(row) for row in await self._rows()]

    async def trades(self) -> list[Trade]:
        result = await self.api.call("GET", "interactive", "/orders/trades")
        trades = []
        for row in result or []:
            symbol, exchange = self._our_symbol(row)
            stamp = (ist_time(row.get("ExchangeTransactTime")) or ist_time(row.get("LastUpdateDateTime"))
                     or ist_time(row.get("OrderGeneratedDateTime")) or datetime.now(IST))
            trades.append(Trade(
                orderid=order_id(row.get("AppOrderID")),
                tradeid=str(row.get("ExecutionID") or order_id(row.get("AppOrderID"))),
                symbol=symbol, exchange=exchange, action=self.maps.actions.from_broker(row.get("OrderSide")),
                product=self.maps.products.from_broker(row.get("ProductType")),
                quantity=integer(row.get("LastTradedQuantity") or row.get("OrderQuantity")),
                price=money(row.get("OrderAverageTradedPrice") or row.get("LastTradedPrice")), timestamp=stamp,
            ))
        return trades

    async def positions(self) -> list[Position]:
        result = await self.api.call("GET", "interactive", "/portfolio/positions", params={"dayOrNet": "NetWise"})
        rows = result.get("positionList") if isinstance(result, dict) else result  # some hosts send a flat list
        positions = []
        for row in rows or []:
            symbol, exchange = self._our_symbol(row, "ExchangeInstrumentId")
            quantity = integer(row.get("Quantity") if row.get("Quantity") is not None else row.get("NetQty"))
            average = money(row.get("BuyAveragePrice") if quantity >= 0 else row.get("SellAveragePrice"))
            positions.append(Position(
                symbol=symbol, exchange=exchange, product=self.maps.products.from_broker(row.get("ProductType")),
                quantity=quantity, average_price=average, pnl=money(row.get("MTM")),
                realized_pnl=money(row.get("RealizedMTM")),
            ))
        return positions

    async def holdings(self) -> list[Holding]:
        result = await self.api.call("GET", "interactive", "/portfolio/holdings")
        entries = ((result or {}).get("RMSHoldings") or {}).get("Holdings") or {}
        holdings = []
        for isin, row in entries.items():
            token = str(integer(row.get("ExchangeNSEInstrumentId")))
            found = self.instruments.by_token(str(Exchange.NSE), token)
            if found is None:
                log.warning("%s: holding %s (token %s) is not in the master contract", self.broker, isin, token)
            holdings.append(Holding(
                symbol=found.symbol if found else str(isin), exchange=Exchange.NSE,
                quantity=integer(row.get("HoldingQuantity")), average_price=money(row.get("BuyAvgPrice")),
            ))
        await self._value(holdings, [int(integer(r.get("ExchangeNSEInstrumentId"))) for r in entries.values()])
        return holdings

    async def _value(self, holdings: list[Holding], tokens: list[int]) -> None:
        """Holdings carry no LTP: one market-data LTP call (1512) prices them; P&L follows."""
        refs = [{"exchangeSegment": 1, "exchangeInstrumentID": token} for token in tokens if token]
        prices: dict[int, float] = {}
        try:
            for start in range(0, len(refs), QUOTE_BATCH):
                result = await self.api.call("POST", "md", "/instruments/quotes", group="quotes", json={
                    "instruments": refs[start:start + QUOTE_BATCH], "xtsMessageCode": LTP, "publishFormat": "JSON"})
                for entry in (result or {}).get("listQuotes") or []:
                    payload = parse_payload(entry)
                    prices[integer(payload.get("ExchangeInstrumentID"))] = number(payload.get("LastTradedPrice"))
        except SessionExpired:
            raise
        except BrokerError as exc:  # the book itself is still right without prices
            log.warning("%s: holdings priced without LTP: %s", self.broker, exc.message)
            return
        for holding, token in zip(holdings, tokens, strict=True):
            ltp = prices.get(token)
            if ltp:
                holding.ltp = ltp
                holding.pnl = (Decimal(repr(ltp)) - holding.average_price) * holding.quantity

    async def funds(self) -> Funds:
        result = await self.api.call("GET", "interactive", "/user/balance") or {}
        balances = result.get("BalanceList") or []
        if not balances:
            raise BrokerError(self.broker, "the balance answer has no BalanceList", 502)
        limits = ((balances[0] or {}).get("limitObject") or {}).get("RMSSubLimits") or {}
        return Funds(
            availablecash=money(limits.get("netMarginAvailable")), collateral=money(limits.get("collateral")),
            m2mrealized=money(limits.get("RealizedMTM")), m2munrealized=money(limits.get("UnrealizedMTM")),
            utiliseddebits=money(limits.get("marginUtilized")),
        )


