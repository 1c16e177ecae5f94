"""Response models of the OpenAlgo-compatible API, for OpenAPI only (api-v1 §1.4–1.5, §3–4).

Routes declare them with `responses=documented(...)`, never `response_model=`: the handlers keep
returning plain dicts, so nothing is validated or re-serialised at runtime and the wire shapes stay
exactly OpenAlgo's. Fields that only some modes send are optional (`mode` appears in analyzer mode,
and the analyzer's paper books carry extra columns). Where OpenAlgo's type depends on the broker or
the mode (e.g. live funds are 2-decimal strings, analyzer funds numbers) the union is documented.
Market-data, symbol and utility models live in backend/api/v1/responses_data.py.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

AnalyzeMode = Literal["analyze"] | None


class Success(BaseModel):
    status: Literal["success"]


class Tagged(Success):
    """Order and account responses: `mode: "analyze"` when served by the analyzer's paper book."""

    mode: AnalyzeMode = None


# --- error envelopes (api-v1 §1.5) ------------------------------------------------------------


class ErrorResponse(BaseModel):
    """Order-style endpoints: `message` is text (validation errors as the repr of the field dict)."""

    status: Literal["error"]
    message: str
    mode: AnalyzeMode = None


class FieldErrorResponse(BaseModel):
    """Data/account endpoints: `message` is text, or `{field: [messages]}` for validation errors."""

    status: Literal["error"]
    message: str | dict[str, Any]
    mode: AnalyzeMode = None


class OptionsErrorResponse(BaseModel):
    """Options endpoints: validation errors are `message: "Validation error"` plus `errors`."""

    status: Literal["error"]
    message: str
    errors: dict[str, Any] | None = None


class InvalidSymbol(BaseModel):
    symbol: str
    exchange: str
    error: str


class MultiQuotesErrorResponse(FieldErrorResponse):
    """400 when no symbol of the request is in the master contract."""

    invalid_symbols: list[InvalidSymbol] | None = None


ERROR_DESCRIPTIONS = {
    400: "Validation error or refused request",
    403: "Invalid openalgo apikey",
    404: "Order, symbol or broker module not found",
    429: "Rate limit exceeded (with Retry-After)",
    500: "Internal or broker error",
}


def documented(ok: type[BaseModel], error: type[BaseModel] = FieldErrorResponse, *,
               codes: tuple[int, ...] = (400, 403, 404, 500), errors_400: type[BaseModel] | None = None,
               media: dict[str, Any] | None = None) -> dict[int | str, dict[str, Any]]:
    """The `responses=` mapping of one route: `ok` for 200, the family's envelope for each error
    code (`errors_400` overrides the 400 model). `media` adds non-JSON 200 bodies (csv, txt)."""
    out: dict[int | str, dict[str, Any]] = {200: {"model": ok, "description": "Success"}}
    if media:
        out[200]["content"] = media
    for code in codes:
        model = errors_400 if code == 400 and errors_400 is not None else error
        out[code] = {"model": model, "description": ERROR_DESCRIPTIONS.get(code, "Error")}
    return out


RATE_LIMITED = (400, 403, 404, 429, 500)


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that parses its body itself (to order its checks as OpenAlgo
    does): documents `model` as the request body. Nested enums refer to the shared components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}

# --- orders (§3.1–3.8, §4.1–4.2) ---------------------------------------------------------------


class OrderIdResponse(Tagged):
    """placeorder, modifyorder, cancelorder; analyzer mode adds a `message` to modify/cancel."""

    orderid: str
    message: str | None = None


class SmartOrderResponse(Tagged):
    """`orderid` when an order was placed, else the no-action `message`."""

    orderid: str | None = None
    message: str | None = None


class FailedCancellation(BaseModel):
    orderid: str
    message: str


class CancelAllResponse(Tagged):
    message: str
    canceled_orders: list[str]
    failed_cancellations: list[str | FailedCancellation]


class ClosePositionResponse(Tagged):
    message: str
    closed_positions: int | None = None
    failed_closures: int | None = None


class SplitResult(BaseModel):
    order_num: int
    quantity: int
    status: Literal["success", "error"]
    orderid: str | None = None
    message: str | None = None


class SplitOrderResponse(Tagged):
    total_quantity: int
    split_size: int
    results: list[SplitResult]


class BasketResult(BaseModel):
    symbol: str
    status: Literal["success", "error"]
    exchange: str | None = None
    product: str | None = None
    orderid: str | None = None
    message: str | None = None
    batch_order: bool | None = None
    is_last_order: bool | None = None


