"""Request bodies of the options endpoints (api-v1 §3.9–3.10, §4.20–4.23), strict like OpenAlgo's."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, field_validator

from backend.api.v1.fields import (
    STRICT,
    ActionField,
    ApiKey,
    DisclosedQuantity,
    ExchangeField,
    Price,
    PriceTypeField,
    TriggerPrice,
    enum_field,
    integer,
    non_negative_int,
    number,
    positive_int,
)
from backend.domains.symbols.schemas import FnoExchange, _option_type
from brokers.contract import PriceType

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
INTRADAY_INTERVALS = ("1m", "3m", "5m", "10m", "15m", "30m")


class OptionsProduct(StrEnum):
    MIS = "MIS"
    NRML = "NRML"


def _nullable(check: BeforeValidator) -> BeforeValidator:
    """marshmallow's `allow_none`: null passes, anything else goes through `check`."""
    return BeforeValidator(lambda value: None if value is None else check.func(value))


def _bounded(low: float, high: float) -> BeforeValidator:
    def check(value: Any) -> Decimal:
        parsed = number(value)
        if not low <= parsed <= high:
            raise ValueError(f"Must be greater than or equal to {low:g} and less than or equal to {high:g}.")
        return parsed

    return BeforeValidator(check)


def _count(low: int, high: int) -> BeforeValidator:
    def check(value: Any) -> int:
        parsed = integer(value)
        if not low <= parsed <= high:
            raise ValueError(f"Must be greater than or equal to {low} and less than or equal to {high}.")
        return parsed

    return BeforeValidator(check)


def _interval(value: Any) -> str:
    if value in INTRADAY_INTERVALS:
        return value
    raise ValueError(f"Must be one of: {', '.join(INTRADAY_INTERVALS)}.")


def _hhmm(value: Any) -> time:
    if isinstance(value, str) and (match := _HHMM.match(value.strip())):
        return time(int(match.group(1)), int(match.group(2)))
    raise ValueError("Invalid expiry_time format. Use HH:MM (24-hour IST), e.g. 15:30.")


OptionType = Annotated[str, BeforeValidator(_option_type)]
Product = Annotated[OptionsProduct, enum_field(OptionsProduct)]
StrikeInterval = Annotated[int | None, _nullable(positive_int("Must be greater than or equal to 1."))]
SplitSize = Annotated[int | None, _nullable(non_negative_int("Split size must be a non-negative integer."))]
LegQuantity = Annotated[int, positive_int("Quantity must be a positive integer.")]
InterestRate = Annotated[Decimal | None, _nullable(_bounded(0, 100))]
ExpiryTime = Annotated[time | None, BeforeValidator(lambda v: None if v is None else _hhmm(v))]
Fno = Annotated[FnoExchange, enum_field(FnoExchange)]


class LegFields(BaseModel):
    model_config = STRICT
    offset: str
    option_type: OptionType
    action: ActionField
    quantity: LegQuantity
    splitsize: SplitSize = 0
    pricetype: PriceTypeField = PriceType.MARKET
    product: Product = OptionsProduct.MIS
    price: Price = Decimal(0)
    trigger_price: TriggerPrice = Decimal(0)
    disclosed_quantity: DisclosedQuantity = 0


class OptionsOrderRequest(LegFields):
    apikey: ApiKey
    strategy: str
    underlying: str
    exchange: ExchangeField
    expiry_date: str | None = None
    strike_int: StrikeInterval = None


class Leg(LegFields):
    expiry_date: str | None = None  # overrides the request's: calendar and diagonal spreads


class OptionsMultiOrderRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    strategy: str
    underlying: str
    exchange: ExchangeField
    expiry_date: str | None = None
    strike_int: StrikeInterval = None
    legs: list[Leg]

    @field_validator("legs")
    @classmethod
    def _leg_count(cls, legs: list[Leg]) -> list[Leg]:
        if not 1 <= len(legs) <= 20:
            raise ValueError("Legs must contain 1 to 20 items.")
        return legs


class OptionChainRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    underlying: str
    exchange: ExchangeField
    expiry_date: str
    strike_count: Annotated[int | None, _nullable(_count(1, 100))] = None
    with_greeks: bool = False
    interest_rate: InterestRate = None


class SyntheticFutureRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    underlying: str
    exchange: ExchangeField
    expiry_date: str


class OptionGreeksRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    symbol: str
    exchange: Fno
    interest_rate: InterestRate = None
    forward_price: Annotated[Decimal | None, _nullable(_bounded(0, 1e12))] = None
    underlying_symbol: str | None = None
    underlying_exchange: ExchangeField | None = None
    expiry_time: ExpiryTime = None


class GreeksSymbol(BaseModel):
    model_config = STRICT
    symbol: str
    exchange: Fno
    underlying_symbol: str | None = None
    underlying_exchange: ExchangeField | None = None


class MultiOptionGreeksRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    symbols: list[GreeksSymbol]
    interest_rate: InterestRate = None
    expiry_time: ExpiryTime = None

    @field_validator("symbols")
    @classmethod
    def _symbol_count(cls, symbols: list[GreeksSymbol]) -> list[GreeksSymbol]:
        if not 1 <= len(symbols) <= 50:
            raise ValueError("Symbols must contain 1 to 50 items.")
        return symbols


class AnalyticsRequest(BaseModel):
    """The analytics endpoints: the chain of `expiry_date` (nearest listed expiry when omitted)."""

    model_config = STRICT
    apikey: ApiKey
    underlying: str
    exchange: ExchangeField
    expiry_date: str | None = None
    strike_count: Annotated[int | None, _nullable(_count(1, 100))] = 20
    interest_rate: InterestRate = None


class SurfaceRequest(AnalyticsRequest):
    expiries: Annotated[int, _count(1, 8)] = 4  # how many listed expiries, nearest first


class StraddleChartRequest(AnalyticsRequest):
    interval: Annotated[str, BeforeValidator(_interval)] = "1m"


class IVHistoryRequest(AnalyticsRequest):
    """IV (and greeks) of one strike's CE and PE candle by candle today; the ATM strike of now
    when `strike` is omitted."""

    interval: Annotated[str, BeforeValidator(_interval)] = "5m"
    strike: Annotated[Decimal | None, _nullable(_bounded(0.0001, 10_000_000))] = None


class OITrackerRequest(AnalyticsRequest):
    """OI by strike at the close of each of the last `days` sessions, and today's change."""

    days: Annotated[int, _count(1, 30)] = 5
