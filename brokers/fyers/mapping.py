"""Two-way tables between our canonical values and Fyers' wire values (reference §4)."""

from __future__ import annotations

from brokers.common.mapping import ValueMap
from brokers.contract.types import Action, Exchange, OrderStatus, PriceType, Product

BROKER = "fyers"

PRICE_TYPE: ValueMap[PriceType, int] = ValueMap(BROKER, "price type", {
    PriceType.LIMIT: 1, PriceType.MARKET: 2, PriceType.SL_M: 3, PriceType.SL: 4,
})
ACTION: ValueMap[Action, int] = ValueMap(BROKER, "side", {Action.BUY: 1, Action.SELL: -1})
PRODUCT: ValueMap[Product, str] = ValueMap(BROKER, "product", {
    Product.CNC: "CNC", Product.NRML: "MARGIN", Product.MIS: "INTRADAY",
}, case_insensitive=True)
# Holdings carry a settlement type instead of a product; both settle as delivery.
HOLDING_TYPE: ValueMap[Product, str] = ValueMap(BROKER, "holding type", {Product.CNC: "HLD"}, {"T1": Product.CNC},
                                               case_insensitive=True)
VALIDITY: ValueMap[str, str] = ValueMap(BROKER, "validity", {"DAY": "DAY", "IOC": "IOC"}, case_insensitive=True)
# 4 is "transit" (on its way to the exchange): open, not trigger pending (reference §4.2 ⚠).
# 7 is an exchange-expired DAY order, which for our books is a cancellation. 3 is unused: unmapped.
ORDER_STATUS: ValueMap[OrderStatus, int] = ValueMap(BROKER, "order status", {
    OrderStatus.CANCELLED: 1, OrderStatus.COMPLETE: 2, OrderStatus.REJECTED: 5, OrderStatus.OPEN: 6,
}, {4: OrderStatus.OPEN, 7: OrderStatus.CANCELLED})

# (exchange code, segment code) as Fyers reports them on every book row.
EXCHANGE_SEGMENT: ValueMap[Exchange, tuple[int, int]] = ValueMap(BROKER, "exchange/segment", {
    Exchange.NSE: (10, 10), Exchange.NFO: (10, 11), Exchange.CDS: (10, 12),
    Exchange.BSE: (12, 10), Exchange.BFO: (12, 11), Exchange.BCD: (12, 12),
    Exchange.MCX: (11, 20),
})
# Indices are quoted on the cash segment of their exchange.
INDEX_HOME = {Exchange.NSE_INDEX: Exchange.NSE, Exchange.BSE_INDEX: Exchange.BSE}

# HSM segment names by the first four digits of a fytoken (reference §4.3).
HSM_SEGMENT = {
    "1010": "nse_cm", "1011": "nse_fo", "1012": "cde_fo", "1210": "bse_cm", "1211": "bse_fo",
    "1212": "bcs_fo", "1120": "mcx_fo", "1020": "nse_com",
}


def brexchange(exchange: Exchange) -> str:
    """The `brexchange` our master stores for an instrument (indices live on their cash segment)."""
    return INDEX_HOME.get(exchange, exchange).value


def exchange_of(exchange_code: object, segment_code: object) -> Exchange:
    try:
        key = (int(exchange_code), int(segment_code))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        key = (exchange_code, segment_code)  # type: ignore[assignment]
    return EXCHANGE_SEGMENT.from_broker(key)  # type: ignore[arg-type]
