"""Request bodies of the OpenAlgo-compatible API (api-v1 §3–4), strict like OpenAlgo's schemas."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from backend.api.v1.fields import (
    STRICT,
    ActionField,
    ApiKey,
    DisclosedQuantity,
    ExchangeField,
    Price,
    PriceTypeField,
    ProductField,
    Quantity,
    TriggerPrice,
    non_negative,
    number,
    positive,
    positive_int,
)
from brokers.contract import Exchange, PriceType, Product


def whole_quantity(quantity: Decimal, info: ValidationInfo) -> Decimal:
    """Quantities are whole except on CRYPTO; checked after `exchange` (declared first)."""
    if info.data.get("exchange") != Exchange.CRYPTO and quantity != quantity.to_integral_value():
        raise ValueError(f"Fractional quantity ({quantity}) is not allowed for non-crypto exchanges.")
    return quantity


class ApiKeyOnly(BaseModel):
    model_config = STRICT
    apikey: ApiKey


class StrategyRequest(ApiKeyOnly):
    strategy: str


class OrderFields(BaseModel):
    """The order fields shared by placeorder, basket items and smart/split orders."""

    model_config = STRICT
    exchange: ExchangeField
    symbol: str
    action: ActionField
    quantity: Quantity
    pricetype: PriceTypeField = PriceType.MARKET
    product: ProductField = Product.MIS
    price: Price = Decimal(0)
    trigger_price: TriggerPrice = Decimal(0)
    disclosed_quantity: DisclosedQuantity = 0

    _whole = field_validator("quantity")(whole_quantity)


class PlaceOrderRequest(OrderFields):
    apikey: ApiKey
    strategy: str
    underlying_ltp: Annotated[Decimal | None, Field(description="internal: reference LTP for options")] = None


class SmartOrderRequest(OrderFields):
    apikey: ApiKey
    strategy: str
    quantity: Annotated[Decimal, non_negative("Quantity must be a non-negative number.")]
    position_size: Annotated[Decimal, BeforeValidator(lambda v: number(v).to_integral_value(rounding=ROUND_DOWN))]


class ModifyOrderRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    strategy: str
    exchange: ExchangeField
    symbol: str
    orderid: str
    action: ActionField
    product: ProductField
    pricetype: PriceTypeField
    price: Price
    quantity: Quantity
    disclosed_quantity: DisclosedQuantity
    trigger_price: TriggerPrice

    _whole = field_validator("quantity")(whole_quantity)


class OrderIdRequest(StrategyRequest):
    orderid: str


class SplitOrderRequest(OrderFields):
    apikey: ApiKey
    strategy: str
    quantity: Annotated[Decimal, positive("Total quantity must be a positive number.")]
    splitsize: Annotated[int, positive_int("Split size must be a positive integer.")]


class BasketItem(OrderFields):
    pass


class BasketOrderRequest(StrategyRequest):
    orders: list[BasketItem]


class OpenPositionRequest(StrategyRequest):
    symbol: str
    exchange: str
    product: ProductField


class SymbolRequest(ApiKeyOnly):
    symbol: str
    exchange: ExchangeField


class SymbolExchange(BaseModel):
    model_config = STRICT
    symbol: str
    exchange: ExchangeField


class MultiQuotesRequest(ApiKeyOnly):
    symbols: Annotated[list[SymbolExchange], Field(min_length=1)]


# --- GTT (api-v1 §3.12): place and modify ignore unknown fields, cancel and the book refuse them ---


class GttKind(StrEnum):
    SINGLE = "SINGLE"
    OCO = "OCO"


def _gtt_kind(value: Any) -> GttKind:
    if isinstance(value, str) and value.upper() in GttKind.__members__:
        return GttKind(value.upper())
    raise ValueError("Must be 'SINGLE' or 'OCO'.")


def _gtt_product(value: Any) -> Product:
    if value in (Product.CNC.value, Product.NRML.value):
        return Product(value)
    raise ValueError("GTT supports only CNC (delivery) or NRML (overnight F&O); MIS is intraday-only.")


def _gtt_pricetype(value: Any) -> PriceType:
    if value in (PriceType.LIMIT.value, PriceType.MARKET.value):
        return PriceType(value)
    raise ValueError("Must be one of: LIMIT, MARKET.")


def _blank_is(default: Any, message: str):
    """`""` (what spreadsheets and the SDK send for "not set") means `default`; else ≥ 0."""

    def check(value: Any) -> Any:
        if value == "" or (value is None and default is None):
            return default
        parsed = number(value)
        if parsed < 0:
            raise ValueError(message)
        return parsed

    return BeforeValidator(check)


def _non_empty_string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Not a valid string.")
    if not value:
        raise ValueError("Shorter than minimum length 1.")
    return value


GttTrigger = Annotated[Decimal, _blank_is(Decimal(0), "Trigger price must be a non-negative number.")]
GttLegPrice = Annotated[Decimal | None, _blank_is(None, "Price must be a non-negative number.")]
OCO_REQUIRED = {"triggerprice_sl": "Required for OCO (stoploss trigger).",
                "stoploss": "Required for OCO (stoploss price).",
                "triggerprice_tg": "Required for OCO (target trigger).",
                "target": "Required for OCO (target price)."}


class GttFields(BaseModel):
    """What place and modify share. Unknown fields are dropped, as OpenAlgo's GTT schemas do."""

    model_config = ConfigDict(extra="ignore")
    apikey: ApiKey
    strategy: str
    trigger_type: Annotated[GttKind, BeforeValidator(_gtt_kind)]
    exchange: ExchangeField
    symbol: str
    action: ActionField
    product: Annotated[Product, BeforeValidator(_gtt_product)]
    quantity: Quantity
    pricetype: Annotated[PriceType, BeforeValidator(_gtt_pricetype)] = PriceType.LIMIT
    price: Price
    triggerprice_sl: GttTrigger = Decimal(0)
    triggerprice_tg: GttTrigger = Decimal(0)
    stoploss: GttLegPrice = None
    target: GttLegPrice = None

    _whole = field_validator("quantity")(whole_quantity)

    def trigger_errors(self) -> dict[str, list[str]]:
        """The cross-field rules, run after the field rules pass (marshmallow's schema validator)."""
        if self.trigger_type == GttKind.SINGLE:
            if self.triggerprice_sl <= 0 and self.triggerprice_tg <= 0:
                return {"triggerprice_sl": ["SINGLE GTT requires a positive triggerprice_sl or triggerprice_tg."]}
            return {}
        missing = {name: [message] for name, message in OCO_REQUIRED.items() if not getattr(self, name)}
        if missing:
            return missing
        if self.triggerprice_sl >= self.triggerprice_tg:
            return {"triggerprice_sl": ["Stoploss trigger must be less than target trigger (triggerprice_tg)."]}
        return {}


class PlaceGttRequest(GttFields):
    expires_at: Annotated[str | None, Field(description="ISO date-time or YYYY-MM-DD (IST); default one year")] = None


class ModifyGttRequest(GttFields):
    """A full replacement of an active GTT (its expiry is kept)."""

    trigger_id: Annotated[str, BeforeValidator(_non_empty_string)]


class CancelGttRequest(StrategyRequest):
    trigger_id: str
