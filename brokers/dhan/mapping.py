"""Two-way value tables between OpenAlgo's values and DhanHQ v2's wire values."""

from __future__ import annotations

from brokers.common.mapping import ValueMap
from brokers.contract.types import Action, Exchange, OrderStatus, PriceType, Product

BROKER = "dhan"

# Order/book segments. Indices are data-only (IDX_I) and live in DATA_SEGMENT below, because NSE
# and BSE indices share one segment and so cannot be mapped back.
EXCHANGE = ValueMap(BROKER, "exchange segment", {
    Exchange.NSE: "NSE_EQ",
    Exchange.BSE: "BSE_EQ",
    Exchange.NFO: "NSE_FNO",
    Exchange.BFO: "BSE_FNO",
    Exchange.CDS: "NSE_CURRENCY",
    Exchange.BCD: "BSE_CURRENCY",
    Exchange.MCX: "MCX_COMM",
})

# One-way (ours → Dhan) for quotes, history and the feed.
DATA_SEGMENT: dict[Exchange, str] = {
    **{exchange: EXCHANGE.to_broker(exchange) for exchange in
       (Exchange.NSE, Exchange.BSE, Exchange.NFO, Exchange.BFO, Exchange.CDS, Exchange.BCD, Exchange.MCX)},
    Exchange.NSE_INDEX: "IDX_I",
    Exchange.BSE_INDEX: "IDX_I",
}

# Numeric segment codes of the binary feed (Dhan annexure).
FEED_SEGMENT_CODE = {"IDX_I": 0, "NSE_EQ": 1, "NSE_FNO": 2, "NSE_CURRENCY": 3, "BSE_EQ": 4, "MCX_COMM": 5,
                     "BSE_CURRENCY": 7, "BSE_FNO": 8}

PRODUCT = ValueMap(BROKER, "product", {
    Product.CNC: "CNC",
    Product.NRML: "MARGIN",
    Product.MIS: "INTRADAY",
})

PRICE_TYPE = ValueMap(BROKER, "order type", {
    PriceType.MARKET: "MARKET",
    PriceType.LIMIT: "LIMIT",
    PriceType.SL: "STOP_LOSS",
    PriceType.SL_M: "STOP_LOSS_MARKET",  # read back from books; sent as STOP_LOSS + protective limit
})

ACTION = ValueMap(BROKER, "transaction type", {Action.BUY: "BUY", Action.SELL: "SELL"})

VALIDITY = ValueMap(BROKER, "validity", {"DAY": "DAY", "IOC": "IOC"})

ORDER_STATUS = ValueMap(
    BROKER, "order status",
    {OrderStatus.OPEN: "PENDING", OrderStatus.COMPLETE: "TRADED", OrderStatus.REJECTED: "REJECTED",
     OrderStatus.CANCELLED: "CANCELLED"},
    # TRANSIT = not yet at the exchange; PART_TRADED still works the rest. EXPIRED (a day order the
    # exchange dropped at the close) has no OpenAlgo status: it is an exchange-side cancellation.
    {"TRANSIT": OrderStatus.OPEN, "PART_TRADED": OrderStatus.OPEN, "EXPIRED": OrderStatus.CANCELLED},
    case_insensitive=True,
)
