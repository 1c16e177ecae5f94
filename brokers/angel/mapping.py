"""Value tables between our canonical values and SmartAPI's wire values (reference §4)."""

from __future__ import annotations

from brokers.common.mapping import ValueMap
from brokers.contract.types import Action, Exchange, OrderStatus, PriceType, Product

BROKER = "angel"

# Orders and books use our exchange codes unchanged.
ORDER_EXCHANGE: ValueMap[Exchange, str] = ValueMap(BROKER, "exchange", {
    Exchange.NSE: "NSE", Exchange.BSE: "BSE", Exchange.NFO: "NFO", Exchange.BFO: "BFO",
    Exchange.CDS: "CDS", Exchange.MCX: "MCX", Exchange.NCDEX: "NCDEX",
}, case_insensitive=True)

# Quotes and history ask for indices under their cash exchange.
DATA_EXCHANGE: dict[Exchange, str] = {
    Exchange.NSE: "NSE", Exchange.BSE: "BSE", Exchange.NFO: "NFO", Exchange.BFO: "BFO",
    Exchange.CDS: "CDS", Exchange.MCX: "MCX", Exchange.NCDEX: "NCDEX",
    Exchange.NSE_INDEX: "NSE", Exchange.BSE_INDEX: "BSE", Exchange.MCX_INDEX: "MCX",
}

PRODUCT: ValueMap[Product, str] = ValueMap(BROKER, "product", {
    Product.CNC: "DELIVERY", Product.NRML: "CARRYFORWARD", Product.MIS: "INTRADAY",
}, case_insensitive=True)

PRICE_TYPE: ValueMap[PriceType, str] = ValueMap(BROKER, "price type", {
    PriceType.MARKET: "MARKET", PriceType.LIMIT: "LIMIT",
    PriceType.SL: "STOPLOSS_LIMIT", PriceType.SL_M: "STOPLOSS_MARKET",
}, case_insensitive=True)

ACTION: ValueMap[Action, str] = ValueMap(BROKER, "action", {Action.BUY: "BUY", Action.SELL: "SELL"},
                                         case_insensitive=True)

# Stop orders go in the STOPLOSS variety; outbound only (two price types share NORMAL).
_VARIETY = {PriceType.MARKET: "NORMAL", PriceType.LIMIT: "NORMAL", PriceType.SL: "STOPLOSS",
            PriceType.SL_M: "STOPLOSS"}


def variety(pricetype: PriceType) -> str:
    return _VARIETY[pricetype]


# Our orders are DAY orders; IOC is understood when the broker reports it.
VALIDITY: ValueMap[str, str] = ValueMap(BROKER, "validity", {"DAY": "DAY", "IOC": "IOC"}, case_insensitive=True)

# Angel's order-book `status` words; its transient OMS states are still working orders.
ORDER_STATUS: ValueMap[OrderStatus, str] = ValueMap(BROKER, "order status", {
    OrderStatus.OPEN: "open", OrderStatus.COMPLETE: "complete", OrderStatus.CANCELLED: "cancelled",
    OrderStatus.REJECTED: "rejected", OrderStatus.TRIGGER_PENDING: "trigger pending",
}, inbound_extra={
    "open pending": OrderStatus.OPEN, "validation pending": OrderStatus.OPEN,
    "put order req received": OrderStatus.OPEN, "modify validation pending": OrderStatus.OPEN,
    "modify pending": OrderStatus.OPEN, "cancel pending": OrderStatus.OPEN,
    "after market order req received": OrderStatus.OPEN, "modified": OrderStatus.OPEN,
}, case_insensitive=True)
