"""POST /margin (api-v1 §4.8): what a basket of positions would block, with the hedge benefit a
broker's basket-margin call gives. Computed by the paper engine's margin model for the simulator
and in analyzer mode; live brokers answer with their own basket-margin API.

`span_margin` is the requirement of the derivative legs and `exposure_margin` that of cash-equity
legs; their sum is `total_margin_required`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import Request
from pydantic import BaseModel, BeforeValidator, Field, field_validator

from backend.api.v1.context import authorize, instrument_or_400
from backend.api.v1.fields import STRICT, ActionField, ApiKey, ExchangeField, PriceTypeField, ProductField
from backend.api.v1.responses import RATE_LIMITED, ErrorResponse, MarginResponse, documented
from backend.api.v1.routing import V1Router
from backend.core.errors import AppError
from brokers.contract import DERIVATIVE_EXCHANGES, Action
from brokers.paper.margin import Exposure, requirement_paise
from brokers.paper.model import ContractSpec

router = V1Router("repr", tags=["orders"])


def _text(value: Any) -> Any:
    """OpenAlgo types these as strings; the SDK stringifies them, raw clients often don't: take both."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


Textual = Annotated[str, BeforeValidator(_text)]


class MarginPosition(BaseModel):
    model_config = STRICT
    symbol: Annotated[str, Field(min_length=1, max_length=50)]
    exchange: ExchangeField
    action: ActionField
    quantity: Textual
    product: ProductField
    pricetype: PriceTypeField
    price: Textual = "0"
    trigger_price: Textual = "0"


class MarginRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    positions: list[MarginPosition]

    @field_validator("positions")
    @classmethod
    def _count(cls, value: list) -> list:
        if not 1 <= len(value) <= 50:
            raise ValueError("Positions must contain 1 to 50 items.")
        return value


def _decimal(text: str, number: int, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except Exception:
        raise AppError(f"Position {number}: Invalid {what} format", 400) from None
    if not value.is_finite():
        raise AppError(f"Position {number}: Invalid {what} format", 400)
    return value


@router.post("/margin", responses=documented(MarginResponse, ErrorResponse, codes=RATE_LIMITED))
async def margin(body: MarginRequest, request: Request) -> dict[str, Any]:
    legs = []
    for number, item in enumerate(body.positions, start=1):
        quantity = _decimal(item.quantity, number, "quantity")
        if quantity <= 0 or quantity != quantity.to_integral_value():
            raise AppError(f"Position {number}: Quantity must be a positive number", 400)
        price = _decimal(item.price, number, "price")
        if price < 0:
            raise AppError(f"Position {number}: Price cannot be negative", 400)
        legs.append((item, int(quantity), price))
    caller = await authorize(request, body.apikey)
    config = request.app.state.sandbox.engine.config
    derivatives, cash = [], []
    for item, quantity, price in legs:
        instrument = instrument_or_400(request, item.exchange, item.symbol)
        if price == 0:
            price = Decimal(repr((await caller.gateway.data.quote(instrument)).ltp))
        signed = quantity if item.action == Action.BUY else -quantity
        exposure = Exposure(ContractSpec.of(instrument), item.product, signed, price)
        (derivatives if instrument.exchange in DERIVATIVE_EXCHANGES else cash).append(exposure)
    span = requirement_paise(derivatives, config) / 100
    exposure_margin = requirement_paise(cash, config) / 100
    return {"status": "success", "data": {"total_margin_required": round(span + exposure_margin, 2),
                                          "span_margin": round(span, 2), "exposure_margin": round(exposure_margin, 2)}}
