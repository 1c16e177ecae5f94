"""Option analytics over time, from the broker's history candles: IV history of one strike (or
ATM) through today, and the OI tracker (OI by strike at each session's close and today's change).

Conventions:
* IV history: each candle's CE and PE closes are solved against the underlying's close carried to
  the expiry at today's forward/spot ratio (the synthetic future's basis, stable within a day),
  with the time to expiry measured from the candle's start. All candles solve in one vectorised
  pass.
* OI tracker: a contract's daily candle carries its OI at that session's close; today's value is
  the live quote's OI (the same number /options/oiprofile shows), and the change in OI is live
  minus the previous session's close.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from backend.core.clock import now_ist
from backend.core.errors import AppError
from backend.domains.options.analytics import _num, header
from backend.domains.options.greeks import SECONDS_PER_YEAR, STATUS_TEXT, IVStatus, chain_greeks
from backend.domains.options.snapshot import ChainSnapshot
from backend.domains.symbols.index import expiry_code
from backend.domains.symbols.service import SymbolMaster
from brokers.contract.errors import BrokerError
from brokers.contract.protocols import DataClient
from brokers.contract.types import Candle, Instrument

# Calendar days fetched for N sessions: N·7/5 covers weekends, the extra days a few holidays.
EXTRA_CALENDAR_DAYS = 5
# History calls in flight at once for the OI tracker (two per strike): brokers rate-limit history.
HISTORY_CONCURRENCY = 8


async def _history(data: DataClient, item: Instrument, interval: str, start: date, end: date) -> list[Candle]:
    try:
        return await data.history(item, interval, start, end)
    except BrokerError as exc:
        raise AppError(f"Failed to fetch history for {item.symbol}: {exc.message}", exc.status) from None


def strike_contracts(master: SymbolMaster, snap: ChainSnapshot,
                     strike: float | None) -> tuple[float, Instrument | None, Instrument | None]:
    """The CE and PE at `strike` (ATM of now when None), straight from the master so any listed
    strike works whatever the snapshot's window; 400 when the strike is not listed."""
    if strike is None:
        at = snap.window.atm_index
        return snap.window.atm_strike, snap.window.calls[at], snap.window.puts[at]
    found: list[Instrument | None] = []
    for kind in ("CE", "PE"):
        side = master.index.chain(snap.underlying.base, snap.underlying.options_exchange, snap.expiry, kind)
        hits = [] if side is None else [i for k, i in zip(side.strikes, side.instruments, strict=True)
                                        if abs(float(k) - strike) < 1e-6]
        found.append(hits[0] if hits else None)
    if found == [None, None]:
        raise AppError(f"Strike {strike:g} is not listed for {snap.underlying.base} expiring "
                       f"{expiry_code(snap.expiry)}", 400)
    return float(strike), found[0], found[1]


def _candle_greeks(solved, n: int, price: float) -> dict[str, Any]:
    status = IVStatus(int(solved.status[n]))
    ok = status is IVStatus.OK
    g = solved.greeks
    return {"price": price, "iv": _num(solved.iv[n] * 100) if ok else None, "status": STATUS_TEXT[status],
            "delta": _num(g.delta[n], 4) if ok else None, "gamma": _num(g.gamma[n], 6) if ok else None,
            "theta": _num(g.theta[n], 4) if ok else None, "vega": _num(g.vega[n], 4) if ok else None}


