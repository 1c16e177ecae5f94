"""Two-way value tables between OpenAlgo's values and Upstox's wire values."""

from __future__ import annotations

from brokers.common.mapping import ValueMap
from brokers.contract.errors import UnmappedValue
from brokers.contract.types import Action, Exchange, OrderStatus, PriceType, Product

BROKER = "upstox"

# Exchange ↔ the segment prefix of an instrument key (`NSE_EQ|INE…`).
SEGMENT = ValueMap(BROKER, "exchange", {
    Exchange.NSE: "NSE_EQ", Exchange.BSE: "BSE_EQ", Exchange.NFO: "NSE_FO", Exchange.BFO: "BSE_FO",
    Exchange.CDS: "NCD_FO", Exchange.BCD: "BCD_FO", Exchange.MCX: "MCX_FO",
    Exchange.NSE_INDEX: "NSE_INDEX", Exchange.BSE_INDEX: "BSE_INDEX", Exchange.GLOBAL_INDEX: "GLOBAL_INDEX",
}, inbound_extra={"NSE_CD": Exchange.CDS, "GLOBAL_INDICATOR": Exchange.GLOBAL_INDEX})

# Books report the exchange OpenAlgo-style already; only these appear there.
BOOK_EXCHANGE = ValueMap(BROKER, "exchange", {
    e: e.value for e in (Exchange.NSE, Exchange.BSE, Exchange.NFO, Exchange.BFO, Exchange.CDS,
                         Exchange.BCD, Exchange.MCX)})

# `D` (delivery/carry) means CNC on cash segments and NRML on derivatives, so inbound depends on the
# exchange; outbound both collapse into `D`.
PRODUCT = ValueMap(BROKER, "product", {Product.CNC: "D", Product.NRML: "D", Product.MIS: "I"})
_PRODUCT_CASH = ValueMap(BROKER, "product", {Product.CNC: "D", Product.MIS: "I"})
_PRODUCT_DERIVATIVE = ValueMap(BROKER, "product", {Product.NRML: "D", Product.MIS: "I"})
_CASH = frozenset({Exchange.NSE, Exchange.BSE})

PRICE_TYPE = ValueMap(BROKER, "price type", {
    PriceType.MARKET: "MARKET", PriceType.LIMIT: "LIMIT", PriceType.SL: "SL", PriceType.SL_M: "SL-M"})

ACTION = ValueMap(BROKER, "action", {Action.BUY: "BUY", Action.SELL: "SELL"}, case_insensitive=True)

VALIDITY = ValueMap(BROKER, "validity", {"DAY": "DAY", "IOC": "IOC"})

# Upstox reports in-flight states as their own free text; all of them are still working orders.
ORDER_STATUS = ValueMap(BROKER, "order status", {
    OrderStatus.OPEN: "open", OrderStatus.COMPLETE: "complete", OrderStatus.CANCELLED: "cancelled",
    OrderStatus.REJECTED: "rejected", OrderStatus.TRIGGER_PENDING: "trigger pending",
}, inbound_extra={
    "put order req received": OrderStatus.OPEN, "validation pending": OrderStatus.OPEN,
    "open pending": OrderStatus.OPEN, "modify pending": OrderStatus.OPEN,
    "modify validation pending": OrderStatus.OPEN, "cancel pending": OrderStatus.OPEN,
    "modified": OrderStatus.OPEN, "not modified": OrderStatus.OPEN, "not cancelled": OrderStatus.OPEN,
    "after market order req received": OrderStatus.OPEN,
    "modify after market order req received": OrderStatus.OPEN,
    "cancelled after market order": OrderStatus.CANCELLED,
}, case_insensitive=True)

# OpenAlgo interval → (unit, interval) of the v3 historical-candle API.
INTERVALS: dict[str, tuple[str, str]] = {
    "1m": ("minutes", "1"), "2m": ("minutes", "2"), "3m": ("minutes", "3"), "5m": ("minutes", "5"),
    "10m": ("minutes", "10"), "15m": ("minutes", "15"), "30m": ("minutes", "30"), "60m": ("minutes", "60"),
    "1h": ("hours", "1"), "2h": ("hours", "2"), "3h": ("hours", "3"), "4h": ("hours", "4"),
    "D": ("days", "1"), "W": ("weeks", "1"), "M": ("months", "1"),
}
# Upstox's largest span per request ("1 month", "1 quarter", "1 decade"), taken as the shortest
# such calendar span so no chunk is ever refused; longer ranges are chunked. W/M have no limit.
HISTORY_SPAN_DAYS: dict[str, int] = {
    **{name: 28 for name in ("1m", "2m", "3m", "5m", "10m", "15m")},
    **{name: 89 for name in ("30m", "60m", "1h", "2h", "3h", "4h")},
    "D": 3650, "W": 36500, "M": 36500,
}
DATE_INTERVALS = frozenset({"D", "W", "M"})


def exchange_of_key(instrument_key: str) -> Exchange:
    """Our exchange from an instrument key's segment prefix."""
    return SEGMENT.from_broker(instrument_key.partition("|")[0])


def product_from_broker(value: str, exchange: Exchange) -> Product:
    table = _PRODUCT_CASH if exchange in _CASH else _PRODUCT_DERIVATIVE
    return table.from_broker(value)


def book_exchange(value: str) -> Exchange:
    return BOOK_EXCHANGE.from_broker(value)


def order_status(value: str) -> OrderStatus:
    if not isinstance(value, str):
        raise UnmappedValue(BROKER, "order status", value)
    return ORDER_STATUS.from_broker(value.strip())
