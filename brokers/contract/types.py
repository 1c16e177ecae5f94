"""Canonical types shared by every broker plugin, the paper engine, the streaming hub and the API.

Symbols and exchanges are OpenAlgo's (`SBIN` on `NSE`, `NIFTY30DEC25FUT` on `NFO`). Order money
is `Decimal`; market data (quotes, ticks, candles) is float, converted with `Decimal(repr(x))`
where it becomes money.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum, StrEnum


class Exchange(StrEnum):
    NSE = "NSE"
    NFO = "NFO"
    CDS = "CDS"
    BSE = "BSE"
    BFO = "BFO"
    BCD = "BCD"
    MCX = "MCX"
    NCDEX = "NCDEX"
    NCO = "NCO"
    NSE_INDEX = "NSE_INDEX"
    BSE_INDEX = "BSE_INDEX"
    MCX_INDEX = "MCX_INDEX"
    GLOBAL_INDEX = "GLOBAL_INDEX"
    CRYPTO = "CRYPTO"


DERIVATIVE_EXCHANGES = frozenset({Exchange.NFO, Exchange.BFO, Exchange.MCX, Exchange.CDS, Exchange.NCO,
                                  Exchange.BCD, Exchange.NCDEX, Exchange.CRYPTO})
INDEX_EXCHANGES = frozenset({Exchange.NSE_INDEX, Exchange.BSE_INDEX, Exchange.MCX_INDEX, Exchange.GLOBAL_INDEX})


class Action(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class Product(StrEnum):
    CNC = "CNC"
    NRML = "NRML"
    MIS = "MIS"


class PriceType(StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    SL = "SL"
    SL_M = "SL-M"


class OrderStatus(StrEnum):
    """OpenAlgo's normalised order statuses."""

    OPEN = "open"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    TRIGGER_PENDING = "trigger pending"


class FeedMode(IntEnum):
    """OpenAlgo feed modes."""

    LTP = 1
    QUOTE = 2
    DEPTH = 3


@dataclass(slots=True, frozen=True)
class Instrument:
    """One row of the master contract, in OpenAlgo's conventions."""

    symbol: str  # OpenAlgo symbol
    brsymbol: str  # the broker's own symbol
    name: str  # underlying / company name
    exchange: Exchange
    brexchange: str
    token: str  # the broker's instrument token, as a string
    expiry: date | None = None
    strike: Decimal | None = None
    lotsize: int = 1
    tick_size: Decimal = Decimal("0.05")
    instrumenttype: str = "EQ"  # EQ, FUT, CE, PE, INDEX, or the broker's own (FUTIDX …)
    freeze_qty: int = 0  # exchange freeze quantity; 0 = none

    @property
    def is_option(self) -> bool:
        return self.instrumenttype in ("CE", "PE")

    @property
    def expiry_text(self) -> str:
        """Master-data expiry format `DD-MMM-YY` (upper case), empty for none."""
        return self.expiry.strftime("%d-%b-%y").upper() if self.expiry else ""


@dataclass(slots=True)
class DepthLevel:
    price: float
    quantity: int
    orders: int = 0


@dataclass(slots=True)
class Quote:
    ltp: float
    open: float = 0.0
    high: float = 0.0
    low: float = 0.0
    prev_close: float = 0.0
    bid: float = 0.0
    ask: float = 0.0
    volume: int = 0
    oi: int = 0
    timestamp: datetime | None = None


@dataclass(slots=True)
class Depth:
    quote: Quote
    bids: list[DepthLevel] = field(default_factory=list)
    asks: list[DepthLevel] = field(default_factory=list)
    total_buy_qty: int = 0
    total_sell_qty: int = 0


@dataclass(slots=True)
class Candle:
    timestamp: int  # epoch seconds of the candle start (see api-v1 §1.10 for daily candles)
    open: float
    high: float
    low: float
    close: float
    volume: int
    oi: int = 0


