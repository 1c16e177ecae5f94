"""/market/holidays and /market/timings (api-v1 §4.28–4.29), from the exchange calendar."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, BeforeValidator

from backend.api.v1.fields import STRICT, ApiKey
from backend.api.v1.responses import documented
from backend.api.v1.responses_data import HolidaysResponse, TimingsResponse
from backend.core.clock import now_ist
from backend.core.errors import AppError
from backend.domains.accounts.auth import authenticate_api_key
from backend.domains.market.service import FIRST_YEAR, LAST_YEAR, MarketCalendarService

router = APIRouter(tags=["market"])


def _year(value: object) -> int:
    if isinstance(value, bool) or value is None:
        raise ValueError("Not a valid integer.")
    try:
        year = int(value) if not isinstance(value, float) else int(value)
    except (TypeError, ValueError):
        raise ValueError("Not a valid integer.") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Must be greater than or equal to {FIRST_YEAR} and less than or equal to {LAST_YEAR}.")
    return year


class HolidaysRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    year: Annotated[int | None, BeforeValidator(lambda v: None if v is None else _year(v))] = None


class TimingsRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    date: str


def calendar_of(request: Request) -> MarketCalendarService:
    service = getattr(request.app.state, "market_calendar", None)
    if service is None:
        service = request.app.state.market_calendar = MarketCalendarService()
    return service


@router.post("/market/holidays", responses=documented(HolidaysResponse, codes=(400, 403, 500)))
@router.post("/market/holidays/", include_in_schema=False)
async def holidays(body: HolidaysRequest, request: Request) -> dict[str, Any]:
    await authenticate_api_key(request, body.apikey)
    year = body.year or now_ist().year
    return {"status": "success", "year": year, "timezone": "Asia/Kolkata", "data": calendar_of(request).holidays(year)}


@router.post("/market/timings", responses=documented(TimingsResponse, codes=(400, 403, 500)))
@router.post("/market/timings/", include_in_schema=False)
async def timings(body: TimingsRequest, request: Request) -> dict[str, Any]:
    try:
        day = date.fromisoformat(body.date.strip()) if len(body.date.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise AppError("Invalid date format. Use YYYY-MM-DD", 400)
    if not date(FIRST_YEAR, 1, 1) <= day <= date(LAST_YEAR, 12, 31):
        raise AppError(f"Date must be between {FIRST_YEAR}-01-01 and {LAST_YEAR}-12-31", 400)
    await authenticate_api_key(request, body.apikey)
    return {"status": "success", "data": calendar_of(request).timings(day)}
