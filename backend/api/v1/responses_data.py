"""Response models of the market-data, symbol, utility and calendar endpoints (api-v1 §4.9–4.29),
for OpenAPI only; see backend/api/v1/responses.py for the envelopes and the order/book models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from backend.api.v1.responses import Success

# --- market data (§4.9–4.14) ------------------------------------------------------------------


class QuoteData(BaseModel):
    ask: float
    bid: float
    high: float
    low: float
    ltp: float
    oi: int
    open: float
    prev_close: float
    volume: int


class QuotesResponse(Success):
    data: QuoteData


class MultiQuoteResult(BaseModel):
    """`data` for a quoted symbol, `error` for one that is unknown or that the broker skipped."""

    symbol: str
    exchange: str
    data: QuoteData | None = None
    error: str | None = None


class MultiQuotesResponse(Success):
    results: list[MultiQuoteResult]


class DepthLevel(BaseModel):
    price: float
    quantity: int


class DepthData(BaseModel):
    open: float
    high: float
    low: float
    ltp: float
    ltq: int
    prev_close: float
    volume: int
    oi: int
    totalbuyqty: int
    totalsellqty: int
    asks: list[DepthLevel]
    bids: list[DepthLevel]


class DepthResponse(Success):
    data: DepthData


class CandleData(BaseModel):
    timestamp: int
    open: float
    high: float
    low: float
    close: float
    volume: int
    oi: int


class HistoryResponse(Success):
    data: list[CandleData]


TICKER_TEXT = {"text/plain": {"schema": {"type": "string"}}}

# --- symbols (§4.13, §4.15–4.19) --------------------------------------------------------------


class Instrument(BaseModel):
    symbol: str
    brsymbol: str
    name: str
    exchange: str
    brexchange: str
    token: str
    expiry: str
    strike: float
    lotsize: int
    instrumenttype: str
    tick_size: float


class SearchItem(Instrument):
    freeze_qty: int


class SymbolItem(SearchItem):
    id: int


class SymbolResponse(Success):
    data: SymbolItem


class SearchResponse(Success):
    message: str
    data: list[SearchItem]


class ExpiryResponse(Success):
    message: str
    data: list[str]


class InstrumentsResponse(Success):
    message: str
    data: list[Instrument]


INSTRUMENTS_CSV = {"text/csv": {"schema": {"type": "string"}}}


class OptionSymbolResponse(Success):
    symbol: str
    exchange: str
    lotsize: int
    tick_size: float
    freeze_qty: int
    underlying_ltp: float


class Intervals(BaseModel):
    seconds: list[str]
    minutes: list[str]
    hours: list[str]
    days: list[str]
    weeks: list[str]
    months: list[str]


class IntervalsResponse(Success):
    data: Intervals


# --- utility and market calendar (§4.24–4.29) -------------------------------------------------


class Pong(BaseModel):
    message: Literal["pong"]
    broker: str


class PingResponse(Success):
    data: Pong


class AnalyzerState(BaseModel):
    mode: Literal["analyze", "live"]
    analyze_mode: bool
    total_logs: int
    message: str | None = None


class AnalyzerResponse(Success):
    data: AnalyzerState


class SessionWindow(BaseModel):
    exchange: str
    start_time: int
    end_time: int


class Holiday(BaseModel):
    date: str
    description: str
    holiday_type: str
    closed_exchanges: list[str]
    open_exchanges: list[SessionWindow]


class HolidaysResponse(Success):
    year: int
    timezone: str
    data: list[Holiday]


class TimingsResponse(Success):
    data: list[SessionWindow]
