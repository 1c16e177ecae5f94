"""Position netting: a fill moves a position's quantity and average price and realises P&L."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from brokers.paper.model import paise, round_price


@dataclass(frozen=True, slots=True)
class NetResult:
    quantity: int
    average_price: Decimal
    realized_paise: int
    opened: bool  # the fill opened or added exposure (a new trade date for T+1 / square-off)


def net(quantity: int, average_price: Decimal, signed_fill: int, price: Decimal) -> NetResult:
    """Apply a fill of `signed_fill` units at `price` to a position of `quantity` at `average_price`.

    Adding keeps a weighted average (rounded to 0.0001); reducing realises (price − average) per
    unit closed and keeps the average; a reversal opens the excess at the fill price.
    """
    if quantity == 0 or (quantity > 0) == (signed_fill > 0):
        total = abs(quantity) + abs(signed_fill)
        average = round_price((abs(quantity) * average_price + abs(signed_fill) * price) / total)
        return NetResult(quantity + signed_fill, average, 0, True)
    closed = min(abs(quantity), abs(signed_fill))
    direction = 1 if quantity > 0 else -1
    realized = paise((price - average_price) * closed * direction)
    remaining = quantity + signed_fill
    if remaining == 0:
        return NetResult(0, average_price, realized, False)
    if (remaining > 0) == (quantity > 0):
        return NetResult(remaining, average_price, realized, False)
    return NetResult(remaining, round_price(price), realized, True)
