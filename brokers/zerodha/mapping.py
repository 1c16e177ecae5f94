"""Two-way value tables between OpenAlgo's vocabulary and Kite's."""

from __future__ import annotations

from brokers.common.mapping import ValueMap
from brokers.contract.types import Action, Exchange, OrderStatus, PriceType, Product
from brokers.zerodha.api import BROKER

# Tradable exchanges only: indices are quoted under their cash exchange but never ordered.
EXCHANGES: ValueMap[Exchange, str] = ValueMap(BROKER, "exchange", {
    Exchange.NSE: "NSE", Exchange.BSE: "BSE", Exchange.NFO: "NFO", Exchange.BFO: "BFO",
    Exchange.CDS: "CDS", Exchange.BCD: "BCD", Exchange.MCX: "MCX", Exchange.NCO: "NCO",
})

PRODUCTS: ValueMap[Product, str] = ValueMap(BROKER, "product", {
    Product.CNC: "CNC", Product.NRML: "NRML", Product.MIS: "MIS",
})  # Kite's MTF (and CO/BO leftovers) have no OpenAlgo product and raise UnmappedValue.

PRICE_TYPES: ValueMap[PriceType, str] = ValueMap(BROKER, "price type", {
    PriceType.MARKET: "MARKET", PriceType.LIMIT: "LIMIT", PriceType.SL: "SL", PriceType.SL_M: "SL-M",
})

ACTIONS: ValueMap[Action, str] = ValueMap(BROKER, "action", {Action.BUY: "BUY", Action.SELL: "SELL"})

# OpenAlgo exposes no validity; every order goes as DAY. IOC/TTL rows in a book map back to DAY.
VALIDITY: ValueMap[str, str] = ValueMap(BROKER, "validity", {"DAY": "DAY"},
                                        inbound_extra={"IOC": "DAY", "TTL": "DAY"})

ORDER_STATUS: ValueMap[OrderStatus, str] = ValueMap(
    BROKER, "order status",
    {OrderStatus.OPEN: "OPEN", OrderStatus.COMPLETE: "COMPLETE", OrderStatus.CANCELLED: "CANCELLED",
     OrderStatus.REJECTED: "REJECTED", OrderStatus.TRIGGER_PENDING: "TRIGGER PENDING"},
    # Transient OMS states: the order is still working.
    inbound_extra={s: OrderStatus.OPEN for s in (
        "PUT ORDER REQ RECEIVED", "VALIDATION PENDING", "OPEN PENDING", "MODIFY VALIDATION PENDING",
        "MODIFY PENDING", "CANCEL PENDING", "AMO REQ RECEIVED", "UPDATE")},
    case_insensitive=True,
)