async def iv_history(master: SymbolMaster, snap: ChainSnapshot, data: DataClient, rate: float, interval: str,
                     strike: float | None) -> dict[str, Any]:
    chosen, call, put = strike_contracts(master, snap, strike)
    today = now_ist().date()
    legs = [leg for leg in (call, put) if leg is not None]
    fetched = await asyncio.gather(_history(data, snap.underlying.reference, interval, today, today),
                                   *(_history(data, leg, interval, today, today) for leg in legs))
    spot_rows = {c.timestamp: c.close for c in fetched[0]}
    leg_rows = {leg.symbol: {c.timestamp: c.close for c in rows} for leg, rows in zip(legs, fetched[1:], strict=True)}
    stamps = sorted(set(spot_rows).intersection(*(rows.keys() for rows in leg_rows.values())))
    reference = snap.reference.ltp
    carry = snap.forward / reference if reference > 0 else 1.0
    spot = np.array([spot_rows[s] for s in stamps], dtype=float)
    forward = spot * carry
    years = (snap.cutoff.timestamp() - np.array(stamps, dtype=float)) / SECONDS_PER_YEAR
    # Both sides in one pass: CE rows first, then PE rows.
    prices, calls, sides = [], [], []
    for leg, is_call in ((call, True), (put, False)):
        if leg is not None:
            prices.append(np.array([leg_rows[leg.symbol][s] for s in stamps], dtype=float))
            calls.append(np.full(len(stamps), is_call))
            sides.append(is_call)
    solved = None
    if stamps:
        count = len(sides)
        solved = chain_greeks(np.concatenate(prices), np.tile(forward, count), chosen, np.tile(years, count), rate,
                              np.concatenate(calls))
    rows = []
    for n, stamp in enumerate(stamps):
        row: dict[str, Any] = {"timestamp": int(stamp), "underlying": float(spot[n]), "forward": _num(forward[n]),
                               "ce": None, "pe": None}
        for at, is_call in enumerate(sides):
            index = at * len(stamps) + n
            row["ce" if is_call else "pe"] = _candle_greeks(solved, index, float(prices[at][n]))
        rows.append(row)
    return {**header(snap), "strike": chosen, "is_atm": strike is None or chosen == snap.window.atm_strike,
            "ce_symbol": call.symbol if call else None, "pe_symbol": put.symbol if put else None,
            "interval": interval, "data": rows}


def _session_oi(candles: list[Candle]) -> dict[date, int]:
    """Closing OI per session date (daily candles are stamped at UTC midnight of the IST date)."""
    return {datetime.fromtimestamp(c.timestamp, UTC).date(): int(c.oi) for c in candles}


async def oi_tracker(snap: ChainSnapshot, data: DataClient, days: int) -> dict[str, Any]:
    today = now_ist().date()
    start = today - timedelta(days=days * 7 // 5 + EXTRA_CALENDAR_DAYS)
    window = snap.window
    legs = [leg for leg in (*window.calls, *window.puts) if leg is not None]
    gate = asyncio.Semaphore(HISTORY_CONCURRENCY)

    async def daily(leg: Instrument) -> list[Candle]:
        async with gate:
            return await _history(data, leg, "D", start, today)

    fetched = await asyncio.gather(*(daily(leg) for leg in legs))
    closes = {leg.symbol: _session_oi(rows) for leg, rows in zip(legs, fetched, strict=True)}
    sessions = sorted({day for per_leg in closes.values() for day in per_leg if day < today})
    previous = sessions[-1] if sessions else None
    dates = [*sessions[-(days - 1):], today] if days > 1 else [today]

    def series(leg: Instrument | None) -> tuple[int, int | None, list[int | None]]:
        if leg is None:
            return 0, None, [None] * len(dates)
        quote = snap.quote(leg)
        live = int(quote.oi) if quote is not None else 0
        history = closes[leg.symbol]
        before = history.get(previous) if previous else None
        return live, (live - before if before is not None else None), [*(history.get(d) for d in dates[:-1]), live]

    rows = []
    for strike, call, put in zip(window.strikes, window.calls, window.puts, strict=True):
        ce, ce_change, ce_history = series(call)
        pe, pe_change, pe_history = series(put)
        rows.append({"strike": float(strike), "ce_oi": ce, "pe_oi": pe, "ce_oi_change": ce_change,
                     "pe_oi_change": pe_change, "ce_oi_history": ce_history, "pe_oi_history": pe_history})

    def total(key: str) -> int | None:
        values = [r[key] for r in rows if r[key] is not None]
        return int(sum(values)) if values else None

    pcr_history = []
    for at in range(len(dates)):
        calls = sum(r["ce_oi_history"][at] or 0 for r in rows)
        puts = sum(r["pe_oi_history"][at] or 0 for r in rows)
        pcr_history.append(_num(puts / calls, 4) if calls else None)
    total_ce, total_pe = total("ce_oi") or 0, total("pe_oi") or 0
    return {**header(snap), "dates": [d.isoformat() for d in dates], "total_ce_oi": total_ce, "total_pe_oi": total_pe,
            "total_ce_oi_change": total("ce_oi_change"), "total_pe_oi_change": total("pe_oi_change"),
            "pcr_oi": _num(total_pe / total_ce, 4) if total_ce else None, "pcr_history": pcr_history, "data": rows}
