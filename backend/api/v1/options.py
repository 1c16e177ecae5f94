"""Options endpoints (api-v1 §3.9–3.11, §4.20–4.23): orders by offset, option chain, synthetic
future and greeks. Orders go through the caller's gateway, so analyzer mode and the paper engine
apply exactly as for /placeorder. Quotes are batched: one call for the underlying, one for a
whole chain, never a call per contract."""

from __future__ import annotations

import time as clock
from typing import Any

from fastapi import Request

from backend.api.v1.context import Caller, authorize, symbols_of
from backend.api.v1.orders import analyze_tag
from backend.api.v1.responses import RATE_LIMITED, OptionsErrorResponse, documented
from backend.api.v1.routing import V1Router
from backend.core.clock import now_ist
from backend.core.errors import AppError
from backend.domains.automation.semi_auto import semi_auto_gate
from backend.domains.options import analytics, history
from backend.domains.options import responses as r
from backend.domains.options.chain import (
    Underlying,
    fetch_quote,
    fetch_quotes,
    labels,
    quote_key,
    resolve_leg,
    resolve_underlying,
)
from backend.domains.options.greeks import IVStatus
from backend.domains.options.orders import place_leg
from backend.domains.options.schemas import (
    AnalyticsRequest,
    IVHistoryRequest,
    MultiOptionGreeksRequest,
    OITrackerRequest,
    OptionChainRequest,
    OptionGreeksRequest,
    OptionsMultiOrderRequest,
    OptionsOrderRequest,
    StraddleChartRequest,
    SurfaceRequest,
    SyntheticFutureRequest,
)
from backend.domains.options.service import GreeksItem, compute_greeks
from backend.domains.options.snapshot import ChainSnapshot, take_snapshots
from backend.domains.symbols.index import expiry_code
from backend.domains.symbols.service import SymbolMaster
from brokers.contract import Action, Exchange, Instrument, Quote

router = V1Router("options", tags=["options"], limits={"/optionsorder": "order", "/optionsmultiorder": "order"})
greeks_router = V1Router("greeks", tags=["options"], limits={"/optiongreeks": "greeks"})
GREEKS_CODES = (400, 401, 404, 429, 500)  # a bad key is 401 here, not 403


def master_of(request: Request) -> SymbolMaster:
    return symbols_of(request)


# --- orders ------------------------------------------------------------------------------------

async def underlying_ltp(caller: Caller, underlying: Underlying) -> float:
    return (await fetch_quote(caller.gateway.data, underlying.reference)).ltp