@dataclass(slots=True)
class Tick:
    """A normalised market-data update, as the streaming hub distributes it."""

    exchange: str
    symbol: str
    mode: FeedMode
    ltp: float
    timestamp_ms: int  # exchange time of the update, epoch milliseconds
    volume: int = 0
    open: float = 0.0
    high: float = 0.0
    low: float = 0.0
    close: float = 0.0  # previous close
    bid: float = 0.0
    ask: float = 0.0
    bid_qty: int = 0
    ask_qty: int = 0
    oi: int = 0
    average_price: float = 0.0
    depth: Depth | None = None  # DEPTH mode only
    last_quantity: int = 0  # quantity of the last trade
    total_buy_quantity: int = 0  # pending buy quantity across the book
    total_sell_quantity: int = 0


@dataclass(slots=True, frozen=True)
class OrderRequest:
    symbol: str
    exchange: Exchange
    action: Action
    quantity: int
    pricetype: PriceType = PriceType.MARKET
    product: Product = Product.MIS
    price: Decimal = Decimal(0)
    trigger_price: Decimal = Decimal(0)
    disclosed_quantity: int = 0
    strategy: str = ""


@dataclass(slots=True)
class Order:
    orderid: str
    request: OrderRequest
    status: OrderStatus
    filled_quantity: int = 0
    average_price: Decimal = Decimal(0)
    timestamp: datetime | None = None  # IST-aware
    reason: str = ""  # rejection / cancellation reason


@dataclass(slots=True)
class Trade:
    orderid: str
    tradeid: str
    symbol: str
    exchange: Exchange
    action: Action
    product: Product
    quantity: int
    price: Decimal
    timestamp: datetime


@dataclass(slots=True)
class Position:
    symbol: str
    exchange: Exchange
    product: Product
    quantity: int  # signed net quantity
    average_price: Decimal
    ltp: float = 0.0
    pnl: Decimal = Decimal(0)
    realized_pnl: Decimal = Decimal(0)


@dataclass(slots=True)
class Holding:
    symbol: str
    exchange: Exchange
    quantity: int
    average_price: Decimal
    ltp: float = 0.0
    pnl: Decimal = Decimal(0)


@dataclass(slots=True)
class Funds:
    availablecash: Decimal
    collateral: Decimal = Decimal(0)
    m2mrealized: Decimal = Decimal(0)
    m2munrealized: Decimal = Decimal(0)
    utiliseddebits: Decimal = Decimal(0)


# --- GTT (good-till-triggered) orders: a price trigger that fires a child order -------------------


class GttTriggerType(StrEnum):
    """OpenAlgo's book names: `single` (one trigger) and `two-leg` (OCO: stop-loss + target)."""

    SINGLE = "single"
    OCO = "two-leg"


class GttStatus(StrEnum):
    ACTIVE = "active"
    TRIGGERED = "triggered"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


@dataclass(slots=True, frozen=True)
class GttLeg:
    """One leg: the child order placed when LTP reaches `trigger_price`."""

    trigger_price: Decimal
    action: Action
    quantity: int
    price: Decimal  # the child's limit price (0 for MARKET)
    pricetype: PriceType
    product: Product


@dataclass(slots=True, frozen=True)
class GttRequest:
    """A GTT to place or to replace one with. Legs are in ascending trigger order (OCO: the
    stop-loss leg first, then the target leg)."""

    symbol: str
    exchange: Exchange
    trigger_type: GttTriggerType
    legs: tuple[GttLeg, ...]
    last_price: Decimal  # LTP at placement: brokers (Zerodha) want it to tell the trigger's side
    strategy: str = ""
    expires_at: datetime | None = None


@dataclass(slots=True)
class Gtt:
    """A GTT as a broker's book reports it."""

    trigger_id: str
    request: GttRequest
    status: GttStatus
    created_at: datetime | None = None
    updated_at: datetime | None = None
