"""GTT endpoints (api-v1 §3.12): place, modify and cancel a good-till-triggered order, and the book
of active ones. Place/modify/cancel answer validation errors in OpenAlgo's "repr" shape and share
the ORDER rate limit; the book uses the "object" shape and the API limit.

Where a call goes is decided by backend/domains/gtt/desk.py: paper execution → the simulated GTT
book; a live broker with GTT support → the broker; any other live broker → 501."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import Request

from backend.api.v1.context import Caller, authorize, instrument_or_400
from backend.api.v1.responses import (
    RATE_LIMITED,
    ErrorResponse,
    FieldErrorResponse,
    GttIdResponse,
    GttOrderBookResponse,
    documented,
)
from backend.api.v1.routing import V1Router
from backend.api.v1.schemas import (
    ApiKeyOnly,
    CancelGttRequest,
    GttFields,
    GttKind,
    ModifyGttRequest,
    PlaceGttRequest,
)
from backend.core.clock import IST, utcnow
from backend.core.errors import AppError
from backend.domains.automation.semi_auto import semi_auto_gate
from backend.domains.gtt.desk import gtt_desk
from backend.domains.gtt.spec import GttSpec, Side
from brokers.contract import BrokerError, GttLeg, GttRequest, GttTriggerType, Instrument, PriceType

log = logging.getLogger("algogate.gtt")

router = V1Router("repr", tags=["gtt"], limits={
    "/placegttorder": "order", "/modifygttorder": "order", "/cancelgttorder": "order"})
book_router = V1Router("object", tags=["gtt"])
CODES = (*RATE_LIMITED, 501)


@asynccontextmanager
async def failing_as(message: str) -> AsyncIterator[None]:
    """OpenAlgo's generic 500 for anything unexpected; refusals and broker errors pass through."""
    try:
        yield
    except (AppError, BrokerError):
        raise
    except Exception:
        log.exception(message)
        raise AppError(message, 500) from None


def check_triggers(body: GttFields) -> None:
    if errors := body.trigger_errors():
        raise AppError(str(errors), 400)


def parse_expiry(text: str | None) -> datetime | None:
    """ISO date-time, `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD`; without an offset it is IST."""
    if text is None or text == "":
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise AppError(str({"expires_at": ["Not a valid datetime."]}), 400) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=IST)
    if moment <= utcnow():
        raise AppError(str({"expires_at": ["Expiry must be in the future."]}), 400)
    return moment


def gtt_spec(body: GttFields, instrument: Instrument, last_price: Decimal, expires_at: datetime | None) -> GttSpec:
    """The request as legs: SINGLE has one (`triggerprice_sl` wins when both are set), OCO the
    stop-loss leg then the target leg. MARKET legs carry price 0."""
    market = body.pricetype == PriceType.MARKET

    def leg(trigger: Decimal, price: Decimal | None) -> GttLeg:
        return GttLeg(trigger_price=trigger, action=body.action, quantity=int(body.quantity),
                      price=Decimal(0) if market or price is None else price, pricetype=body.pricetype,
                      product=body.product)

    if body.trigger_type == GttKind.SINGLE:
        below = body.triggerprice_sl > 0
        legs = (leg(body.triggerprice_sl if below else body.triggerprice_tg, body.price),)
        sides: tuple[Side, ...] = ("below",) if below else ("above",)
        kind = GttTriggerType.SINGLE
    else:
        legs = (leg(body.triggerprice_sl, body.stoploss), leg(body.triggerprice_tg, body.target))
        sides, kind = ("below", "above"), GttTriggerType.OCO
    return GttSpec(GttRequest(symbol=instrument.symbol, exchange=instrument.exchange, trigger_type=kind, legs=legs,
                              last_price=last_price, strategy=body.strategy, expires_at=expires_at), sides)


async def last_price(caller: Caller, instrument: Instrument) -> Decimal:
    """The server fetches the LTP itself (clients never send it)."""
    return Decimal(repr((await caller.gateway.data.quote(instrument)).ltp))


@router.post("/placegttorder", responses=documented(GttIdResponse, ErrorResponse, codes=CODES))
async def place_gtt_order(body: PlaceGttRequest, request: Request) -> dict[str, Any]:
    check_triggers(body)
    expires_at = parse_expiry(body.expires_at)
    async with failing_as("Failed to place GTT due to internal error"):
        caller = await authorize(request, body.apikey)
        if (queued := await semi_auto_gate(request, caller, "placegttorder", body)) is not None:
            return queued
        desk = gtt_desk(request.app, caller.gateway)
        instrument = instrument_or_400(request, body.exchange, body.symbol)
        return await desk.place(gtt_spec(body, instrument, await last_price(caller, instrument), expires_at), instrument)


@router.post("/modifygttorder", responses=documented(GttIdResponse, ErrorResponse, codes=CODES))
async def modify_gtt_order(body: ModifyGttRequest, request: Request) -> dict[str, Any]:
    check_triggers(body)
    async with failing_as("Failed to modify GTT due to internal error"):
        caller = await authorize(request, body.apikey)
        await semi_auto_gate(request, caller, "modifygttorder", body)  # refused in live semi-auto
        desk = gtt_desk(request.app, caller.gateway)
        instrument = instrument_or_400(request, body.exchange, body.symbol)
        spec = gtt_spec(body, instrument, await last_price(caller, instrument), None)
        return await desk.modify(body.trigger_id, spec, instrument)


@router.post("/cancelgttorder", responses=documented(GttIdResponse, ErrorResponse, codes=CODES))
async def cancel_gtt_order(body: CancelGttRequest, request: Request) -> dict[str, Any]:
    if not body.trigger_id:
        raise AppError("trigger_id is missing", 400)
    async with failing_as("Failed to cancel GTT due to internal error"):
        caller = await authorize(request, body.apikey)
        await semi_auto_gate(request, caller, "cancelgttorder", body)
        return await gtt_desk(request.app, caller.gateway).cancel(body.trigger_id)


@book_router.post("/gttorderbook", responses=documented(GttOrderBookResponse, FieldErrorResponse, codes=CODES))
async def gtt_order_book(body: ApiKeyOnly, request: Request) -> dict[str, Any]:
    async with failing_as("An unexpected error occurred"):
        caller = await authorize(request, body.apikey)
        return await gtt_desk(request.app, caller.gateway).orderbook()