@router.post("/optionsorder", responses=documented(r.OptionsOrderResponse, OptionsErrorResponse, codes=RATE_LIMITED))
async def options_order(body: OptionsOrderRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    if (queued := await semi_auto_gate(request, caller, "optionsorder", body)) is not None:
        return queued
    master = master_of(request)
    underlying = resolve_underlying(master, body.underlying, body.exchange)
    expiry = underlying.expiry(body.expiry_date)
    ltp = await underlying_ltp(caller, underlying)
    instrument = resolve_leg(master, underlying, expiry, body.offset, body.option_type, ltp, body.strike_int)
    placed = await place_leg(caller, instrument, body, body.strategy)
    head = {"status": "success"}
    if "orderid" in placed:
        head["orderid"] = placed.pop("orderid")
    return analyze_tag(caller, {**head, "symbol": instrument.symbol, "exchange": instrument.exchange.value,
                                "underlying": body.underlying.strip().upper(), "underlying_ltp": ltp,
                                "offset": body.offset, "option_type": body.option_type, **placed})


@router.post("/optionsmultiorder",
             responses=documented(r.OptionsMultiOrderResponse, OptionsErrorResponse, codes=RATE_LIMITED))
async def options_multi_order(body: OptionsMultiOrderRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    if (queued := await semi_auto_gate(request, caller, "optionsmultiorder", body)) is not None:
        return queued
    master = master_of(request)
    underlying = resolve_underlying(master, body.underlying, body.exchange)
    ltp = await underlying_ltp(caller, underlying)  # once for every leg
    mode = "analyze" if caller.gateway.analyze else "live"
    # Buys first: hedges in place before the margin-hungry sells (OpenAlgo's order of execution).
    order = sorted(range(len(body.legs)), key=lambda at: body.legs[at].action != Action.BUY)
    results: dict[int, dict[str, Any]] = {}
    for at in order:
        leg = body.legs[at]
        result: dict[str, Any] = {"leg": at + 1, "offset": leg.offset, "option_type": leg.option_type,
                                  "action": leg.action.value}
        try:
            expiry = underlying.expiry(leg.expiry_date or body.expiry_date)
            instrument = resolve_leg(master, underlying, expiry, leg.offset, leg.option_type, ltp, body.strike_int)
            result.update(symbol=instrument.symbol, exchange=instrument.exchange.value, product=leg.product.value)
            placed = await place_leg(caller, instrument, leg, body.strategy)
            if "results" in placed:
                ok = any(child["status"] == "success" for child in placed["results"])
                result.update(status="success" if ok else "error", total_quantity=placed["total_quantity"],
                              split_size=placed["split_size"], split_results=placed["results"])
            else:
                result.update(status="success", orderid=placed["orderid"])
            result["mode"] = mode
        except AppError as exc:
            result.update(status="error", message=exc.message)
        results[at] = result
    return analyze_tag(caller, {"status": "success", "underlying": body.underlying.strip().upper(),
                                "underlying_ltp": ltp, "results": [results[at] for at in sorted(results)]})


# --- chain and synthetic future ------------------------------------------------------------------

def leg_payload(item: Instrument | None, label: str, quote: Quote | None) -> dict[str, Any] | None:
    if item is None:
        return None
    q = quote or Quote(ltp=0.0)
    return {"symbol": item.symbol, "label": label, "ltp": q.ltp, "bid": q.bid, "ask": q.ask, "bid_qty": 0,
            "ask_qty": 0, "open": q.open, "high": q.high, "low": q.low, "prev_close": q.prev_close,
            "volume": q.volume, "oi": q.oi, "lotsize": item.lotsize, "tick_size": float(item.tick_size)}


def attach_greeks(rows: list[dict[str, Any]], snap: ChainSnapshot, rate: float) -> None:
    """IV (%) and greeks on every leg whose IV solved; other legs get no greek keys (no NaN)."""
    for side, solved in zip(("ce", "pe"), snap.greeks(rate), strict=True):
        g = solved.greeks
        for n, row in enumerate(rows):
            if row[side] is not None and solved.status[n] == IVStatus.OK:
                row[side].update(implied_volatility=round(float(solved.iv[n]) * 100, 2),
                                 delta=round(float(g.delta[n]), 4), gamma=round(float(g.gamma[n]), 6),
                                 theta=round(float(g.theta[n]), 4), vega=round(float(g.vega[n]), 4))


@router.post("/optionchain", responses=documented(r.OptionChainResponse, OptionsErrorResponse))
async def option_chain(body: OptionChainRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    [snap] = await take_snapshots(master_of(request), caller.gateway.data, body.underlying, body.exchange,
                                  body.expiry_date, body.strike_count, now_ist())
    return chain_payload(snap, body.with_greeks, float(body.interest_rate or 0) / 100.0)


def chain_payload(snap: ChainSnapshot, with_greeks: bool, rate: float) -> dict[str, Any]:
    """The /optionchain body of a snapshot (the SPA's /web/options/chain sends the same)."""
    window = snap.window
    call_labels, put_labels = labels(len(window.strikes), window.atm_index)
    rows = [{"strike": float(strike), "ce": leg_payload(call, call_labels[n], snap.quote(call)),
             "pe": leg_payload(put, put_labels[n], snap.quote(put))}
            for n, (strike, call, put) in enumerate(zip(window.strikes, window.calls, window.puts, strict=True))]
    forward = None
    if with_greeks:
        forward = snap.forward
        attach_greeks(rows, snap, rate)
    reference = snap.reference
    return {"status": "success", "underlying": snap.underlying.base,
            "underlying_symbol": snap.underlying.reference.symbol,
            "underlying_exchange": snap.underlying.reference.exchange.value, "underlying_ltp": reference.ltp,
            "underlying_prev_close": reference.prev_close, "expiry_date": expiry_code(snap.expiry),
            "expiry_ts": int(snap.cutoff.timestamp()), "server_ts": int(clock.time()),
            "atm_strike": window.atm_strike, "quotes_included": True, "greeks_included": with_greeks,
            "forward_price": round(forward, 2) if forward is not None else None, "chain": rows}


@router.post("/syntheticfuture", responses=documented(r.SyntheticFutureResponse, OptionsErrorResponse))
async def synthetic_future(body: SyntheticFutureRequest, request: Request) -> dict[str, Any]:
    caller = await authorize(request, body.apikey)
    master = master_of(request)
    underlying = resolve_underlying(master, body.underlying, body.exchange)
    expiry = underlying.expiry(body.expiry_date)
    ltp = await underlying_ltp(caller, underlying)
    call = resolve_leg(master, underlying, expiry, "ATM", "CE", ltp)
    put = resolve_leg(master, underlying, expiry, "ATM", "PE", ltp)
    quotes = await fetch_quotes(caller.gateway.data, [call, put])
    prices = {}
    for item, name in ((call, "Call"), (put, "Put")):
        quote = quotes.get(quote_key(item))
        if quote is None or quote.ltp <= 0:
            raise AppError(f"Could not fetch LTP for {name} option: {item.symbol}", 500)
        prices[name] = quote.ltp
    strike = float(call.strike or 0)
    return {"status": "success", "underlying": underlying.base, "underlying_ltp": ltp, "expiry": expiry_code(expiry),
            "atm_strike": strike, "synthetic_future_price": round(strike + prices["Call"] - prices["Put"], 2)}


# --- greeks ----------------------------------------------------------------------------------------

async def authorize_greeks(request: Request, apikey: str) -> Caller:
    """The greeks endpoints answer a bad key with 401, not 403 (api-v1 §1.5, §6.12)."""
    try:
        return await authorize(request, apikey)
    except AppError as exc:
        if exc.status == 403 and exc.message == "Invalid openalgo apikey":
            raise AppError(exc.message, 401) from None
        raise


def _item(symbol: str, exchange: Any, underlying_symbol: str | None, underlying_exchange: Exchange | None,
          forward: float | None = None) -> GreeksItem:
    return GreeksItem(symbol.strip().upper(), Exchange(exchange.value), underlying_symbol, underlying_exchange,
                      forward)


@greeks_router.post("/optiongreeks",
                    responses=documented(r.OptionGreeksResponse, r.GreeksErrorResponse, codes=GREEKS_CODES))
async def option_greeks(body: OptionGreeksRequest, request: Request) -> dict[str, Any]:
    caller = await authorize_greeks(request, body.apikey)
    forward = float(body.forward_price) if body.forward_price else None
    item = _item(body.symbol, body.exchange, body.underlying_symbol, body.underlying_exchange, forward)
    [result] = await compute_greeks(master_of(request), caller.gateway.data, [item], float(body.interest_rate or 0),
                                    body.expiry_time, now_ist(), expired_as_success=False)
    if isinstance(result, AppError):
        raise result
    return result


@greeks_router.post("/multioptiongreeks",
                    responses=documented(r.MultiOptionGreeksResponse, r.GreeksErrorResponse, codes=(400, 401)))
async def multi_option_greeks(body: MultiOptionGreeksRequest, request: Request) -> dict[str, Any]:
    caller = await authorize_greeks(request, body.apikey)
    items = [_item(s.symbol, s.exchange, s.underlying_symbol, s.underlying_exchange) for s in body.symbols]
    results = await compute_greeks(master_of(request), caller.gateway.data, items, float(body.interest_rate or 0),
                                   body.expiry_time, now_ist(), expired_as_success=True)
    data, failures = [], []
    for item, result in zip(items, results, strict=True):
        if isinstance(result, AppError):
            failures.append(result.message)
            data.append({"status": "error", "symbol": item.symbol, "exchange": item.exchange.value,
                         "message": result.message})
        else:
            data.append(result)
    summary = {"total": len(items), "success": len(items) - len(failures), "failed": len(failures)}
    if not failures:
        return {"status": "success", "data": data, "summary": summary}
    if len(failures) == len(items):
        return {"status": "error", "data": data, "summary": summary,
                "message": f"All option Greeks calculations failed: {failures[0]}"}
    return {"status": "partial", "data": data, "summary": summary,
            "message": f"{len(failures)} option Greeks calculation(s) failed: {failures[0]}"}


# --- analytics (Algogate extensions, API-key auth like the rest of /api/v1) ----------------------

async def analytics_snapshots(body: AnalyticsRequest, request: Request, expiries: int = 1) -> list[ChainSnapshot]:
    caller = await authorize(request, body.apikey)
    return await take_snapshots(master_of(request), caller.gateway.data, body.underlying, body.exchange,
                                body.expiry_date, body.strike_count, now_ist(), expiries_wanted=expiries)


def rate_of(body: AnalyticsRequest) -> float:
    return float(body.interest_rate or 0) / 100.0


@router.post("/options/gex", responses=documented(r.GexResponse, OptionsErrorResponse))
async def options_gex(body: AnalyticsRequest, request: Request) -> dict[str, Any]:
    """Gamma exposure by strike: Γ·OI·F²·1 % in rupees, calls positive, puts negative."""
    [snap] = await analytics_snapshots(body, request)
    return {"status": "success", **analytics.gex(snap, rate_of(body))}


@router.post("/options/ivsmile", responses=documented(r.SmileResponse, OptionsErrorResponse))
async def options_iv_smile(body: AnalyticsRequest, request: Request) -> dict[str, Any]:
    """Implied volatility (%) by strike for one expiry: calls, puts, and the out-of-the-money side."""
    [snap] = await analytics_snapshots(body, request)
    return {"status": "success", **analytics.iv_smile(snap, rate_of(body))}


@router.post("/options/maxpain", responses=documented(r.MaxPainResponse, OptionsErrorResponse))
async def options_max_pain(body: AnalyticsRequest, request: Request) -> dict[str, Any]:
    """Total intrinsic value paid to option buyers at each settlement strike, and its minimum."""
    [snap] = await analytics_snapshots(body, request)
    return {"status": "success", **analytics.max_pain(snap)}


@router.post("/options/oiprofile", responses=documented(r.OIProfileResponse, OptionsErrorResponse))
async def options_oi_profile(body: AnalyticsRequest, request: Request) -> dict[str, Any]:
    """Open interest and volume by strike, with put-call ratios."""
    [snap] = await analytics_snapshots(body, request)
    return {"status": "success", **analytics.oi_profile(snap)}


@router.post("/options/straddle", responses=documented(r.StraddleResponse, OptionsErrorResponse))
async def options_straddle(body: AnalyticsRequest, request: Request) -> dict[str, Any]:
    """The ATM straddle now: price, implied move and break-evens."""
    [snap] = await analytics_snapshots(body, request)
    return {"status": "success", **analytics.straddle(snap)}


@router.post("/options/volsurface", responses=documented(r.VolSurfaceResponse, OptionsErrorResponse))
async def options_vol_surface(body: SurfaceRequest, request: Request) -> dict[str, Any]:
    """Out-of-the-money IV (%) on a strike × expiry grid over the nearest `expiries` expiries."""
    snaps = await analytics_snapshots(body, request, body.expiries)
    return {"status": "success", **analytics.vol_surface(snaps, rate_of(body))}


@router.post("/options/straddlechart", responses=documented(r.StraddleChartResponse, OptionsErrorResponse))
async def options_straddle_chart(body: StraddleChartRequest, request: Request) -> dict[str, Any]:
    """Today's ATM straddle (ATM of now) candle by candle, with the synthetic future and ATM IV."""
    caller = await authorize(request, body.apikey)
    [snap] = await take_snapshots(master_of(request), caller.gateway.data, body.underlying, body.exchange,
                                  body.expiry_date, 0, now_ist())
    return {"status": "success", **await analytics.straddle_chart(snap, caller.gateway.data, rate_of(body),
                                                                  body.interval)}


@router.post("/options/ivhistory", responses=documented(r.IVHistoryResponse, OptionsErrorResponse))
async def options_iv_history(body: IVHistoryRequest, request: Request) -> dict[str, Any]:
    """Today's IV and greeks of one strike's CE and PE (ATM of now when `strike` is omitted), candle
    by candle, solved against the underlying's candles in one vectorised pass."""
    caller = await authorize(request, body.apikey)
    master = master_of(request)
    [snap] = await take_snapshots(master, caller.gateway.data, body.underlying, body.exchange, body.expiry_date, 0,
                                  now_ist(), listed_only=True)
    strike = float(body.strike) if body.strike is not None else None
    return {"status": "success", **await history.iv_history(master, snap, caller.gateway.data, rate_of(body),
                                                            body.interval, strike)}


@router.post("/options/oitracker", responses=documented(r.OITrackerResponse, OptionsErrorResponse))
async def options_oi_tracker(body: OITrackerRequest, request: Request) -> dict[str, Any]:
    """OI by strike, CE vs PE, at the close of each of the last `days` sessions (today live), the
    change in OI since the previous session, and the put-call OI ratio per session."""
    caller = await authorize(request, body.apikey)
    [snap] = await take_snapshots(master_of(request), caller.gateway.data, body.underlying, body.exchange,
                                  body.expiry_date, body.strike_count, now_ist(), listed_only=True)
    return {"status": "success", **await history.oi_tracker(snap, caller.gateway.data, body.days)}
