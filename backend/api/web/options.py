"""The SPA's options views over the web session: the same chain and analytics as /api/v1/optionchain
and /api/v1/options/* (same service functions, same response bodies), read with GET so the session
cookie is enough and no CSRF token is needed, like /web/market/*."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from backend.api.deps import WebUser
from backend.api.v1.options import chain_payload
from backend.api.v1.responses import OptionsErrorResponse
from backend.api.web.trading import gateway
from backend.core.clock import now_ist
from backend.core.errors import AppError
from backend.domains.options import analytics, history
from backend.domains.options import responses as r
from backend.domains.options.chain import resolve_underlying
from backend.domains.options.schemas import INTRADAY_INTERVALS
from backend.domains.options.snapshot import MAX_EXPIRIES, ChainSnapshot, default_expiries, take_snapshots
from backend.domains.symbols.index import expiry_code
from brokers.contract import Exchange

router = APIRouter(prefix="/web/options", tags=["web options"])
MAX_LISTED_EXPIRIES = 12

Underlying = Annotated[str, Query(min_length=1, max_length=40, description="e.g. NIFTY, BANKNIFTY, CRUDEOIL")]
ExchangeName = Annotated[str, Query(description="The underlying's exchange, e.g. NSE_INDEX, NSE, MCX")]
ExpiryCode = Annotated[str | None, Query(description="DDMMMYY; the nearest listed expiry when omitted")]
StrikeCount = Annotated[int, Query(ge=1, le=100, description="Strikes each side of ATM")]
Rate = Annotated[Decimal, Query(ge=0, le=100, description="Interest rate in % a year")]
Interval = Literal[INTRADAY_INTERVALS]  # type: ignore[valid-type]


def _doc(model: type) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model}, 400: {"model": OptionsErrorResponse}, 404: {"model": OptionsErrorResponse}}


def _exchange(name: str) -> Exchange:
    try:
        return Exchange(name.strip().upper())
    except ValueError:
        raise AppError(f"Unknown exchange '{name}'", 400) from None


async def _snapshots(request: Request, caller, underlying: str, exchange: str, expiry_date: str | None,
                     strike_count: int | None, expiries: int = 1, listed_only: bool = True) -> list[ChainSnapshot]:
    route = await gateway(request, caller)
    return await take_snapshots(route.symbols, route.data, underlying, _exchange(exchange), expiry_date, strike_count,
                                now_ist(), expiries_wanted=expiries, listed_only=listed_only)


@router.get("/expiries", responses=_doc(r.ExpiryListResponse))
async def expiries(request: Request, caller: WebUser, underlying: Underlying, exchange: ExchangeName) -> dict[str, Any]:
    """Unexpired option expiries of an underlying, nearest first (the pages' expiry picker)."""
    route = await gateway(request, caller)
    found = resolve_underlying(route.symbols, underlying, _exchange(exchange), auto_future=True)
    now: datetime = now_ist()
    days = default_expiries(route.symbols, found, now, MAX_LISTED_EXPIRIES)
    return {"status": "success", "underlying": found.base, "options_exchange": found.options_exchange.value,
            "expiries": [expiry_code(day) for day in days]}


@router.get("/chain", responses=_doc(r.OptionChainResponse))
async def chain(request: Request, caller: WebUser, underlying: Underlying, exchange: ExchangeName,
                expiry_date: ExpiryCode = None, strike_count: StrikeCount = 10, with_greeks: bool = True,
                interest_rate: Rate = Decimal(0)) -> dict[str, Any]:
    [snap] = await _snapshots(request, caller, underlying, exchange, expiry_date, strike_count)
    return chain_payload(snap, with_greeks, float(interest_rate) / 100.0)


@router.get("/gex", responses=_doc(r.GexResponse))
async def gex(request: Request, caller: WebUser, underlying: Underlying, exchange: ExchangeName,
              expiry_date: ExpiryCode = None, strike_count: StrikeCount = 20,
              interest_rate: Rate = Decimal(0)) -> dict[str, Any]:
    [snap] = await _snapshots(request, caller, underlying, exchange, expiry_date, strike_count)
    return {"status": "success", **analytics.gex(snap, float(interest_rate) / 100.0)}


@router.get("/ivsmile", responses=_doc(r.SmileResponse))
async def iv_smile(request: Request, caller: WebUser, underlying: Underlying, exchange: ExchangeName,
                   expiry_date: ExpiryCode = None, strike_count: StrikeCount = 20,
                   interest_rate: Rate = Decimal(0)) -> dict[str, Any]:
    [snap] = await _snapshots(request, caller, underlying, exchange, expiry_date, strike_count)
    return {"status": "success", **analytics.iv_smile(snap, float(interest_rate) / 100.0)}


@router.get("/maxpain", responses=_doc(r.MaxPainResponse))
async def max_pain(request: Request, caller: WebUser, underlying: Underlying, exchange: ExchangeName,
                   expiry_date: ExpiryCode = None, strike_count: StrikeCount = 20) -> dict[str, Any]:
    [snap] = await _snapshots(request, caller, underlying, exchange, expiry_date, strike_count)
    return {"status": "success", **analytics.max_pain(snap)}


@router.get("/oiprofile", responses=_doc(r.OIProfileResponse))
async def oi_profile(request: Request, caller: WebUser, underlying: Underlying, exchange: ExchangeName,
                     expiry_date: ExpiryCode = None, strike_count: StrikeCount = 20) -> dict[str, Any]:
    [snap] = await _snapshots(request, caller, underlying, exchange, expiry_date, strike_count)
    return {"status": "success", **analytics.oi_profile(snap)}


@router.get("/oitracker", responses=_doc(r.OITrackerResponse))
async def oi_tracker(request: Request, caller: WebUser, underlying: Underlying, exchange: ExchangeName,
                     expiry_date: ExpiryCode = None, strike_count: StrikeCount = 20,
                     days: Annotated[int, Query(ge=1, le=30)] = 5) -> dict[str, Any]:
    route = await gateway(request, caller)
    [snap] = await _snapshots(request, caller, underlying, exchange, expiry_date, strike_count)
    return {"status": "success", **await history.oi_tracker(snap, route.data, days)}


@router.get("/straddlechart", responses=_doc(r.StraddleChartResponse))
async def straddle_chart(request: Request, caller: WebUser, underlying: Underlying, exchange: ExchangeName,
                         expiry_date: ExpiryCode = None, interval: Interval = "1m",
                         interest_rate: Rate = Decimal(0)) -> dict[str, Any]:
    route = await gateway(request, caller)
    [snap] = await _snapshots(request, caller, underlying, exchange, expiry_date, 0)
    return {"status": "success", **await analytics.straddle_chart(snap, route.data, float(interest_rate) / 100.0,
                                                                  interval)}


@router.get("/ivhistory", responses=_doc(r.IVHistoryResponse))
async def iv_history(request: Request, caller: WebUser, underlying: Underlying, exchange: ExchangeName,
                     expiry_date: ExpiryCode = None, interval: Interval = "5m",
                     strike: Annotated[float | None, Query(gt=0)] = None,
                     interest_rate: Rate = Decimal(0)) -> dict[str, Any]:
    route = await gateway(request, caller)
    [snap] = await _snapshots(request, caller, underlying, exchange, expiry_date, 0)
    return {"status": "success", **await history.iv_history(route.symbols, snap, route.data,
                                                            float(interest_rate) / 100.0, interval, strike)}


@router.get("/volsurface", responses=_doc(r.VolSurfaceResponse))
async def vol_surface(request: Request, caller: WebUser, underlying: Underlying, exchange: ExchangeName,
                      expiries: Annotated[int, Query(ge=1, le=MAX_EXPIRIES)] = 4, strike_count: StrikeCount = 15,
                      interest_rate: Rate = Decimal(0)) -> dict[str, Any]:
    snaps = await _snapshots(request, caller, underlying, exchange, None, strike_count, expiries=expiries)
    return {"status": "success", **analytics.vol_surface(snaps, float(interest_rate) / 100.0)}
