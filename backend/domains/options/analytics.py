"""Option analytics for the SPA's views, computed from chain snapshots (no extra quotes).

Conventions:
* GEX: gamma exposure per 1 % move of the forward, in rupees: Γ·OI·F²·0.01, with OI in units
  (the master's OI is already lots × lot size). Calls count positive and puts negative — the usual
  "dealers long calls, short puts" sign convention, so net GEX > 0 means hedging damps moves.
* IV smile: the out-of-the-money side at each strike (puts below the forward, calls above), where
  quotes are most liquid and parity makes both sides the same volatility anyway.
* Max pain: the expiry settlement that minimises the total intrinsic value paid to option buyers.
* Straddle chart: today's candles of the ATM straddle with the IV each candle implies.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backend.core.clock import now_ist
from backend.core.errors import AppError
from backend.domains.options.greeks import DAYS_PER_YEAR, SECONDS_PER_YEAR, IVStatus, chain_greeks
from backend.domains.options.snapshot import ChainSnapshot
from backend.domains.symbols.index import expiry_code
from brokers.contract.errors import BrokerError
from brokers.contract.protocols import DataClient


def _num(value: float, digits: int = 2) -> float | None:
    """JSON-safe: None instead of NaN/inf."""
    return round(float(value), digits) if np.isfinite(value) else None


def _iv_percent(iv: np.ndarray, status: np.ndarray) -> np.ndarray:
    return np.where(status == IVStatus.OK, iv * 100.0, np.nan)


def header(snap: ChainSnapshot) -> dict[str, Any]:
    return {"underlying": snap.underlying.base, "underlying_ltp": snap.reference.ltp,
            "expiry_date": expiry_code(snap.expiry), "days_to_expiry": round(snap.years * DAYS_PER_YEAR, 4),
            "atm_strike": snap.window.atm_strike, "forward_price": round(snap.forward, 2)}


def gex(snap: ChainSnapshot, rate: float) -> dict[str, Any]:
    calls, puts = snap.greeks(rate)
    forward = snap.forward
    scale = forward * forward * 0.01
    call_gex = calls.greeks.gamma * snap.field("ce", "oi") * scale
    put_gex = -puts.greeks.gamma * snap.field("pe", "oi") * scale
    net = call_gex + put_gex
    rows = [{"strike": float(k), "call_gex": _num(c), "put_gex": _num(p), "net_gex": _num(n)}
            for k, c, p, n in zip(snap.strikes, call_gex, put_gex, net, strict=True)]
    return {**header(snap), "total_call_gex": _num(call_gex.sum()), "total_put_gex": _num(put_gex.sum()),
            "net_gex": _num(net.sum()), "data": rows}


def iv_smile(snap: ChainSnapshot, rate: float) -> dict[str, Any]:
    calls, puts = snap.greeks(rate)
    call_iv, put_iv = _iv_percent(calls.iv, calls.status), _iv_percent(puts.iv, puts.status)
    forward = snap.forward
    otm = np.where(snap.strikes >= forward, call_iv, put_iv)
    rows = [{"strike": float(k), "moneyness": _num(np.log(k / forward), 4), "call_iv": _num(c), "put_iv": _num(p),
             "iv": _num(o)} for k, c, p, o in zip(snap.strikes, call_iv, put_iv, otm, strict=True)]
    return {**header(snap), "atm_iv": _num(otm[snap.window.atm_index]), "data": rows}


def max_pain(snap: ChainSnapshot) -> dict[str, Any]:
    strikes = snap.strikes
    call_oi, put_oi = snap.field("ce", "oi"), snap.field("pe", "oi")
    settle = strikes[:, None]  # candidate settlement prices × contract strikes
    payout = (np.maximum(settle - strikes, 0) * call_oi).sum(axis=1) + (np.maximum(strikes - settle, 0) * put_oi).sum(axis=1)
    best = int(np.argmin(payout))
    rows = [{"strike": float(k), "total_pain": _num(v)} for k, v in zip(strikes, payout, strict=True)]
    return {**header(snap), "max_pain_strike": float(strikes[best]), "data": rows}


def oi_profile(snap: ChainSnapshot) -> dict[str, Any]:
    """Open interest and volume by strike. The quotes carry no previous-day OI, so OI change is
    not reported here."""
    call_oi, put_oi = snap.field("ce", "oi"), snap.field("pe", "oi")
    call_vol, put_vol = snap.field("ce", "volume"), snap.field("pe", "volume")
    rows = [{"strike": float(k), "ce_oi": int(a), "pe_oi": int(b), "ce_volume": int(c), "pe_volume": int(d)}
            for k, a, b, c, d in zip(snap.strikes, call_oi, put_oi, call_vol, put_vol, strict=True)]
    total_call, total_put = float(call_oi.sum()), float(put_oi.sum())
    return {**header(snap), "total_ce_oi": int(total_call), "total_pe_oi": int(total_put),
            "pcr_oi": _num(total_put / total_call, 4) if total_call else None,
            "pcr_volume": _num(put_vol.sum() / call_vol.sum(), 4) if call_vol.sum() else None, "data": rows}


def straddle(snap: ChainSnapshot) -> dict[str, Any]:
    """The ATM straddle now: its price, the move it implies, and the break-evens."""
    at = snap.window.atm_index
    call, put = float(snap.field("ce", "ltp")[at]), float(snap.field("pe", "ltp")[at])
    strike, price = snap.window.atm_strike, call + put
    return {**header(snap), "ce_ltp": call, "pe_ltp": put, "straddle_price": _num(price),
            "implied_move_percent": _num(price / snap.forward * 100, 3),
            "lower_breakeven": _num(strike - price), "upper_breakeven": _num(strike + price)}


def vol_surface(snaps: list[ChainSnapshot], rate: float) -> dict[str, Any]:
    """Strike × expiry grid of out-of-the-money IV (%); null where a contract is missing or unsolved."""
    strikes = sorted({float(k) for snap in snaps for k in snap.strikes})
    column = {k: n for n, k in enumerate(strikes)}
    grid = []
    for snap in snaps:
        row: list[float | None] = [None] * len(strikes)
        for item in iv_smile(snap, rate)["data"]:
            row[column[item["strike"]]] = item["iv"]
        grid.append(row)
    return {"underlying": snaps[0].underlying.base, "underlying_ltp": snaps[0].reference.ltp, "strikes": strikes,
            "expiries": [expiry_code(s.expiry) for s in snaps],
            "days_to_expiry": [round(s.years * DAYS_PER_YEAR, 4) for s in snaps], "iv": grid}


async def straddle_chart(snap: ChainSnapshot, data: DataClient, rate: float, interval: str) -> dict[str, Any]:
    """Today's candles of the ATM straddle (the ATM of now): per candle the call and put closes,
    their sum, the synthetic future K + C − P, and the ATM IV solved from the call on that forward
    — so the chart needs two history calls and no underlying history."""
    at = snap.window.atm_index
    call, put = snap.window.calls[at], snap.window.puts[at]
    if call is None or put is None:
        raise AppError(f"No ATM call/put pair listed at strike {snap.window.atm_strike:g}", 404)
    today = now_ist().date()
    try:
        call_rows = {c.timestamp: c.close for c in await data.history(call, interval, today, today)}
        put_rows = {c.timestamp: c.close for c in await data.history(put, interval, today, today)}
    except BrokerError as exc:
        raise AppError(f"Failed to fetch history: {exc.message}", exc.status) from None
    stamps = sorted(set(call_rows) & set(put_rows))
    strike = snap.window.atm_strike
    ce = np.array([call_rows[s] for s in stamps], dtype=float)
    pe = np.array([put_rows[s] for s in stamps], dtype=float)
    forward = strike + ce - pe
    years = np.array([(snap.cutoff.timestamp() - s) / SECONDS_PER_YEAR for s in stamps], dtype=float)
    solved = chain_greeks(ce, forward, strike, years, rate, True) if stamps else None
    rows = [{"timestamp": int(s), "ce": float(c), "pe": float(p), "straddle": _num(c + p),
             "synthetic_future": _num(f),
             "iv": _num(solved.iv[n] * 100) if solved is not None and solved.status[n] == IVStatus.OK else None}
            for n, (s, c, p, f) in enumerate(zip(stamps, ce, pe, forward, strict=True))]
    return {**header(snap), "ce_symbol": call.symbol, "pe_symbol": put.symbol, "interval": interval, "data": rows}
