"""The paper engine's state: orders, trades, positions, holdings, funds and ledger entries.

Prices are `Decimal` (exact, up to 4 decimals for currency ticks); money is integer paise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from brokers.contract import Action, Exchange, Instrument, OrderStatus, PriceType, Product

PRICE_QUANTUM = Decimal("0.0001")
PENDING_STATUSES = frozenset({OrderStatus.OPEN, OrderStatus.TRIGGER_PENDING})
FUTURE_TYPES = frozenset({"FUT", "FUTIDX", "FUTSTK", "FUTCOM", "FUTCUR", "FUTIRC", "FUTIRT", "PERPFUT"})
OPTION_TYPES = frozenset({"CE", "PE"})


def round_price(value: Decimal) -> Decimal:
    return value.quantize(PRICE_QUANTUM, rounding=ROUND_HALF_EVEN)


def paise(rupees: Decimal) -> int:
    """Exact rupees → integer paise, banker's rounding on the half paisa."""
    return int((rupees * 100).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_paise_decimal(amount: int) -> Decimal:
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """What the engine needs to know about an instrument; stored with orders and positions so books,
    margins and settlement never need the symbol index."""

    symbol: str
    exchange: Exchange
    instrumenttype: str = "EQ"
    underlying: str = ""
    expiry: date | None = None
    strike: Decimal | None = None
    lotsize: int = 1
    tick_size: Decimal = Decimal("0.05")
    freeze_qty: int = 0

    @classmethod
    def of(cls, instrument: Instrument) -> ContractSpec:
        return cls(symbol=instrument.symbol, exchange=Exchange(instrument.exchange),
                   instrumenttype=option_or_future_type(instrument), underlying=instrument.name or instrument.symbol,
                   expiry=instrument.expiry, strike=instrument.strike, lotsize=max(int(instrument.lotsize), 1),
                   tick_size=Decimal(instrument.tick_size), freeze_qty=int(instrument.freeze_qty or 0))

    @property
    def key(self) -> str:
        return f"{self.exchange}:{self.symbol}"

    @property
    def is_option(self) -> bool:
        return self.instrumenttype in OPTION_TYPES

    @property
    def is_future(self) -> bool:
        return self.instrumenttype in FUTURE_TYPES

    @property
    def is_derivative(self) -> bool:
        return self.is_option or self.is_future


def option_or_future_type(instrument: Instrument) -> str:
    """Normalise broker instrument types: options by the symbol suffix, futures by type or `FUT` suffix."""
    kind = (instrument.instrumenttype or "").upper()
    if kind in OPTION_TYPES or kind in FUTURE_TYPES:
        return kind
    if instrument.exchange in ("NSE", "BSE"):
        return "EQ"
    if instrument.symbol.endswith(("CE", "PE")) and instrument.strike:
        return instrument.symbol[-2:]
    if instrument.symbol.endswith("FUT") or kind.startswith("FUT") or instrument.exchange == "CRYPTO":
        return "FUT"
    if kind.startswith("OPT"):
        return instrument.symbol[-2:] if instrument.symbol.endswith(("CE", "PE")) else "CE"
    return kind or "EQ"


@dataclass(slots=True)
class PaperOrder:
    orderid: str
    user_id: int
    contract: ContractSpec
    action: Action
    quantity: int
    pricetype: PriceType
    product: Product
    price: Decimal
    trigger_price: Decimal
    strategy: str
    status: OrderStatus
    created_at: datetime
    updated_at: datetime
    filled_quantity: int = 0
    average_price: Decimal = Decimal(0)
    margin_paise: int = 0
    reason: str = ""
    triggered: bool = False  # an SL whose trigger was hit rests as a LIMIT

    @property
    def pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def sign(self) -> int:
        return 1 if self.action == Action.BUY else -1


@dataclass(slots=True)
class PaperTrade:
    tradeid: str
    orderid: str
    user_id: int
    symbol: str
    exchange: Exchange
    action: Action
    product: Product
    quantity: int
    price: Decimal
    strategy: str
    timestamp: datetime


@dataclass(slots=True)
class PaperPosition:
    user_id: int
    contract: ContractSpec
    product: Product
    quantity: int = 0  # signed
    average_price: Decimal = Decimal(0)
    realized_paise: int = 0  # all time
    today_realized_paise: int = 0
    realized_on: date | None = None  # IST date today_realized_paise belongs to
    ltp: Decimal = Decimal(0)
    opened_on: date | None = None  # IST trade date of the last fill that opened or added
    updated_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.contract.symbol, str(self.contract.exchange), str(self.product))

    def today_realized(self, today: date) -> int:
        return self.today_realized_paise if self.realized_on == today else 0

    def unrealized_paise(self) -> int:
        if not self.quantity or self.ltp <= 0:
            return 0
        return paise((self.ltp - self.average_price) * self.quantity)


