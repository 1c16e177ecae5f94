"""Order endpoints (api-v1 §3.1–3.8, §4.1–4.2). Validation errors use OpenAlgo's "repr" shape."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from backend.api.v1.context import Caller, authorize, instrument_or_400
from backend.api.v1.responses import (
    RATE_LIMITED,
    BasketOrderResponse,
    CancelAllResponse,
    ClosePositionResponse,
    ErrorResponse,
    OpenPositionResponse,
    OrderIdResponse,
    OrderStatusResponse,
    SmartOrderResponse,
    SplitOrderResponse,
    documented,
)
from backend.api.v1.routing import V1Router
from backend.api.v1.schemas import (
    BasketOrderRequest,
    ModifyOrderRequest,
    OpenPositionRequest,
    OrderFields,
    OrderIdRequest,
    PlaceOrderRequest,
    SmartOrderRequest,
    SplitOrderRequest,
    StrategyRequest,
)
from backend.core.errors import AppError
from backend.domains.automation.semi_auto import semi_auto_gate
from brokers.contract import Action, OrderRequest

router = V1Router("repr", tags=["orders"], limits={
    "/placeorder": "order", "/modifyorder": "order", "/cancelorder": "order", "/placesmartorder": "smart_order"})

MAX_SPLIT_ORDERS = 100


def order_request(fields: OrderFields | ModifyOrderRequest, strategy: str, quantity: int | None = None) -> OrderRequest:
    return OrderRequest(
        symbol=fields.symbol, exchange=fields.exchange, action=fields.action,
        quantity=int(fields.quantity) if quantity is None else quantity, pricetype=fields.pricetype,
        product=fields.product, price=fields.price, trigger_price=fields.trigger_price,
        disclosed_quantity=fields.disclosed_quantity, strategy=strategy,
    )


def analyze_tag(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    if caller.gateway.analyze:
        body["mode"] = "analyze"
    return body


@router.post("/placeorder", responses=documented(OrderIdResponse, ErrorResponse, codes=RATE_LIMITED))
async def place_order(body: PlaceOrderRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    if (queued := await semi_auto_gate(request, caller, "placeorder", body)) is not None:
        return queued
    instrument = instrument_or_400(request, body.exchange, body.symbol)
    return await caller.gateway.execution.place_order(order_request(body, body.strategy), instrument)


@router.post("/placesmartorder", responses=documented(SmartOrderResponse, ErrorResponse, codes=RATE_LIMITED))
async def place_smart_order(body: SmartOrderRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    if (queued := await semi_auto_gate(request, caller, "placesmartorder", body)) is not None:
        return queued
    instrument = instrument_or_400(request, body.exchange, body.symbol)
    return await caller.gateway.execution.place_smart_order(
        order_request(body, body.strategy), int(body.position_size), instrument)


@router.post("/modifyorder", responses=documented(OrderIdResponse, ErrorResponse, codes=RATE_LIMITED))
async def modify_order(body: ModifyOrderRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    if (queued := await semi_auto_gate(request, caller, "modifyorder", body)) is not None:
        return queued
    instrument = instrument_or_400(request, body.exchange, body.symbol)
    return await caller.gateway.execution.modify_order(body.orderid, order_request(body, body.strategy), instrument)


@router.post("/cancelorder", responses=documented(OrderIdResponse, ErrorResponse, codes=RATE_LIMITED))
async def cancel_order(body: OrderIdRequest, request: Request) -> dict[str, Any]:
    if not body.orderid:
        raise AppError("Order ID is missing", 400)
    caller = await authorize(request, body.apikey)
    if (queued := await semi_auto_gate(request, caller, "cancelorder", body)) is not None:
        return queued
    return await caller.gateway.execution.cancel_order(body.orderid)


@router.post("/cancelallorder", responses=documented(CancelAllResponse, ErrorResponse, codes=RATE_LIMITED))
async def cancel_all_orders(body: StrategyRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    if (queued := await semi_auto_gate(request, caller, "cancelallorder", body)) is not None:
        return queued
    return await caller.gateway.execution.cancel_all_orders()


@router.post("/closeposition", responses=documented(ClosePositionResponse, ErrorResponse, codes=RATE_LIMITED))
async def close_position(body: StrategyRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    if (queued := await semi_auto_gate(request, caller, "closeposition", body)) is not None:
        return queued
    return await caller.gateway.execution.close_all_positions(body.strategy)


@router.post("/splitorder", responses=documented(SplitOrderResponse, ErrorResponse, codes=RATE_LIMITED))
async def split_order(body: SplitOrderRequest, request: Request) -> dict[str, Any]:
    total = int(body.quantity)
    full, remainder = divmod(total, body.splitsize)
    sizes = [body.splitsize] * full + ([remainder] if remainder else [])
    if len(sizes) > MAX_SPLIT_ORDERS:
        raise AppError(f"Total number of orders would exceed maximum limit of {MAX_SPLIT_ORDERS}", 400)
    caller = await authorize(request, body.apikey)
    if (queued := await semi_auto_gate(request, caller, "splitorder", body)) is not None:
        return queued
    instrument = instrument_or_400(request, body.exchange, body.symbol)
    results = []
    for number, size in enumerate(sizes, start=1):
        try:
            placed = await caller.gateway.execution.place_order(order_request(body, body.strategy, size), instrument)
            results.append({"order_num": number, "quantity": size, "status": "success", "orderid": placed["orderid"]})
        except AppError as exc:
            results.append({"order_num": number, "quantity": size, "status": "error", "message": exc.message})
    return analyze_tag(caller, {"status": "success", "total_quantity": total, "split_size": body.splitsize,
                                "results": results})


@router.post("/basketorder", responses=documented(BasketOrderResponse, ErrorResponse, codes=RATE_LIMITED))
async def basket_order(body: BasketOrderRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    if (queued := await semi_auto_gate(request, caller, "basketorder", body)) is not None:
        return queued
    # Buys go first so that hedges are in place before the margin-hungry sells (as OpenAlgo does).
    ordered = sorted(body.orders, key=lambda item: item.action != Action.BUY)
    results = []
    for position, item in enumerate(ordered):
        try:
            instrument = instrument_or_400(request, item.exchange, item.symbol)
            placed = await caller.gateway.execution.place_order(order_request(item, body.strategy), instrument)
            result = {"symbol": item.symbol, "exchange": item.exchange.value, "product": item.product.value,
                      "status": "success", "orderid": placed["orderid"]}
            if caller.gateway.analyze:
                result.update(batch_order=True, is_last_order=position == len(ordered) - 1)
        except AppError as exc:
            result = {"symbol": item.symbol, "status": "error", "message": exc.message}
        results.append(result)
    return analyze_tag(caller, {"status": "success", "results": results})


@router.post("/orderstatus", responses=documented(OrderStatusResponse, ErrorResponse, codes=RATE_LIMITED))
async def order_status(body: OrderIdRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    return await caller.gateway.execution.order_status(body.orderid)


@router.post("/openposition", responses=documented(OpenPositionResponse, ErrorResponse, codes=RATE_LIMITED))
async def open_position(body: OpenPositionRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    return await caller.gateway.execution.open_position(body.symbol, body.exchange, body.product.value)
