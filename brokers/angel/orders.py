"""SmartAPI orders, books, funds and basket margin (reference §3), translated through the master."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from brokers.angel.mapping import ACTION, ORDER_EXCHANGE, ORDER_STATUS, PRICE_TYPE, PRODUCT, VALIDITY, variety
from brokers.angel.wire import BROKER, DISPLAY, SmartApiRest
from brokers.contract.errors import BrokerError, InstrumentNotFound, OrderRejected
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

log = logging.getLogger("algogate.brokers.angel")

IST = ZoneInfo("Asia/Kolkata")
ORDER_ROOT = "/rest/secure/angelbroking/order/v1"
HOLDINGS_PATH = "/rest/secure/angelbroking/portfolio/v1/getAllHolding"
RMS_PATH = "/rest/secure/angelbroking/user/v1/getRMS"
MARGIN_PATH = "/rest/secure/angelbroking/margin/v1/batch"
MAX_MARGIN_POSITIONS = 50
_STAMP_FORMATS = ("%d-%b-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M:%S")


def _money(value: object) -> Decimal:
    try:
        return Decimal(str(value).strip()) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _int(value: object) -> int:
    return int(_money(value))


def _wire_price(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def _stamp(text: object, today: datetime) -> datetime | None:
    """Angel writes IST stamps as `27-Jan-2025 09:15:02`, and fill times as bare `09:15:02`."""
    if not text:
        return None
    text = str(text).strip()
    for fmt in _STAMP_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=IST)
        except ValueError:
            continue
    try:
        clock = datetime.strptime(text, "%H:%M:%S").time()
    except ValueError:
        return None
    return datetime.combine(today.date(), clock, IST)


class AngelExecutionClient:
    def __init__(self, rest: SmartApiRest, instruments: InstrumentLookup) -> None:
        self.rest = rest
        self.instruments = instruments

    # --- symbol translation -------------------------------------------------------------------
    def _instrument(self, request: OrderRequest) -> Instrument:
        instrument = self.instruments.get(str(request.exchange), request.symbol)
        if instrument is None:
            raise InstrumentNotFound(BROKER, request.symbol, str(request.exchange))
        return instrument

    def _resolve(self, row: dict, symbol_key: str = "tradingsymbol", token_key: str = "symboltoken"
                 ) -> tuple[str, Exchange]:
        """Broker row → (our symbol, our exchange). A row missing from the master is kept under the
        broker's symbol and reported in the log, never dropped."""
        exchange = ORDER_EXCHANGE.from_broker(str(row.get("exchange", "")))
        brsymbol = str(row.get(symbol_key) or "")
        token = str(row.get(token_key) or "")
        found = (self.instruments.by_token(str(exchange), token) if token else None) \
            or (self.instruments.by_brsymbol(str(row.get("exchange", "")).upper(), brsymbol) if brsymbol else None)
        if found is None:
            log.warning("%s %s:%s (token %s) is not in the installed master contract", DISPLAY, exchange,
                        brsymbol, token or "?")
            return brsymbol, exchange
        return found.symbol, found.exchange

    # --- orders ---------------------------------------------------------------------------------
    def _order_body(self, request: OrderRequest, instrument: Instrument) -> dict[str, str]:
        if request.quantity <= 0:
            raise OrderRejected(BROKER, f"{DISPLAY}: quantity must be positive")
        trigger = _wire_price(request.trigger_price)
        body = {
            "variety": variety(request.pricetype), "tradingsymbol": instrument.brsymbol,
            "symboltoken": instrument.token, "transactiontype": ACTION.to_broker(request.action),
            "exchange": ORDER_EXCHANGE.to_broker(request.exchange), "ordertype": PRICE_TYPE.to_broker(request.pricetype),
            "producttype": PRODUCT.to_broker(request.product), "duration": VALIDITY.to_broker("DAY"),
            "price": _wire_price(request.price) if request.pricetype in (PriceType.LIMIT, PriceType.SL) else "0",
            "triggerprice": trigger, "squareoff": "0", "stoploss": trigger, "quantity": str(request.quantity),
        }
        if request.disclosed_quantity:
            body["disclosedquantity"] = str(request.disclosed_quantity)
        return body

    async def place_order(self, request: OrderRequest) -> Order:
        body = self._order_body(request, self._instrument(request))
        if request.strategy:
            body["ordertag"] = request.strategy[:20]  # Angel refuses tags of 20+ characters (AB4008)
        data = await self.rest.call("POST", f"{ORDER_ROOT}/placeOrder", group="orders", body=body, order=True)
        orderid = str((data or {}).get("orderid") or "")
        if not orderid:
            raise OrderRejected(BROKER, f"{DISPLAY} accepted the order but returned no order id")
        return Order(orderid, request, OrderStatus.OPEN, timestamp=datetime.now(IST))

    async def modify_order(self, orderid: str, request: OrderRequest) -> Order:
        body = self._order_body(request, self._instrument(request))
        body["orderid"] = orderid
        for unused in ("squareoff", "stoploss"):
            body.pop(unused)
        data = await self.rest.call("POST", f"{ORDER_ROOT}/modifyOrder", group="orders", body=body, order=True)
        return Order(str((data or {}).get("orderid") or orderid), request, OrderStatus.OPEN,
                     timestamp=datetime.now(IST))

    async def cancel_order(self, orderid: str) -> Order:
        # Angel wants the order's own variety (STOPLOSS orders are not NORMAL), so read it first.
        rows = await self._order_rows()
        row = next((r for r in rows if str(r.get("orderid")) == str(orderid)), None)
        if row is None:
            raise BrokerError(BROKER, f"{DISPLAY}: order {orderid} not found", 404)
        await self.rest.call("POST", f"{ORDER_ROOT}/cancelOrder", group="orders", order=True,
                             body={"variety": str(row.get("variety") or "NORMAL"), "orderid": str(orderid)})
        order = self._order(row)
        order.status = OrderStatus.CANCELLED
        return order

    # --- books ------------------------------------------------------------------------------------
    async def _order_rows(self) -> list[dict]:
        return await self.rest.call("GET", f"{ORDER_ROOT}/getOrderBook", group="orderbook") or []

    def _order(self, row: dict) -> Order:
        symbol, exchange = self._resolve(row)
        request = OrderRequest(
            symbol=symbol, exchange=exchange, action=ACTION.from_broker(str(row.get("transactiontype", ""))),
            quantity=_int(row.get("quantity")), pricetype=PRICE_TYPE.from_broker(str(row.get("ordertype", ""))),
            product=PRODUCT.from_broker(str(row.get("producttype", ""))), price=_money(row.get("price")),
            trigger_price=_money(row.get("triggerprice")), disclosed_quantity=_int(row.get("disclosedquantity")),
            strategy=str(row.get("ordertag") or ""))
        now = datetime.now(IST)
        return Order(orderid=str(row.get("orderid", "")), request=request,
                     status=ORDER_STATUS.from_broker(str(row.get("status") or row.get("orderstatus") or "")),
                     filled_quantity=_int(row.get("filledshares")), average_price=_money(row.get("averageprice")),
                     timestamp=_stamp(row.get("updatetime") or row.get("exchtime"), now),
                     reason=str(row.get("text") or ""))

    async def orders(self) -> list[Order]:
        return [self._order(row) for row in await self._order_rows()]

    async def trades(self) -> list[Trade]:
        rows = await self.rest.call("GET", f"{ORDER_ROOT}/getTradeBook", group="tradebook") or []
        now = datetime.now(IST)
        result = []
        for row in rows:
            symbol, exchange = self._resolve(row)
            result.append(Trade(
                orderid=str(row.get("orderid", "")), tradeid=str(row.get("fillid", "")), symbol=symbol,
                exchange=exchange, action=ACTION.from_broker(str(row.get("transactiontype", ""))),
                product=PRODUCT.from_broker(str(row.get("producttype", ""))),
                quantity=_int(row.get("fillsize") or row.get("quantity")), price=_money(row.get("fillprice")),
                timestamp=_stamp(row.get("filltime"), now) or now))
        return result

    async def _position_rows(self) -> list[dict]:
        return await self.rest.call("GET", f"{ORDER_ROOT}/getPosition", group="positions") or []

    async def positions(self) -> list[Position]:
        result = []
        for row in await self._position_rows():
            symbol, exchange = self._resolve(row)
            result.append(Position(
                symbol=symbol, exchange=exchange, product=PRODUCT.from_broker(str(row.get("producttype", ""))),
                quantity=_int(row.get("netqty")), average_price=_money(row.get("avgnetprice")),
                ltp=float(_money(row.get("ltp"))), pnl=_money(row.get("pnl")),
                realized_pnl=_money(row.get("realised"))))
        return result

    async def holdings(self) -> list[Holding]:
        data = await self.rest.call("GET", HOLDINGS_PATH, group="holdings") or {}
        result = []
        for row in data.get("holdings") or []:
            symbol, exchange = self._resolve(row)
            result.append(Holding(symbol=symbol, exchange=exchange, quantity=_int(row.get("quantity")),
                                  average_price=_money(row.get("averageprice")), ltp=float(_money(row.get("ltp"))),
                                  pnl=_money(row.get("profitandloss"))))
        return result

    async def funds(self) -> Funds:
        rms = await self.rest.call("GET", RMS_PATH, group="rms") or {}
        positions = await self._position_rows()
        # The reference's OpenAlgo rewrite of these fields reduces algebraically to
        # debits + payout, so we pass Angel's own figures through (as OpenAlgo long did) and
        # take M2M from the positions, because the RMS m2m fields have been seen stuck at 0.
        realized = sum((_money(p.get("pnl")) for p in positions if _int(p.get("netqty")) == 0), Decimal(0))
        unrealized = sum((_money(p.get("pnl")) for p in positions if _int(p.get("netqty")) != 0), Decimal(0))
        return Funds(availablecash=_money(rms.get("availablecash")), collateral=_money(rms.get("collateral")),
                     m2mrealized=realized, m2munrealized=unrealized, utiliseddebits=_money(rms.get("utiliseddebits")))

    # --- basket margin (MarginClient) -------------------------------------------------------------
    async def margin(self, requests: Sequence[OrderRequest]) -> dict[str, float]:
        if not requests or len(requests) > MAX_MARGIN_POSITIONS:
            # Hedge benefits make per-chunk margins unsummable, so no silent chunking.
            raise BrokerError(BROKER, f"{DISPLAY} computes margin for 1 to {MAX_MARGIN_POSITIONS} orders at a time",
                              400)
        positions = []
        for request in requests:
            instrument = self._instrument(request)
            price = request.price if request.pricetype in (PriceType.LIMIT, PriceType.SL) else Decimal(0)
            positions.append({
                "exchange": ORDER_EXCHANGE.to_broker(request.exchange), "qty": request.quantity,
                "price": float(price), "productType": PRODUCT.to_broker(request.product), "token": instrument.token,
                "tradeType": ACTION.to_broker(request.action), "orderType": PRICE_TYPE.to_broker(request.pricetype)})
        data = await self.rest.call("POST", MARGIN_PATH, group="margin", body={"positions": positions},
                                    idempotent=True) or {}
        components = data.get("marginComponents") or {}
        return {"total_margin_required": float(_money(data.get("totalMarginRequired"))),
                "span_margin": float(_money(components.get("spanMargin"))), "exposure_margin": 0.0}
