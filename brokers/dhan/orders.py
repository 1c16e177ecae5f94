"""Dhan's ExecutionClient: orders, books and funds over `/v2/orders`, `/v2/trades`, `/v2/positions`,
`/v2/holdings` and `/v2/fundlimit`."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import httpx

from brokers.contract.errors import BrokerError, InstrumentNotFound, OrderRejected, SessionExpired
from brokers.contract.types import (
    Action,
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
from brokers.dhan.client import IST, DhanApi, num, parse_time
from brokers.dhan.errors import body_of
from brokers.dhan.mapping import ACTION, BROKER, EXCHANGE, ORDER_STATUS, PRICE_TYPE, PRODUCT, VALIDITY
from brokers.dhan.market import fetch_ltps


def money(value: Any) -> Decimal:
    return Decimal(repr(num(value))) if not isinstance(value, Decimal) else value


# --- SL-M → STOP_LOSS with a protective limit --------------------------------------------------
# Dhan's STOP_LOSS_MARKET is filled as a limit or refused (DH-906) behind its market-price
# protection, so, like OpenAlgo, we send STOP_LOSS with a limit one protection band past the trigger.
EQUITY_BANDS = ((Decimal(100), Decimal("0.02")), (Decimal(500), Decimal("0.01")), (None, Decimal("0.005")))
OPTION_BANDS = ((Decimal(10), Decimal("0.05")), (Decimal(100), Decimal("0.03")), (Decimal(500), Decimal("0.02")),
                (None, Decimal("0.01")))


def protection_percent(trigger: Decimal, is_option: bool) -> Decimal:
    for upper, percent in OPTION_BANDS if is_option else EQUITY_BANDS:
        if upper is None or trigger < upper:
            return percent
    raise AssertionError("unreachable")


def protective_limit(action: Action, trigger: Decimal, tick: Decimal, is_option: bool) -> Decimal:
    if tick <= 0:
        raise OrderRejected(BROKER, "SL-M needs the instrument's tick size; reinstall the master contract")
    percent = protection_percent(trigger, is_option)
    if action == Action.SELL:
        raw = min(trigger * (1 - percent), trigger - tick)
        return ((raw / tick).to_integral_value(ROUND_FLOOR) * tick).normalize()
    raw = max(trigger * (1 + percent), trigger + tick)
    return ((raw / tick).to_integral_value(ROUND_CEILING) * tick).normalize()


def price_fields(request: OrderRequest, instrument: Instrument) -> dict[str, Any]:
    """orderType, price and triggerPrice: price only for LIMIT/SL(-M), trigger only for SL/SL-M."""
    kind = request.pricetype
    if kind in (PriceType.SL, PriceType.SL_M) and request.trigger_price <= 0:
        raise OrderRejected(BROKER, "trigger price must be greater than 0 for SL and SL-M orders")
    if kind in (PriceType.LIMIT, PriceType.SL) and request.price <= 0:
        raise OrderRejected(BROKER, "price must be greater than 0 for LIMIT and SL orders")
    if kind == PriceType.MARKET:
        return {"orderType": PRICE_TYPE.to_broker(kind)}
    if kind == PriceType.LIMIT:
        return {"orderType": "LIMIT", "price": float(request.price)}
    if kind == PriceType.SL:
        return {"orderType": "STOP_LOSS", "price": float(request.price), "triggerPrice": float(request.trigger_price)}
    limit = protective_limit(request.action, request.trigger_price, instrument.tick_size, instrument.is_option)
    return {"orderType": "STOP_LOSS", "price": float(limit), "triggerPrice": float(request.trigger_price)}


class DhanExecution:
    def __init__(self, api: DhanApi) -> None:
        self.api = api

    def _instrument(self, request: OrderRequest) -> Instrument:
        found = self.api.instruments.get(request.exchange.value, request.symbol)
        if found is None:
            raise InstrumentNotFound(BROKER, request.symbol, request.exchange.value)
        return found

    # --- orders ----------------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> Order:
        instrument = self._instrument(request)
        body = {
            "dhanClientId": self.api.client_id,
            "transactionType": ACTION.to_broker(request.action),
            "exchangeSegment": EXCHANGE.to_broker(request.exchange),
            "productType": PRODUCT.to_broker(request.product),
            "validity": VALIDITY.to_broker("DAY"),
            "securityId": instrument.token,
            "quantity": int(request.quantity),
            "disclosedQuantity": int(request.disclosed_quantity),
            "afterMarketOrder": False,
            **price_fields(request, instrument),
        }
        answer = await self.api.call("POST", "/v2/orders", group="orders", order=True, json=body)
        return await self._acknowledged(answer, request)

    async def modify_order(self, orderid: str, request: OrderRequest) -> Order:
        instrument = self._instrument(request)
        body = {
            "dhanClientId": self.api.client_id,
            "orderId": str(orderid),
            "legName": "ENTRY_LEG",
            "quantity": int(request.quantity),
            "disclosedQuantity": int(request.disclosed_quantity),
            "validity": VALIDITY.to_broker("DAY"),
            **price_fields(request, instrument),
        }
        answer = await self.api.call("PUT", f"/v2/orders/{orderid}", group="orders", order=True, json=body)
        return await self._acknowledged(answer, request, orderid)

    async def cancel_order(self, orderid: str) -> Order:
        await self.api.call("DELETE", f"/v2/orders/{orderid}", group="orders", order=True)
        # The cancel answer carries only the id and status; the order itself comes from the book.
        row = await self.api.call("GET", f"/v2/orders/{orderid}", group="other")
        if isinstance(row, list):
            row = row[0] if row else None
        if not isinstance(row, dict):
            raise BrokerError(BROKER, f"order {orderid} not found after cancelling it", 502)
        return self._order(row)

    async def _acknowledged(self, answer: Any, request: OrderRequest, orderid: str | None = None) -> Order:
        if not isinstance(answer, dict) or not (answer.get("orderId") or orderid):
            raise BrokerError(BROKER, f"unexpected order answer: {str(answer)[:200]}", 502)
        orderid = str(answer.get("orderId") or orderid)
        status_text = str(answer.get("orderStatus") or "TRANSIT")
        status = ORDER_STATUS.from_broker(status_text)
        if status == OrderStatus.REJECTED:
            reason = answer.get("omsErrorDescription") or answer.get("errorMessage") or await self._reason(orderid)
            raise OrderRejected(BROKER, str(reason or "order rejected"), orderid=orderid)
        return Order(orderid, request, status, timestamp=datetime.now(IST))

    async def _reason(self, orderid: str) -> str:
        """The acknowledgement carries no reason; the book's `omsErrorDescription` does."""
        try:
            row = await self.api.call("GET", f"/v2/orders/{orderid}", group="other")
        except BrokerError:
            return ""
        row = row[0] if isinstance(row, list) and row else row
        return str(row.get("omsErrorDescription") or "") if isinstance(row, dict) else ""

    # --- books -----------------------------------------------------------------------------
    def _names(self, row: dict) -> tuple[Exchange, str]:
        segment = str(row.get("exchangeSegment") or "")
        exchange = EXCHANGE.from_broker(segment)
        security_id = str(row.get("securityId") or "")
        instrument = self.api.lookup(exchange, security_id, str(row.get("tradingSymbol") or ""), segment)
        symbol = instrument.symbol if instrument else str(row.get("tradingSymbol") or security_id)
        return exchange, symbol

    def _order(self, row: dict) -> Order:
        exchange, symbol = self._names(row)
        request = OrderRequest(
            symbol=symbol, exchange=exchange, action=ACTION.from_broker(row.get("transactionType")),
            quantity=int(num(row.get("quantity"))), pricetype=PRICE_TYPE.from_broker(row.get("orderType")),
            product=PRODUCT.from_broker(row.get("productType")), price=money(row.get("price")),
            trigger_price=money(row.get("triggerPrice")), disclosed_quantity=int(num(row.get("disclosedQuantity"))),
        )
        status = ORDER_STATUS.from_broker(str(row.get("orderStatus") or ""))
        reason = str(row.get("omsErrorDescription") or "") if status in (OrderStatus.REJECTED,
                                                                          OrderStatus.CANCELLED) else ""
        return Order(str(row.get("orderId")), request, status, filled_quantity=int(num(row.get("filledQty"))),
                     average_price=money(row.get("averageTradedPrice")),
                     timestamp=parse_time(row.get("updateTime")) or parse_time(row.get("createTime")), reason=reason)

    async def orders(self) -> list[Order]:
        rows = await self.api.call("GET", "/v2/orders", group="other")
        return [self._order(row) for row in rows or []]

    async def trades(self) -> list[Trade]:
        rows = await self.api.call("GET", "/v2/trades", group="other")
        trades = []
        for row in rows or []:
            exchange, symbol = self._names(row)
            when = (parse_time(row.get("exchangeTime")) or parse_time(row.get("updateTime"))
                    or parse_time(row.get("createTime")) or datetime.now(IST))
            trades.append(Trade(str(row.get("orderId")), str(row.get("exchangeTradeId") or ""), symbol, exchange,
                                ACTION.from_broker(row.get("transactionType")),
                                PRODUCT.from_broker(row.get("productType")), int(num(row.get("tradedQuantity"))),
                                money(row.get("tradedPrice")), when))
        return trades

    async def _raw_positions(self) -> list[dict]:
        return list(await self.api.call("GET", "/v2/positions", group="other") or [])

    async def positions(self) -> list[Position]:
        rows = await self._raw_positions()
        keyed = []
        for row in rows:
            exchange, symbol = self._names(row)
            instrument = self.api.instruments.get(exchange.value, symbol)
            keyed.append((row, exchange, symbol, instrument))
        ltps = await self._ltps([i for *_, i in keyed if i is not None])
        positions = []
        for row, exchange, symbol, instrument in keyed:
            quantity = int(num(row.get("netQty")))
            if quantity > 0:
                average = row.get("buyAvg")
            elif quantity < 0:
                average = row.get("sellAvg")
            else:
                average = 0
            if quantity and num(row.get("costPrice")) > 0:
                average = row.get("costPrice")
            realized, unrealized = money(row.get("realizedProfit")), money(row.get("unrealizedProfit"))
            positions.append(Position(symbol, exchange, PRODUCT.from_broker(row.get("productType")), quantity,
                                      money(average), ltp=ltps.get(self._key(instrument), 0.0),
                                      pnl=realized + unrealized, realized_pnl=realized))
        return positions

    async def holdings(self) -> list[Holding]:
        rows = await self.api.call("GET", "/v2/holdings", group="other", allow_error=_empty_holdings)
        found = []
        for row in rows or []:
            security_id, trading_symbol = str(row.get("securityId") or ""), str(row.get("tradingSymbol") or "")
            # Holdings say exchange "ALL": the scrip is looked up on NSE first, then BSE.
            instrument = (self.api.instruments.by_token("NSE", security_id)
                          or self.api.instruments.by_token("BSE", security_id)
                          or self.api.lookup(None, security_id, trading_symbol, "NSE_EQ"))
            found.append((row, instrument))
        ltps = await self._ltps([i for _, i in found if i is not None])
        holdings = []
        for row, instrument in found:
            quantity = int(num(row.get("totalQty")))
            average = money(row.get("avgCostPrice"))
            ltp = ltps.get(self._key(instrument), 0.0)
            pnl = (money(ltp) - average) * quantity if ltp else Decimal(0)
            holdings.append(Holding(instrument.symbol if instrument else str(row.get("tradingSymbol")),
                                    instrument.exchange if instrument else Exchange.NSE, quantity, average, ltp, pnl))
        return holdings

    async def funds(self) -> Funds:
        limits = await self.api.call("GET", "/v2/fundlimit", group="other")
        rows = await self._raw_positions()
        # `availabelBalance` (sic) includes pledged collateral; OpenAlgo reports cash without it.
        balance = money(limits.get("availabelBalance", limits.get("availableBalance")))
        collateral = money(limits.get("collateralAmount"))
        return Funds(availablecash=balance - collateral, collateral=collateral,
                     m2mrealized=sum((money(r.get("realizedProfit")) for r in rows), Decimal(0)),
                     m2munrealized=sum((money(r.get("unrealizedProfit")) for r in rows), Decimal(0)),
                     utiliseddebits=money(limits.get("utilizedAmount")))

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _key(instrument: Instrument | None) -> tuple[str, str] | None:
        return (instrument.exchange.value, instrument.token) if instrument else None

    async def _ltps(self, instruments: list[Instrument]) -> dict[tuple[str, str], float]:
        """Books carry no LTP: one quote-API call fills it. Best effort (the data plan is paid)."""
        if not instruments:
            return {}
        try:
            return await fetch_ltps(self.api, instruments)
        except SessionExpired:
            raise
        except BrokerError:
            return {}


def _empty_holdings(response: httpx.Response) -> list | None:
    """An empty holdings book is an error object (DHOLDING_ERROR / DH-1111), not `[]`."""
    body = body_of(response)
    if isinstance(body, dict):
        codes = {str(body.get("errorCode")), str(body.get("internalErrorCode"))}
        if codes & {"DHOLDING_ERROR", "DH-1111"} or "no holdings" in str(body.get("errorMessage", "")).lower():
            return []
    return None
