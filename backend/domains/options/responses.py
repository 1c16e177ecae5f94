"""Response models of the options endpoints, for OpenAPI only (the handlers return plain dicts, as
in backend/api/v1/responses.py): OpenAlgo's shapes for §3.9–3.10 and §4.20–4.23, and the analytics
extensions."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from backend.api.v1.responses import OptionsErrorResponse, Success, Tagged


class GreeksErrorResponse(OptionsErrorResponse):
    """Greeks endpoints: validation errors are `message: "Validation failed"` plus `errors`."""


class SplitChild(BaseModel):
    order_num: int
    quantity: int
    status: Literal["success", "error"]
    orderid: str | None = None
    message: str | None = None


class OptionsOrderResponse(Tagged):
    orderid: str | None = None  # absent when split: see `results`
    symbol: str
    exchange: str
    underlying: str
    underlying_ltp: float
    offset: str
    option_type: str
    total_quantity: int | None = None
    split_size: int | None = None
    results: list[SplitChild] | None = None


class LegResult(BaseModel):
    leg: int
    offset: str
    option_type: str
    action: str
    status: Literal["success", "error"]
    symbol: str | None = None
    exchange: str | None = None
    product: str | None = None
    orderid: str | None = None
    total_quantity: int | None = None
    split_size: int | None = None
    split_results: list[SplitChild] | None = None
    mode: Literal["live", "analyze"] | None = None
    message: str | None = None


class OptionsMultiOrderResponse(Tagged):
    underlying: str
    underlying_ltp: float
    results: list[LegResult]


class ChainLeg(BaseModel):
    symbol: str
    label: str
    ltp: float
    bid: float
    ask: float
    bid_qty: int
    ask_qty: int
    open: float
    high: float
    low: float
    prev_close: float
    volume: int
    oi: int
    lotsize: int
    tick_size: float
    implied_volatility: float | None = None  # with_greeks, where solvable
    delta: float | None = None
    gamma: float | None = None
    theta: float | None = None
    vega: float | None = None


class ChainRow(BaseModel):
    strike: float
    ce: ChainLeg | None
    pe: ChainLeg | None


class OptionChainResponse(Success):
    underlying: str
    underlying_symbol: str
    underlying_exchange: str
    underlying_ltp: float
    underlying_prev_close: float
    expiry_date: str
    expiry_ts: int
    server_ts: int
    atm_strike: float
    quotes_included: bool
    greeks_included: bool
    forward_price: float | None
    chain: list[ChainRow]


class SyntheticFutureResponse(Success):
    underlying: str
    underlying_ltp: float
    expiry: str
    atm_strike: float
    synthetic_future_price: float


class GreekValues(BaseModel):
    delta: float
    gamma: float
    theta: float
    vega: float
    rho: float


class OptionGreeksResponse(Success):
    symbol: str
    exchange: str
    underlying: str
    strike: float
    option_type: str
    expiry_date: str
    days_to_expiry: float
    spot_price: float
    option_price: float
    interest_rate: float
    implied_volatility: float
    greeks: GreekValues
    intrinsic_value: float | None = None  # with `note`: priced at/below intrinsic, or expired
    time_value: float | None = None
    note: str | None = None


class GreeksItemResult(BaseModel):
    status: Literal["success", "error"]
    symbol: str
    exchange: str
    message: str | None = None
    underlying: str | None = None
    strike: float | None = None
    option_type: str | None = None
    expiry_date: str | None = None
    days_to_expiry: float | None = None
    spot_price: float | None = None
    option_price: float | None = None
    interest_rate: float | None = None
    implied_volatility: float | None = None
    greeks: GreekValues | None = None
    intrinsic_value: float | None = None
    time_value: float | None = None
    note: str | None = None


class GreeksSummary(BaseModel):
    total: int
    success: int
    failed: int


class MultiOptionGreeksResponse(BaseModel):
    status: Literal["success", "partial", "error"]
    data: list[GreeksItemResult]
    summary: GreeksSummary
    message: str | None = None


# --- analytics ------------------------------------------------------------------------------------


class AnalyticsHeader(Success):
    underlying: str
    underlying_ltp: float
    expiry_date: str
    days_to_expiry: float
    atm_strike: float
    forward_price: float


class GexRow(BaseModel):
    strike: float
    call_gex: float | None
    put_gex: float | None
    net_gex: float | None


class GexResponse(AnalyticsHeader):
    total_call_gex: float | None
    total_put_gex: float | None
    net_gex: float | None
    data: list[GexRow]


class SmileRow(BaseModel):
    strike: float
    moneyness: float | None
    call_iv: float | None
    put_iv: float | None
    iv: float | None


class SmileResponse(AnalyticsHeader):
    atm_iv: float | None
    data: list[SmileRow]


class PainRow(BaseModel):
    strike: float
    total_pain: float | None


class MaxPainResponse(AnalyticsHeader):
    max_pain_strike: float
    data: list[PainRow]


class OIRow(BaseModel):
    strike: float
    ce_oi: int
    pe_oi: int
    ce_volume: int
    pe_volume: int


class OIProfileResponse(AnalyticsHeader):
    total_ce_oi: int
    total_pe_oi: int
    pcr_oi: float | None
    pcr_volume: float | None
    data: list[OIRow]


class StraddleResponse(AnalyticsHeader):
    ce_ltp: float
    pe_ltp: float
    straddle_price: float | None
    implied_move_percent: float | None
    lower_breakeven: float | None
    upper_breakeven: float | None


class VolSurfaceResponse(Success):
    underlying: str
    underlying_ltp: float
    strikes: list[float]
    expiries: list[str]
    days_to_expiry: list[float]
    iv: list[list[float | None]]


class StraddlePoint(BaseModel):
    timestamp: int  # epoch seconds of the candle start
    ce: float
    pe: float
    straddle: float | None
    synthetic_future: float | None
    iv: float | None  # ATM IV (%) implied by the call on the synthetic future


class StraddleChartResponse(AnalyticsHeader):
    ce_symbol: str
    pe_symbol: str
    interval: str
    data: list[StraddlePoint]


class CandleGreeks(BaseModel):
    price: float
    iv: float | None  # % — null where the candle's price carries no volatility (status says why)
    status: str  # ok, below_intrinsic, no_time_value, no_price, …
    delta: float | None
    gamma: float | None
    theta: float | None
    vega: float | None


class IVHistoryPoint(BaseModel):
    timestamp: int  # epoch seconds of the candle start
    underlying: float  # the reference's close
    forward: float  # the close carried to the expiry at the current forward/spot basis
    ce: CandleGreeks | None
    pe: CandleGreeks | None


class IVHistoryResponse(AnalyticsHeader):
    strike: float
    is_atm: bool
    ce_symbol: str | None
    pe_symbol: str | None
    interval: str
    data: list[IVHistoryPoint]


class OITrackerRow(BaseModel):
    strike: float
    ce_oi: int  # live
    pe_oi: int
    ce_oi_change: int | None  # live minus the previous session's closing OI (null with no prior session)
    pe_oi_change: int | None
    ce_oi_history: list[int | None]  # closing OI on each of `dates` (the last one live)
    pe_oi_history: list[int | None]


class OITrackerResponse(AnalyticsHeader):
    dates: list[str]  # YYYY-MM-DD, oldest first; the last is today
    total_ce_oi: int
    total_pe_oi: int
    total_ce_oi_change: int | None
    total_pe_oi_change: int | None
    pcr_oi: float | None
    pcr_history: list[float | None]  # put-call OI ratio on each of `dates`
    data: list[OITrackerRow]


class ExpiryListResponse(Success):
    """The SPA's expiry picker (/web/options/expiries)."""

    underlying: str
    options_exchange: str
    expiries: list[str]  # DDMMMYY, nearest first
