"""Master-contract endpoints: /symbol, /search, /expiry, /instruments, /optionsymbol, /intervals."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import ValidationError

from backend.api.v1.responses import OptionsErrorResponse, documented, json_body
from backend.api.v1.responses_data import (
    INSTRUMENTS_CSV,
    ExpiryResponse,
    InstrumentsResponse,
    IntervalsResponse,
    OptionSymbolResponse,
    SearchResponse,
    SymbolResponse,
)
from backend.core.clock import now_ist
from backend.core.errors import AppError, NotFoundError, envelope, pydantic_errors_to_fields
from backend.core.responses import FastJSONResponse
from backend.domains.accounts.auth import authenticate_api_key
from backend.domains.symbols.options import resolve_option_symbol, split_underlying
from backend.domains.symbols.schemas import (
    INSTRUMENT_FIELDS,
    ExpiryRequest,
    IntervalsRequest,
    OptionSymbolRequest,
    SearchRequest,
    SymbolRequest,
    exchange_values,
    instrument_record,
    instrument_row,
    search_row,
)
from backend.domains.symbols.service import SymbolMaster
from brokers.contract.protocols import DataClient
from brokers.simulator.data_client import interval_groups

router = APIRouter(tags=["symbols"])


async def symbols_of(request: Request, user) -> SymbolMaster:
    """The master contract of the caller's broker (no live broker login needed to look symbols up)."""
    gateways = getattr(request.app.state, "gateways", None)
    if gateways is not None:
        return await gateways.symbols_for(user)
    return request.app.state.symbols


async def data_client_for(request: Request, user) -> DataClient:
    """The caller's market data: their gateway's data client when trading is wired, else the simulator."""
    gateways = getattr(request.app.state, "gateways", None)
    if gateways is not None:
        return (await gateways.for_user(user)).data
    return request.app.state.simulator.data_client


@router.post("/symbol", responses=documented(SymbolResponse))
@router.post("/symbol/", include_in_schema=False)
async def symbol(body: SymbolRequest, request: Request) -> dict[str, Any]:
    master = await symbols_of(request, await authenticate_api_key(request, body.apikey))
    found = master.get(body.exchange, body.symbol)
    if found is None:
        raise NotFoundError(f"Symbol {body.symbol} not found in exchange {body.exchange.value}")
    return {"status": "success", "data": instrument_record(found, master.index)}


@router.post("/search", responses=documented(SearchResponse))
@router.post("/search/", include_in_schema=False)
async def search(body: SearchRequest, request: Request) -> dict[str, Any]:
    user = await authenticate_api_key(request, body.apikey)
    if not body.query.strip():
        raise AppError("Query parameter is required and cannot be empty", 400)
    master = await symbols_of(request, user)
    await master.ensure_search()
    results = master.search(body.query, body.exchange, body.instrumenttype)
    if not results:
        return {"status": "success", "message": "No matching symbols found", "data": []}
    return {"status": "success", "message": f"Found {len(results)} matching symbols",
            "data": [search_row(item) for item in results]}


@router.post("/expiry", responses=documented(ExpiryResponse))
@router.post("/expiry/", include_in_schema=False)
async def expiry(body: ExpiryRequest, request: Request) -> dict[str, Any]:
    user = await authenticate_api_key(request, body.apikey)
    underlying = body.symbol.strip().upper()
    days = (await symbols_of(request, user)).expiries(underlying, body.exchange.value, body.instrumenttype,
                                        on_or_after=now_ist().date())
    label = f"{underlying} {body.instrumenttype} in {body.exchange.value}"
    if not days:
        return {"status": "success", "message": f"No expiry dates found for {label}", "data": []}
    return {"status": "success", "message": f"Found {len(days)} expiry dates for {label}",
            "data": [day.strftime("%d-%b-%y").upper() for day in days]}


@router.get("/instruments", responses=documented(InstrumentsResponse, media=INSTRUMENTS_CSV))
@router.get("/instruments/", include_in_schema=False)
async def instruments(request: Request, apikey: str | None = None, exchange: str | None = None,
                      format: str = "json") -> Response:
    as_csv = format.lower() == "csv"
    if format.lower() not in ("json", "csv"):
        return envelope({"format": ["Must be one of: json, csv."]}, 400)

    def fail(message: Any, status: int) -> Response:
        if as_csv:
            text = message if isinstance(message, str) else "; ".join(f"{k}: {v[0]}" for k, v in message.items())
            return PlainTextResponse(text, status_code=status)
        return envelope(message, status)

    if not apikey:
        return fail({"apikey": ["Field may not be null."]}, 400)
    if exchange is not None and exchange not in exchange_values():
        return fail({"exchange": [f"Must be one of: {', '.join(exchange_values())}."]}, 400)
    try:
        user = await authenticate_api_key(request, apikey)
    except AppError as exc:
        return fail(exc.message, exc.status)
    rows = (await symbols_of(request, user)).index.by_exchange(exchange)
    if as_csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(INSTRUMENT_FIELDS)
        for item in rows:
            row = instrument_row(item)
            writer.writerow([row[name] for name in INSTRUMENT_FIELDS])
        filename = f"instruments_{exchange or 'all'}.csv"
        return Response(buffer.getvalue(), media_type="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={filename}"})
    return FastJSONResponse({"status": "success", "message": f"Found {len(rows)} instruments",
                             "data": [instrument_row(item) for item in rows]})


@router.post("/optionsymbol", responses=documented(OptionSymbolResponse, OptionsErrorResponse),
             openapi_extra=json_body(OptionSymbolRequest))
@router.post("/optionsymbol/", include_in_schema=False)
async def optionsymbol(request: Request) -> Response:
    """Validation errors use the options variant: message "Validation error" + `errors`."""
    try:
        payload = await request.json()
    except ValueError:
        return envelope("Invalid JSON in request body.", 400)
    try:
        body = OptionSymbolRequest.model_validate(payload)
    except ValidationError as exc:
        return envelope("Validation error", 400, errors=pydantic_errors_to_fields(list(exc.errors())))
    base, _, _ = split_underlying(body.underlying)
    try:  # OpenAlgo checks the key through the underlying's quote, and words the failure so
        user = await authenticate_api_key(request, body.apikey)
        data = await data_client_for(request, user)
    except AppError as exc:
        raise AppError(f"Failed to fetch LTP for {base}. {exc.message}", exc.status) from None
    resolved = await resolve_option_symbol(await symbols_of(request, user), data, body.underlying, body.exchange,
                                           body.expiry_date, body.offset, body.option_type, body.strike_int)
    item = resolved.instrument
    return FastJSONResponse({"status": "success", "symbol": item.symbol, "exchange": item.exchange.value,
                             "lotsize": item.lotsize, "tick_size": float(item.tick_size),
                             "freeze_qty": item.freeze_qty or 1, "underlying_ltp": resolved.underlying_ltp})


@router.post("/intervals", responses=documented(IntervalsResponse))
@router.post("/intervals/", include_in_schema=False)
async def intervals(body: IntervalsRequest, request: Request) -> dict[str, Any]:
    user = await authenticate_api_key(request, body.apikey)
    capabilities = (await data_client_for(request, user)).capabilities
    return {"status": "success", "data": interval_groups(capabilities.intervals)}
