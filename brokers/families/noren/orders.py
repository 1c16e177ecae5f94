"""Orders, books, funds and margin over Noren REST (ExecutionClient, MarginClient).

Most members refuse MKT/SL-MKT for API orders ("ALGO_CHK: MKT Order type not allowed"), so a
MARKET order goes out as a limit at a protected price (Market Price Protection, reference §5.1).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

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
from brokers.families.noren.convert import IST, integer, money, noren_time, number, plain
from brokers.families.noren.mapping import NorenMaps, wire_exchange
from brokers.families.noren.market import NorenData
from brokers.families.noren.wire import NorenApi

log = logging.getLogger("algogate.brokers.noren")

# (upper LTP bound, pct) slabs: equity/futures and options.
_MPP_EQUITY = ((Decimal(10), Decimal("0.02")), (Decimal(100), Decimal("0.02")), (Decimal(500), Decimal("0.01")),
               (None, Decimal("0.005")))
_MPP_OPTION = ((Decimal(10), Decimal("0.05")), (Decimal(100), Decimal("0.03")), (Decimal(500), Decimal("0.02")),
               (None, Decimal("0.01")))


def protected_price(price: Decimal, buy: bool, option: bool, tick: Decimal) -> Decimal:
    """LTP × (1 ± slab pct), rounded to the tick (+ for a buy, − for a sell)."""
    pct = next(p for bound, p in (_MPP_OPTION if option else _MPP_EQUITY) if bound is None or price < bound)
    raw = price * (1 + pct) if buy else price * (1 - pct)
    tick = tick if tick > 0 else Decimal("0.01")
    return ((raw / tick).quantize(Decimal(1), rounding=ROUND_HALF_UP) * tick).normalize()


class NorenExecution:
    def __init__(self, api: NorenApi, maps: NorenMaps, instruments: InstrumentLookup, data: NorenData) -> None:
        self.api = api
        self.maps = maps
        self.instruments = instruments
        self.data = data
        self.broker = api.broker

    # --- translation -------------------------------------------------------------------------
    def _instrument(self, exchange: Exchange, symbol: str) -> Instrument:
        instrument = self.instruments.get(str(exchange), symbol)
        if instrument is None:
            raise InstrumentNotFound(self.broker, symbol, str(exchange))
        return instrument

    def _ours(self, row: Mapping[str, Any], by_token: bool) -> tuple[str, Exchange]:
        brexchange = str(row.get("exch") or "")
        exchange = self.maps.exchanges.from_broker(brexchange)
        found = None
        if by_token and row.get("token"):
            found = self.instruments.by_token(str(exchange), str(row.get("token")))
        if found is None:
            found = self.instruments.by_brsymbol(brexchange, str(row.get("tsym") or ""))
        if found is None:
            log.warning("%s: %s:%s is not in the master contract", self.broker, brexchange, row.get("tsym"))
            return str(row.get("tsym") or ""), exchange
        return found.symbol, found.exchange

    def _order(self, row: Mapping[str, Any]) -> Order:
        symbol, exchange = self._ours(row, by_token=True)
        request = OrderRequest(
            symbol=symbol, exchange=exchange, action=self.maps.actions.from_broker(row.get("trantype")),
            quantity=integer(row.get("qty")), pricetype=self.maps.price_types.from_broker(row.get("prctyp")),
            product=self.maps.products.from_broker(row.get("prd")), price=money(row.get("prc")),
            trigger_price=money(row.get("trgprc")), disclosed_quantity=integer(row.get("dscqty")),
            strategy=str(row.get("remarks") or ""),
        )
        return Order(orderid=str(row.get("norenordno")), request=request, status=self.maps.status(row.get("status")),
                     filled_quantity=integer(row.get("fillshares")), average_price=money(row.get("avgprc")),
                     timestamp=noren_time(row.get("norentm")), reason=str(row.get("rejreason") or ""))

    async def _price_fields(self, request: OrderRequest, instrument: Instrument) -> dict[str, str]:
        """prctyp/prc/trgprc, converting MARKET (and SL-M where banned) into protected limits."""
        pricetype, price, trigger = request.pricetype, request.price, request.trigger_price
        member = self.api.member
        convert = ((pricetype == PriceType.MARKET and member.mpp_market)
                   or (pricetype == PriceType.SL_M and member.mpp_stop))
        if not convert:
            return {"prctyp": self.maps.price_types.to_broker(pricetype), "prc": plain(price),
                    "trgprc": plain(trigger)}
        buy = request.action.value == "BUY"
        row = await self.data.raw_quote(instrument)
        ltp = money(row.get("lp"))
        tick = money(row.get("ti")) or instrument.tick_size
        if pricetype == PriceType.MARKET:
            if ltp <= 0:
                raise OrderRejected(self.broker, "no last price to protect a market order with; use a limit order")
            return {"prctyp": "LMT", "prc": plain(protected_price(ltp, buy, instrument.is_option, tick)),
                    "trgprc": "0"}
        # SL-M: keep the trigger; the limit is protected beyond whichever of trigger and LTP is further.
        base = max(trigger, ltp) if buy else (min(trigger, ltp) if ltp > 0 else trigger)
        return {"prctyp": "SL-LMT", "prc": plain(protected_price(base, buy, instrument.is_option, tick)),
                "trgprc": plain(trigger)}

    async def _leg(self, request: OrderRequest, instrument: Instrument) -> dict[str, str]:
        return {
            "uid": self.api.uid, "actid": self.api.actid, "exch": wire_exchange(self.maps, request.exchange),
            "tsym": instrument.brsymbol, "qty": str(request.quantity), "prd": self.maps.products.to_broker(request.product),
            "trantype": self.maps.actions.to_broker(request.action), **await self._price_fields(request, instrument),
        }

    async def _find(self, orderid: str, fallback: OrderRequest | None, status: OrderStatus) -> Order:
        """The order's state from the book; the write already succeeded, so a failing read falls
        back to what we know rather than raising."""
        try:
            for row in await self._book():
                if str(row.get("norenordno")) == orderid:
                    return self._order(row)
        except BrokerError as exc:
            if fallback is None:
                raise
            log.warning("%s: order %s written but its state could not be read: %s", self.broker, orderid, exc.message)
        if fallback is None:
            raise BrokerError(self.broker, f"order {orderid} not found in the order book", 404)
        return Order(orderid, fallback, status)

    async def _book(self) -> list[Mapping[str, Any]]:
        return await self.api.call("OrderBook", {"uid": self.api.uid, "actid": self.api.actid}, listing=True)

    # --- ExecutionClient ---------------------------------------------------------------------
    async def place_order(self, request: OrderRequest) -> Order:
        instrument = self._instrument(request.exchange, request.symbol)
        payload = await self._leg(request, instrument)
        payload.update({"dscqty": str(request.disclosed_quantity), "ret": self.maps.validity.to_broker("DAY"),
                        "ordersource": "API", "mkt_protection": "0"})
        if request.strategy:
            payload["remarks"] = request.strategy[:40]
        answer = await self.api.call("PlaceOrder", payload, group="orders", order=True)
        orderid = str(answer.get("norenordno") or "")
        if not orderid:
            raise BrokerError(self.broker, "order accepted without an order number", 502)
        order = await self._find(orderid, request, OrderStatus.OPEN)
        if order.status == OrderStatus.REJECTED:  # RMS refusals are recorded, not answered Not_Ok
            raise OrderRejected(self.broker, order.reason or "order rejected", orderid=orderid)
        return order

    async def modify_order(self, orderid: str, request: OrderRequest) -> Order:
        instrument = self._instrument(request.exchange, request.symbol)
        fields = await self._price_fields(request, instrument)
        payload = {"uid": self.api.uid, "exch": wire_exchange(self.maps, request.exchange), "norenordno": orderid,
                   "tsym": instrument.brsymbol, "qty": str(request.quantity), "prc": fields["prc"],
                   "prctyp": fields["prctyp"], "ret": self.maps.validity.to_broker("DAY"),
                   "dscqty": str(request.disclosed_quantity)}
        if fields["prctyp"] in ("SL-LMT", "SL-MKT"):
            payload["trgprc"] = fields["trgprc"]  # a trgprc on a LIMIT is refused ("Trigger price invalid")
        await self.api.call("ModifyOrder", payload, group="orders", order=True)
        return await self._find(orderid, request, OrderStatus.OPEN)

    async def cancel_order(self, orderid: str) -> Order:
        await self.api.call("CancelOrder", {"uid": self.api.uid, "norenordno": orderid}, group="orders", order=True)
        return await self._find(orderid, None, OrderStatus.CANCELLED)

    async def orders(self) -> list[Order]:
        return [self._order(row) for row in await self._book()]

    async def trades(self) -> list[Trade]:
        rows = await self.api.call("TradeBook", {"uid": self.api.uid, "actid": self.api.actid}, listing=True)
        result = []
        for row in rows:
            symbol, exchange = self._ours(row, by_token=False)
            stamp = noren_time(row.get("fltm")) or noren_time(row.get("norentm")) or datetime.now(IST)
            result.append(Trade(
                orderid=str(row.get("norenordno")), tradeid=str(row.get("flid") or row.get("norenordno")),
                symbol=symbol, exchange=exchange, action=self.maps.actions.from_broker(row.get("trantype")),
                product=self.maps.products.from_broker(row.get("prd")),
                quantity=integer(row.get("flqty") or row.get("qty")),
                price=money(row.get("flprc") or row.get("avgprc")), timestamp=stamp,
            ))
        return result

    async def _position_rows(self) -> list[Mapping[str, Any]]:
        return await self.api.call("PositionBook", {"uid": self.api.uid, "actid": self.api.actid}, listing=True)

    async def positions(self) -> list[Position]:
        result = []
        for row in await self._position_rows():
            symbol, exchange = self._ours(row, by_token=False)
            realised, unrealised = money(row.get("rpnl")), money(row.get("urmtom"))
            result.append(Position(
                symbol=symbol, exchange=exchange, product=self.maps.products.from_broker(row.get("prd")),
                quantity=integer(row.get("netqty")), average_price=money(row.get("netavgprc")),
                ltp=number(row.get("lp")), pnl=realised + unrealised, realized_pnl=realised,
            ))
        return result

    async def holdings(self) -> list[Holding]:
        payload = {"uid": self.api.uid, "actid": self.api.actid, "prd": self.maps.products.to_broker("CNC")}
        result = []
        for row in await self.api.call("Holdings", payload, listing=True):
            legs = row.get("exch_tsym") or []
            leg = next((lg for lg in legs if lg.get("exch") == "NSE"), legs[0] if legs else None)
            if leg is None:
                continue
            quantity = (sum(integer(row.get(k)) for k in ("btstqty", "holdqty", "brkcolqty", "unplgdqty", "benqty"))
                        + max(integer(row.get("npoadqty")), integer(row.get("dpqty"))) - integer(row.get("usedqty")))
            symbol, exchange = self._ours(leg, by_token=False)
            result.append(Holding(symbol=symbol, exchange=exchange, quantity=quantity,
                                  average_price=money(row.get("upldprc"))))
        return result

    async def funds(self) -> Funds:
        limits = await self.api.call("Limits", {"uid": self.api.uid, "actid": self.api.actid})
        used = money(limits.get("marginused"))
        available = money(limits.get("cash")) + money(limits.get("payin")) - used
        if self.api.member.funds_pnl_from_positions:
            rows = await self._position_rows()
            realised = sum((money(r.get("rpnl")) for r in rows), Decimal(0))
            unrealised = sum((money(r.get("urmtom")) for r in rows), Decimal(0))
        else:
            # Limits reports rpnl with the opposite sign on Shoonya/Zebu.
            realised, unrealised = -money(limits.get("rpnl")), money(limits.get("unmtom"))
        return Funds(availablecash=available, collateral=money(limits.get("brkcollamt")), m2mrealized=realised,
                     m2munrealized=unrealised, utiliseddebits=used)

    # --- MarginClient ------------------------------------------------------------------------
    async def margin(self, requests: Sequence[OrderRequest]) -> dict[str, float]:
        style = self.api.member.margin
        if not style:
            raise BrokerError(self.broker, "this broker has no margin calculator", 501)
        if not requests:
            raise BrokerError(self.broker, "margin needs at least one order", 400)
        legs = [await self._leg(r, self._instrument(r.exchange, r.symbol)) for r in requests]
        if style == "order":  # single-order margins only: summed, no hedge benefit
            total = 0.0
            for leg in legs:
                answer = await self.api.call("GetOrderMargin", {**leg, "rorgqty": "0", "rorgprc": "0"})
                total += number(answer.get("ordermargin") or answer.get("marginused"))
            return {"total_margin_required": total, "span_margin": 0.0, "exposure_margin": 0.0}
        payload: dict[str, Any] = dict(legs[0])
        if len(legs) > 1:
            payload["basketlists"] = legs[1:]
        answer = await self.api.call("GetBasketMargin", payload)
        # `marginused` is the basket's requirement; Noren does not split SPAN and exposure.
        return {"total_margin_required": number(answer.get("marginused")), "span_margin": 0.0,
                "exposure_margin": 0.0}