class BasketOrderResponse(Tagged):
    results: list[BasketResult]


class OrderItem(BaseModel):
    """An order-book row (§4.3); the analyzer's rows add the optional columns."""

    action: str
    exchange: str
    order_status: str
    orderid: str
    price: float
    pricetype: str
    product: str
    quantity: float
    symbol: str
    timestamp: str
    trigger_price: float
    average_price: float | None = None
    filled_quantity: float | None = None
    pending_quantity: float | None = None
    rejection_reason: str | None = None
    strategy: str | None = None


class OrderStatusItem(OrderItem):
    average_price: float


class OrderStatusResponse(Tagged):
    data: OrderStatusItem


class OpenPositionResponse(Tagged):
    quantity: float


# --- books and funds (§4.3–4.7, §4.26) --------------------------------------------------------


class OrderStatistics(BaseModel):
    total_buy_orders: int
    total_sell_orders: int
    total_completed_orders: int
    total_open_orders: int
    total_rejected_orders: int
    total_trigger_pending_orders: int | None = None


class OrderBook(BaseModel):
    orders: list[OrderItem]
    statistics: OrderStatistics


class OrderBookResponse(Tagged):
    data: OrderBook


class TradeItem(BaseModel):
    action: str
    average_price: float
    exchange: str
    orderid: str
    product: str
    quantity: float
    symbol: str
    timestamp: str
    trade_value: float
    tradeid: str | None = None
    price: float | None = None
    strategy: str | None = None


class TradeBookResponse(Tagged):
    data: list[TradeItem]


class PositionItem(BaseModel):
    """`average_price` is a 2-decimal string from live brokers, a number in analyzer mode."""

    symbol: str
    exchange: str
    product: str
    quantity: float
    average_price: str | float
    ltp: float
    pnl: float
    pnlpercent: float | None = None
    unrealized_pnl: float | None = None
    today_realized_pnl: float | None = None
    total_pnl_today: float | None = None
    lot_size: int | None = None


class PnlTotals(BaseModel):
    total_pnl: float | None = None
    total_unrealized_pnl: float | None = None
    total_today_realized_pnl: float | None = None
    total_pnl_today: float | None = None


class PositionBookResponse(Tagged, PnlTotals):
    data: list[PositionItem]


class HoldingItem(BaseModel):
    symbol: str
    exchange: str
    product: str
    quantity: float
    average_price: float
    pnl: float
    pnlpercent: float
    ltp: float | None = None
    current_value: float | None = None
    settlement_date: str | None = None


class HoldingStatistics(BaseModel):
    totalholdingvalue: float
    totalinvvalue: float
    totalprofitandloss: float
    totalpnlpercentage: float


class Holdings(BaseModel):
    holdings: list[HoldingItem]
    statistics: HoldingStatistics


class HoldingsResponse(Tagged):
    data: Holdings


Money = str | float  # live: "320.66"; analyzer mode: 320.66


class Funds(BaseModel):
    availablecash: Money
    collateral: Money
    m2mrealized: Money
    m2munrealized: Money
    utiliseddebits: Money
    grossexposure: float | None = None
    total_realized_pnl: float | None = None
    today_realized_pnl: float | None = None
    totalpnl: float | None = None
    last_reset: str | None = None
    reset_count: int | None = None


class FundsResponse(Tagged):
    data: Funds


class SymbolPnl(BaseModel):
    symbol: str
    exchange: str
    product: str
    quantity: float
    pnl: float
    unrealized_pnl: float
    today_realized_pnl: float
    total_pnl_today: float


class SymbolPnlResponse(Success, PnlTotals):
    mode: Literal["analyze"]
    data: list[SymbolPnl]


class Margin(BaseModel):
    total_margin_required: float
    span_margin: float
    exposure_margin: float


class MarginResponse(Success):
    data: Margin


# --- GTT (§3.12) -------------------------------------------------------------------------------


class GttIdResponse(Tagged):
    """placegttorder, modifygttorder, cancelgttorder."""

    trigger_id: str


class GttLegItem(BaseModel):
    action: str
    quantity: int
    price: float
    pricetype: str
    product: str


class GttItem(BaseModel):
    trigger_id: str
    trigger_type: Literal["single", "two-leg"]
    status: str
    symbol: str
    exchange: str
    trigger_prices: list[float]  # ascending; `legs` in the same order
    last_price: float
    legs: list[GttLegItem]
    created_at: str  # "YYYY-MM-DD HH:MM:SS" IST, or "" when the broker does not say
    updated_at: str
    expires_at: str


class GttOrderBookResponse(Tagged):
    data: list[GttItem]
