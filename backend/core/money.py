"""Money is Decimal rupees at the edges and integer paise in arithmetic that must be exact."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

PAISA = Decimal("0.01")


def to_decimal(value: Decimal | int | float | str) -> Decimal:
    """Parse a price without binary-float artefacts (0.1 stays 0.1)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def to_paise(rupees: Decimal | int | float | str) -> int:
    return int((to_decimal(rupees) / PAISA).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_paise(paise: int) -> Decimal:
    return (Decimal(paise) * PAISA).quantize(PAISA)
