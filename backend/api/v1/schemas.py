"""Request bodies of the OpenAlgo-compatible API (api-v1 §3–4), strict like OpenAlgo's schemas."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator

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
