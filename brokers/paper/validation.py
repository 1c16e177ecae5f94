"""Checks a broker makes before accepting an order, with OpenAlgo's (or a broker's) wording.

Each check raises `Rejection`; the engine records the order as rejected with that reason and
raises `OrderRejected` to the caller. Nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from brokers.contract import DERIVATIVE_EXCHANGES, INDEX_EXCHANGES, Action, OrderRequest, PriceType, Product
from brokers.paper.config import PaperConfig
from brokers.paper.model import ContractSpec


class Rejection(Exception):
    """A broker-style refusal; the message is what the user sees."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class OrderTerms:
    """A request with the fields that do not apply to its price type dropped (as OpenAlgo does)."""

    action: Action
    quantity: int
    pricetype: PriceType
    product: Product
    price: Decimal
    trigger_price: Decimal
    strategy: str


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def normalise(request: OrderRequest) -> OrderTerms:
    price = Decimal(request.price or 0)
    trigger = Decimal(request.trigger_price or 0)
    if request.pricetype == PriceType.MARKET:
        price, trigger = Decimal(0), Decimal(0)
    elif request.pricetype == PriceType.LIMIT:
        trigger = Decimal(0)
    elif request.pricetype == PriceType.SL_M:
        price = Decimal(0)
    return OrderTerms(Action(request.action), int(request.quantity), PriceType(request.pricetype),
                      Product(request.product), price, trigger, request.strategy or "")


def check_segment(contract: ContractSpec, product: Product) -> None:
    exchange = str(contract.exchange)
    if contract.exchange in INDEX_EXCHANGES:
        raise Rejection(f"Orders cannot be placed on index exchange {exchange}")
    if product == Product.NRML and exchange in ("NSE", "BSE"):
        raise Rejection(f"NRML product not allowed for {exchange} equity segment. Use CNC for delivery or MIS "
                        f"for intraday.")
    if product == Product.CNC and contract.exchange in DERIVATIVE_EXCHANGES:
        raise Rejection(f"CNC product not allowed for {exchange} derivatives segment. Use NRML for carry forward "
                        f"or MIS for intraday.")


def check_terms(terms: OrderTerms, contract: ContractSpec) -> None:
    if terms.quantity <= 0:
        raise Rejection("Quantity must be a positive number.")
    if terms.pricetype in (PriceType.LIMIT, PriceType.SL) and terms.price <= 0:
        raise Rejection(f"{terms.pricetype} orders require price")
    if terms.pricetype in (PriceType.SL, PriceType.SL_M) and terms.trigger_price <= 0:
        raise Rejection(f"{terms.pricetype} orders require trigger_price")
    if terms.pricetype == PriceType.SL:
        if terms.action == Action.BUY and terms.trigger_price > terms.price:
            raise Rejection("Trigger price must be less than or equal to the limit price for a stop-loss buy order")
        if terms.action == Action.SELL and terms.trigger_price < terms.price:
            raise Rejection("Trigger price must be greater than or equal to the limit price for a stop-loss sell "
                            "order")
    lot = contract.lotsize
    if contract.exchange in DERIVATIVE_EXCHANGES and lot > 1 and terms.quantity % lot:
        raise Rejection(f"Quantity must be in multiples of lot size {lot}")
    if contract.freeze_qty and terms.quantity > contract.freeze_qty:
        raise Rejection(f"Quantity {terms.quantity} exceeds the freeze quantity {contract.freeze_qty} for "
                        f"{contract.symbol}; split the order")
    tick = contract.tick_size
    for name, value in (("Price", terms.price), ("Trigger price", terms.trigger_price)):
        if value > 0 and tick > 0 and value % tick:
            raise Rejection(f"{name} {value} is not a multiple of tick size {tick.normalize()}")


def check_price_band(terms: OrderTerms, contract: ContractSpec, ltp: Decimal, config: PaperConfig) -> None:
    """Circuit-style band around the last price; options are exempt (they move too far in a day)."""
    if contract.is_option or ltp <= 0 or config.price_band_pct <= 0:
        return
    low, high = ltp * (1 - config.price_band_pct), ltp * (1 + config.price_band_pct)
    for value in (terms.price, terms.trigger_price):
        if value > 0 and not (low <= value <= high):
            raise Rejection(f"Price {value} is outside the price band {money(low)} - {money(high)} for "
                            f"{contract.symbol}")


def check_modification(pricetype: PriceType, price: Decimal, trigger: Decimal) -> None:
    if price > 0 and pricetype not in (PriceType.LIMIT, PriceType.SL):
        raise Rejection(f"{pricetype} orders do not accept a price")
    if trigger > 0 and pricetype not in (PriceType.SL, PriceType.SL_M):
        raise Rejection(f"{pricetype} orders do not accept a trigger_price")
