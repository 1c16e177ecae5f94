"""Market data: quotes, multiquotes, depth, history, ticker (api-v1 §4.9–4.12, §4.14)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from backend.api.v1.context import authorize, instrument_or_400, unknown_symbol_message
from backend.api.v1.fields import STRICT, ApiKey, ExchangeField
from backend.api.v1.responses import RATE_LIMITED, MultiQuotesErrorResponse, documented
from backend.api.v1.responses_data import (
    TICKER_TEXT,
    DepthResponse,
    HistoryResponse,
    MultiQuotesResponse,
    QuotesResponse,
)
from backend.api.v1.routing import V1Router
from backend.api.v1.schemas import MultiQuotesRequest, SymbolRequest
from backend.core.clock import IST
from backend.core.errors import AppError
from brokers.contract import Candle, Depth, Quote

router = V1Router("object", tags=["market data"])

HISTORY_INTERVALS = ("1s", "5s", "10s", "15s", "30s", "45s", "1m", "2m", "3m", "5m", "10m", "15m", "20m", "30m",
                     "1h", "2h", "3h", "4h", "D", "W", "M", "Q", "Y")
DAILY_OR_LONGER = frozenset({"D", "W", "M", "Q", "Y"})
MAX_INTRADAY_DAYS = 30  # per request; larger ranges need several calls (brokers chunk the same way)
MAX_DAILY_DAYS = 10 * 365


def quote_payload(quote: Quote) -> dict[str, Any]:
    return {"ask": quote.ask, "bid": quote.bid, "high": quote.high, "low": quote.low, "ltp": quote.ltp,
            "oi": quote.oi, "open": quote.open, "prev_close": quote.prev_close, "volume": quote.volume}


def depth_payload(depth: Depth, levels: int = 5) -> dict[str, Any]:
    def side(entries) -> list[dict[str, Any]]:
        rows = [{"price": level.price, "quantity": level.quantity} for level in entries[:levels]]
        return rows + [{"price": 0, "quantity": 0}] * (levels - len(rows))

    quote = depth.quote
    return {"open": quote.open, "high": quote.high, "low": quote.low, "ltp": quote.ltp,
            "ltq": getattr(depth, "ltq", 0), "prev_close": quote.prev_close, "volume": quote.volume,
            "oi": quote.oi, "totalbuyqty": depth.total_buy_qty, "totalsellqty": depth.total_sell_qty,
            "asks": side(depth.asks), "bids": side(depth.bids)}


def candle_payload(candle: Candle) -> dict[str, Any]:
    return {"timestamp": candle.timestamp, "open": candle.open, "high": candle.high, "low": candle.low,
            "close": candle.close, "volume": candle.volume, "oi": candle.oi}


@router.post("/quotes", responses=documented(QuotesResponse, codes=RATE_LIMITED))
async def quotes(body: SymbolRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    instrument = instrument_or_400(request, body.exchange, body.symbol)
    quote = await caller.gateway.data.quote(instrument)
    return {"status": "success", "data": quote_payload(quote)}


@router.post("/multiquotes", responses=documented(MultiQuotesResponse, codes=RATE_LIMITED,
                                                   errors_400=MultiQuotesErrorResponse))
async def multiquotes(body: MultiQuotesRequest, request: Request) -> Any:
    caller = await authorize(request, body.apikey)
    invalid: list[dict[str, str]] = []
    valid = []
    for item in body.symbols:
        instrument = caller.gateway.symbols.get(item.exchange, item.symbol)
        if instrument is None:
            invalid.append({"symbol": item.symbol, "exchange": item.exchange.value,
                            "error": unknown_symbol_message(item.symbol, item.exchange.value)})
        else:
            valid.append(instrument)
    if not valid:
        raise AppError(invalid[0]["error"], 400, invalid_symbols=invalid)
    quotes_by_key = await caller.gateway.data.multiquote(valid)
    results: list[dict[str, Any]] = list(invalid)
    for instrument in valid:
        key = f"{instrument.exchange}:{instrument.symbol}"
        quote = quotes_by_key.get(key)
        entry: dict[str, Any] = {"symbol": instrument.symbol, "exchange": str(instrument.exchange)}
        if quote is None:
            entry["error"] = "No quote returned by the broker"
        else:
            entry["data"] = quote_payload(quote)
        results.append(entry)
    return {"status": "success", "results": results}


@router.post("/depth", responses=documented(DepthResponse, codes=RATE_LIMITED))
async def depth(body: SymbolRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    instrument = instrument_or_400(request, body.exchange, body.symbol)
    book = await caller.gateway.data.depth(instrument)
    return {"status": "success", "data": depth_payload(book)}


class HistoryRequest(BaseModel):
    model_config = STRICT
    apikey: ApiKey
    symbol: str
    exchange: ExchangeField
    interval: Literal[HISTORY_INTERVALS]  # type: ignore[valid-type]
    start_date: date
    end_date: date
    source: Literal["api", "db"] = "api"


def check_range(interval: str, start: date, end: date) -> None:
    if start > end:
        raise AppError("start_date must be on or before end_date", 400)
    limit = MAX_DAILY_DAYS if interval in DAILY_OR_LONGER else MAX_INTRADAY_DAYS
    if (end - start).days + 1 > limit:
        raise AppError(f"Date range too large for interval {interval}: at most {limit} days per request", 400)


async def fetch_history(caller, instrument, interval: str, start: date, end: date) -> list[Candle]:
    return await fetch_history_for(caller.gateway, instrument, interval, start, end)


async def fetch_history_for(gateway, instrument, interval: str, start: date, end: date) -> list[Candle]:
    supported = gateway.data.capabilities.intervals
    if interval not in supported:
        raise AppError(f"Interval '{interval}' is not supported by broker {gateway.broker}. "
                       f"Supported: {', '.join(supported)}", 400)
    candles = await gateway.data.history(instrument, interval, start, end)
    unique = {candle.timestamp: candle for candle in candles}  # sorted ascending, de-duplicated
    return [unique[stamp] for stamp in sorted(unique)]


@router.post("/history", responses=documented(HistoryResponse, codes=RATE_LIMITED))
async def history(body: HistoryRequest, request: Request) -> dict[str, Any]:
    if body.source == "db":
        raise AppError("source 'db' needs the local history store, which is not set up on this server", 400)
    check_range(body.interval, body.start_date, body.end_date)
    caller = await authorize(request, body.apikey)
    instrument = instrument_or_400(request, body.exchange, body.symbol)
    candles = await fetch_history(caller, instrument, body.interval, body.start_date, body.end_date)
    return {"status": "success", "data": [candle_payload(c) for c in candles]}


@router.get("/ticker/{ticker}", responses=documented(HistoryResponse, codes=RATE_LIMITED, media=TICKER_TEXT))
async def ticker(
    request: Request,
    ticker: str,
    apikey: Annotated[str, Query(min_length=1, max_length=256)],
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    interval: Annotated[str, Query()] = "D",
    format: Annotated[Literal["json", "txt"], Query()] = "json",
    adjusted: Annotated[str | None, Query(description="accepted, ignored")] = None,
    sort: Annotated[str | None, Query(description="accepted, ignored")] = None,
) -> Any:
    exchange, _, symbol = ticker.partition(":") if ":" in ticker else ("NSE", "", "RELIANCE")
    if interval not in HISTORY_INTERVALS:
        raise AppError({"interval": [f"Must be one of: {', '.join(HISTORY_INTERVALS)}."]}, 400)
    daily = interval in DAILY_OR_LONGER
    earliest = end - timedelta(days=(MAX_DAILY_DAYS if daily else MAX_INTRADAY_DAYS) - 1)
    start = max(start, earliest)  # OpenAlgo clamps the range instead of refusing it
    if start > end:
        raise AppError("from must be on or before to", 400)
    caller = await authorize(request, apikey)
    instrument = instrument_or_400(request, exchange.upper(), symbol.upper())
    candles = await fetch_history(caller, instrument, interval, start, end)
    if format == "json":
        return {"status": "success", "data": [candle_payload(c) for c in candles]}
    lines = []
    for c in candles:
        # Daily candles are stamped 00:00 UTC of the trading date; intraday ones are true instants.
        stamp = (datetime.fromtimestamp(c.timestamp, tz=UTC).strftime("%Y-%m-%d") if daily
                 else datetime.fromtimestamp(c.timestamp, tz=IST).strftime("%Y-%m-%d,%H:%M:%S"))
        lines.append(f"{exchange.upper()}:{symbol.upper()},{stamp},{c.open},{c.high},{c.low},{c.close},{c.volume}")
    return PlainTextResponse("\n".join(lines))


