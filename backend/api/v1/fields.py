"""Field types with OpenAlgo's coercion rules and marshmallow's error wording (api-v1 §1.7–1.8).

Numbers arrive as JSON numbers or numeric strings (the SDK sends strings); enums are exact upper
case except `action` and `option_type`; errors read like OpenAlgo's so clients' logs match.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from brokers.contract import Action, Exchange, PriceType, Product


def _one_of(values: list[str]) -> str:
    return f"Must be one of: {', '.join(values)}."


def enum_field(enum: type[StrEnum], *, case_insensitive: bool = False):
    values = [member.value for member in enum]

    def check(value: Any) -> Any:
        if isinstance(value, str):
            candidate = value.upper() if case_insensitive and value in (value.upper(), value.lower()) else value
            if candidate in values:
                return enum(candidate)
        raise ValueError(_one_of(values))

    return BeforeValidator(check)


def number(value: Any, message: str = "Not a valid number.") -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(message)
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip() or "x")
    except (InvalidOperation, ValueError):
        raise ValueError(message) from None
    if not number.is_finite():
        raise ValueError(message)
    return number


def integer(value: Any) -> int:
    """marshmallow Integer: ints, integer strings, and JSON floats truncated (75.9 → 75)."""
    if isinstance(value, bool) or value is None:
        raise ValueError("Not a valid integer.")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise ValueError("Not a valid integer.") from None
    raise ValueError("Not a valid integer.")


def at_least(minimum: int, message: str, *, parse=number):
    """A before-validator: parse (a number by default, or `integer`) and refuse values below
    `minimum` with OpenAlgo's own message for that field."""

    def check(value: Any):
        parsed = parse(value)
        if parsed < minimum:
            raise ValueError(message)
        return parsed

    return BeforeValidator(check)


def above_zero(message: str):
    """Strictly positive numbers (0.5 passes, 0 does not)."""

    def check(value: Any) -> Decimal:
        parsed = number(value)
        if parsed <= 0:
            raise ValueError(message)
        return parsed

    return BeforeValidator(check)


def non_negative(message: str):
    return at_least(0, message)


def positive(message: str):
    return above_zero(message)


def non_negative_int(message: str):
    return at_least(0, message, parse=integer)


def positive_int(message: str):
    return at_least(1, message, parse=integer)


STRICT = ConfigDict(extra="forbid")  # OpenAlgo rejects unknown fields (api-v1 §1.2)

def _key_length(value: str) -> str:
    # One message for both bounds, as OpenAlgo's Length(1, 256); pydantic's own errors name only one.
    if not 1 <= len(value) <= 256:
        raise ValueError("Length must be between 1 and 256.")
    return value


ApiKey = Annotated[str, AfterValidator(_key_length),
                   Field(description="Your Algogate/OpenAlgo API key", json_schema_extra={"minLength": 1, "maxLength": 256})]
ExchangeField = Annotated[Exchange, enum_field(Exchange)]
ActionField = Annotated[Action, enum_field(Action, case_insensitive=True)]
ProductField = Annotated[Product, enum_field(Product)]
PriceTypeField = Annotated[PriceType, enum_field(PriceType)]
Price = Annotated[Decimal, non_negative("Price must be a non-negative number.")]
TriggerPrice = Annotated[Decimal, non_negative("Trigger price must be a non-negative number.")]
DisclosedQuantity = Annotated[int, non_negative_int("Disclosed quantity must be a non-negative integer.")]
Quantity = Annotated[Decimal, positive("Quantity must be a positive number.")]
