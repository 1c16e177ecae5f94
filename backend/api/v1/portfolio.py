"""Books and funds (api-v1 §4.3–4.7)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError

from backend.api.v1.context import authorize
from backend.api.v1.responses import (
    RATE_LIMITED,
    FundsResponse,
    HoldingsResponse,
    OrderBookResponse,
    PositionBookResponse,
    SymbolPnlResponse,
    TradeBookResponse,
    documented,
    json_body,
)
from backend.api.v1.routing import V1Router
from backend.api.v1.schemas import ApiKeyOnly
from backend.core.errors import AppError, pydantic_errors_to_fields

router = V1Router("object", tags=["portfolio"])


@router.post("/orderbook", responses=documented(OrderBookResponse, codes=RATE_LIMITED))
async def orderbook(body: ApiKeyOnly, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    return await caller.gateway.execution.orderbook()


@router.post("/tradebook", responses=documented(TradeBookResponse, codes=RATE_LIMITED))
async def tradebook(body: ApiKeyOnly, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    return await caller.gateway.execution.tradebook()


@router.post("/positionbook", responses=documented(PositionBookResponse, codes=RATE_LIMITED))
async def positionbook(body: ApiKeyOnly, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    return await caller.gateway.execution.positionbook()


@router.post("/holdings", responses=documented(HoldingsResponse, codes=RATE_LIMITED))
async def holdings(body: ApiKeyOnly, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    return await caller.gateway.execution.holdings()


@router.post("/funds", responses=documented(FundsResponse, codes=RATE_LIMITED))
async def funds(body: ApiKeyOnly, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    return await caller.gateway.execution.funds()


PNL_FIELDS = ("symbol", "exchange", "product", "quantity", "pnl", "unrealized_pnl", "today_realized_pnl",
              "total_pnl_today")


@router.post("/pnl/symbols", responses=documented(SymbolPnlResponse, codes=RATE_LIMITED),
             openapi_extra=json_body(ApiKeyOnly))
async def pnl_symbols(request: Request) -> dict[str, Any]:
    """Per-symbol P&L of the paper account; only in analyzer mode, checked before validation (§4.26)."""
    try:
        raw = await request.json()
    except ValueError:
        raw = None
    apikey = raw.get("apikey") if isinstance(raw, dict) else None
    caller = await authorize(request, apikey)
    if not caller.gateway.analyze:
        raise AppError("This endpoint is only available in sandbox/analyzer mode", 400)
    try:
        ApiKeyOnly.model_validate(raw)
    except ValidationError as exc:
        raise AppError(pydantic_errors_to_fields(exc.errors()), 400) from None
    book = await caller.gateway.execution.positionbook()
    rows = [{name: row.get(name) for name in PNL_FIELDS} for row in book["data"]]
    totals = {name: book.get(name, 0.0) for name in
              ("total_pnl", "total_unrealized_pnl", "total_today_realized_pnl", "total_pnl_today")}
    return {"status": "success", "mode": "analyze", "data": rows, **totals}