@dataclass(slots=True)
class PaperHolding:
    user_id: int
    symbol: str
    exchange: Exchange
    quantity: int
    average_price: Decimal
    ltp: Decimal = Decimal(0)
    settled_on: date | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.symbol, str(self.exchange))


class LedgerKind(StrEnum):
    CAPITAL = "capital"  # opening capital
    ORDER_MARGIN = "order_margin"  # blocked on placement (+) or released on cancel/fill/reject (−)
    POSITION_MARGIN = "position_margin"  # portfolio requirement change after a fill or settlement
    REALIZED = "realized"  # realised P&L of a fill
    SETTLEMENT = "settlement"  # T+1: position cost becomes holdings
    HOLDING_SALE = "holding_sale"  # CNC sale out of holdings: proceeds
    RESET = "reset"  # capital reset


@dataclass(slots=True)
class LedgerEntry:
    user_id: int
    kind: LedgerKind
    cash_paise: int = 0
    order_margin_paise: int = 0
    position_margin_paise: int = 0
    realized_paise: int = 0
    orderid: str = ""
    note: str = ""
    created_at: datetime | None = None


@dataclass(slots=True)
class FundsState:
    """One user's balances; every change goes through `Account.post`, which writes a ledger entry."""

    user_id: int
    cash_paise: int  # capital + realised P&L − money invested in holdings
    order_margin_paise: int = 0  # held by pending orders
    position_margin_paise: int = 0  # held by open positions (portfolio requirement)
    realized_paise: int = 0  # all time
    today_realized_paise: int = 0
    realized_on: date | None = None
    reset_count: int = 0
    last_reset_at: datetime | None = None
    version: int = 0

    @property
    def used_paise(self) -> int:
        return self.order_margin_paise + self.position_margin_paise

    @property
    def available_paise(self) -> int:
        return self.cash_paise - self.used_paise

    def today_realized(self, today: date) -> int:
        return self.today_realized_paise if self.realized_on == today else 0


@dataclass(slots=True)
class DailyPnl:
    """End-of-day snapshot of one user's account."""

    user_id: int
    day: date
    realized_paise: int
    positions_unrealized_paise: int
    holdings_unrealized_paise: int
    available_paise: int
    used_paise: int

    @property
    def total_mtm_paise(self) -> int:
        return self.realized_paise + self.positions_unrealized_paise + self.holdings_unrealized_paise

    @property
    def portfolio_value_paise(self) -> int:
        return self.available_paise + self.used_paise


@dataclass(slots=True)
class Changes:
    """Everything a unit of work wrote, for the store to persist in one transaction."""

    new_orders: list[PaperOrder] = field(default_factory=list)
    # order → the status it had when loaded; the store updates it only if that status still holds
    updated_orders: dict[str, tuple[PaperOrder, OrderStatus]] = field(default_factory=dict)
    trades: list[PaperTrade] = field(default_factory=list)
    positions: dict[tuple[str, str, str], PaperPosition] = field(default_factory=dict)
    deleted_positions: set[tuple[str, str, str]] = field(default_factory=set)
    holdings: dict[tuple[str, str], PaperHolding] = field(default_factory=dict)
    deleted_holdings: set[tuple[str, str]] = field(default_factory=set)
    ledger: list[LedgerEntry] = field(default_factory=list)
    funds: FundsState | None = None
    daily: DailyPnl | None = None
