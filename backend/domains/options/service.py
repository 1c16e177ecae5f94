"""Option greeks for /optiongreeks and /multioptiongreeks: quotes fetched in two batched rounds
(options + underlyings, then the ATM pairs of each expiry's synthetic future) and IV/greeks
solved in one vectorised pass, whatever the number of symbols."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import numpy as np

from backend.core.errors import AppError
from backend.domains.options.chain import (
    ChainWindow,
    chain_window,
    fetch_quotes,
    long_date,
    quote_key,
    resolve_underlying,
    synthetic_forward,
)
from backend.domains.options.greeks import DAYS_PER_YEAR, IVStatus, chain_greeks, expiry_cutoff, years_between
from backend.domains.symbols.options import parse_expiry
from backend.domains.symbols.service import SymbolMaster
from brokers.contract.protocols import DataClient
from brokers.contract.types import Exchange, Instrument, Quote

_OPTION_SYMBOL = re.compile(r"^([A-Z0-9&-]+?)(\d{2}[A-Z]{3}\d{2})(\d+(?:\.\d+)?)(CE|PE)$")
OPTION_LTP_MISSING = "Option LTP not available"


@dataclass
class GreeksItem:
    symbol: str
    exchange: Exchange
    underlying_symbol: str | None = None
    underlying_exchange: Exchange | None = None
    forward_price: float | None = None


@dataclass
class _Parsed:
    item: GreeksItem
    base: str
    expiry: date
    strike: float
    option_type: str
    instrument: Instrument | None  # None until the expiry check passed
    cutoff: datetime
    reference: Instrument | None = None  # the LTP source when no forward is given
    forward: float | None = None


def parse_option_symbol(symbol: str) -> tuple[str, date, float, str]:
    match = _OPTION_SYMBOL.match(symbol.strip().upper())
    if not match:
        raise AppError(f"Invalid option symbol format: {symbol}", 400)
    try:
        expiry = parse_expiry(match.group(2))
    except AppError:
        raise AppError(f"Failed to parse option symbol {symbol}: bad expiry {match.group(2)}", 400) from None
    return match.group(1), expiry, float(match.group(3)), match.group(4)


def _parse(master: SymbolMaster, item: GreeksItem, expiry_time: time | None) -> _Parsed:
    """Parse the symbol; the master lookup waits until the expiry check (expired contracts have
    left the master, and "expired" is the more useful answer)."""
    base, expiry, strike, option_type = parse_option_symbol(item.symbol)
    cutoff = expiry_cutoff(expiry, item.exchange.value, expiry_time)
    return _Parsed(item, base, expiry, strike, option_type, None, cutoff, forward=item.forward_price or None)


def _listed(master: SymbolMaster, entry: _Parsed) -> Instrument:
    instrument = master.get(entry.item.exchange, entry.item.symbol)
    if instrument is None:
        raise AppError(f"{OPTION_LTP_MISSING}: option symbol {entry.item.symbol} not found in "
                       f"{entry.item.exchange.value}", 404)
    return instrument


def _reference(master: SymbolMaster, parsed: _Parsed) -> Instrument:
    item = parsed.item
    if item.underlying_symbol:
        exchange = item.underlying_exchange or item.exchange
        found = master.get(exchange, item.underlying_symbol.strip().upper())
        if found is None:
            raise AppError(f"Underlying LTP not available: {item.underlying_symbol} not found on {exchange.value}", 404)
        return found
    return resolve_underlying(master, parsed.base, item.exchange, auto_future=True).reference


async def compute_greeks(master: SymbolMaster, data: DataClient, items: list[GreeksItem], rate_percent: float,
                         expiry_time: time | None, now: datetime, expired_as_success: bool) -> list[dict | AppError]:
    """One response body (or the AppError to report) per item, in request order."""
    results: list[dict | AppError | None] = [None] * len(items)
    parsed: dict[int, _Parsed] = {}
    for at, item in enumerate(items):
        try:
            entry = _parse(master, item, expiry_time)
            if now >= entry.cutoff:
                results[at] = (_expired(entry) if expired_as_success else
                               AppError(f"Option has expired on {long_date(entry.expiry)}", 400))
                continue
            entry.instrument = _listed(master, entry)
            if entry.forward is None:
                entry.reference = _reference(master, entry)
            parsed[at] = entry
        except AppError as exc:
            results[at] = exc
    # Round 1: every option and every LTP source in one call.
    wanted = {quote_key(e.instrument): e.instrument for e in parsed.values()}
    wanted.update({quote_key(e.reference): e.reference for e in parsed.values() if e.reference is not None})
    quotes = await fetch_quotes(data, list(wanted.values()))
    # Round 2: the ATM call and put of each expiry whose forward is the synthetic future.
    windows: dict[tuple[str, str, date], ChainWindow] = {}
    for entry in parsed.values():
        if entry.forward is not None or entry.item.underlying_symbol or entry.reference is None:
            continue
        reference_quote = quotes.get(quote_key(entry.reference))
        key = (entry.base, entry.item.exchange.value, entry.expiry)
        if reference_quote is not None and reference_quote.ltp > 0 and key not in windows:
            try:
                windows[key] = chain_window(master, entry.base, entry.item.exchange, entry.expiry,
                                            reference_quote.ltp, 0)
            except AppError:
                continue
    quotes.update(await fetch_quotes(data, [i for w in windows.values() for i in w.instruments()]))
    solvable: list[int] = []
    for at, entry in parsed.items():
        option_quote = quotes.get(quote_key(entry.instrument))
        if entry.forward is None:
            window = windows.get((entry.base, entry.item.exchange.value, entry.expiry))
            entry.forward = synthetic_forward(window, quotes) if window is not None else None
            if entry.forward is None:
                reference_quote = quotes.get(quote_key(entry.reference)) if entry.reference else None
                entry.forward = reference_quote.ltp if reference_quote and reference_quote.ltp > 0 else None
        if entry.forward is None:
            results[at] = AppError("Underlying LTP not available", 404)
        elif option_quote is None or option_quote.ltp <= 0:
            results[at] = AppError(OPTION_LTP_MISSING, 404)
        else:
            solvable.append(at)
    if solvable:
        _solve(parsed, solvable, quotes, rate_percent, now, results)
    return [r for r in results]  # type: ignore[misc]


def _solve(parsed: dict[int, _Parsed], rows: list[int], quotes: dict[str, Quote], rate_percent: float,
           now: datetime, results: list) -> None:
    entries = [parsed[at] for at in rows]
    price = np.array([quotes[quote_key(e.instrument)].ltp for e in entries])
    forward = np.array([e.forward for e in entries], dtype=float)
    strike = np.array([e.strike for e in entries])
    years = np.array([years_between(now, e.cutoff) for e in entries])
    call = np.array([e.option_type == "CE" for e in entries])
    rate = rate_percent / 100.0
    solved = chain_greeks(price, forward, strike, years, rate, call)
    for n, (at, entry) in enumerate(zip(rows, entries, strict=True)):
        status = IVStatus(int(solved.status[n]))
        body = _body(entry, float(price[n]), float(forward[n]), float(years[n]), rate_percent)
        if status is IVStatus.OK:
            g = solved.greeks
            body["implied_volatility"] = round(float(solved.iv[n]) * 100.0, 2)
            body["greeks"] = {"delta": round(float(g.delta[n]), 4), "gamma": round(float(g.gamma[n]), 6),
                              "theta": round(float(g.theta[n]), 4), "vega": round(float(g.vega[n]), 4),
                              "rho": round(float(g.rho[n]), 6)}
        elif status in (IVStatus.NO_TIME_VALUE, IVStatus.BELOW_INTRINSIC):
            results[at] = _no_time_value(body, entry, status)
            continue
        else:
            results[at] = AppError(f"Implied volatility could not be computed for {entry.item.symbol}: "
                                   f"option price {price[n]} is at or above the no-arbitrage maximum"
                                   if status is IVStatus.ABOVE_MAXIMUM else
                                   f"Implied volatility did not converge for {entry.item.symbol}", 400)
            continue
        results[at] = body


def _body(entry: _Parsed, price: float, forward: float, years: float, rate_percent: float) -> dict[str, Any]:
    return {"status": "success", "symbol": entry.item.symbol, "exchange": entry.item.exchange.value,
            "underlying": (entry.item.underlying_symbol or entry.base).upper(), "strike": entry.strike,
            "option_type": entry.option_type, "expiry_date": long_date(entry.expiry),
            "days_to_expiry": round(years * DAYS_PER_YEAR, 4), "spot_price": round(forward, 2),
            "option_price": round(price, 2), "interest_rate": float(rate_percent)}


def _no_time_value(body: dict[str, Any], entry: _Parsed, status: IVStatus) -> dict[str, Any]:
    """OpenAlgo's deep-ITM answer: IV 0, delta ±1, other greeks 0, with the intrinsic split."""
    forward, price = body["spot_price"], body["option_price"]
    intrinsic = max(forward - entry.strike if entry.option_type == "CE" else entry.strike - forward, 0.0)
    reason = ("below its intrinsic value" if status is IVStatus.BELOW_INTRINSIC else "at its intrinsic value")
    body.update(implied_volatility=0.0, intrinsic_value=round(intrinsic, 2), time_value=round(price - intrinsic, 2),
                greeks={"delta": 1.0 if entry.option_type == "CE" else -1.0, "gamma": 0.0, "theta": 0.0,
                        "vega": 0.0, "rho": 0.0},
                note=f"Option trades {reason} (no time value): implied volatility cannot be solved, "
                     "greeks shown for an option with no optionality")
    return body


def _expired(entry: _Parsed) -> dict[str, Any]:
    body = _body(entry, 0.0, 0.0, 0.0, 0.0)
    body.update(days_to_expiry=0.0, implied_volatility=0.0,
                greeks={"delta": 0.0, "gamma": 0.0, "theta": 0.0, "vega": 0.0, "rho": 0.0},
                note=f"Option expired on {long_date(entry.expiry)}")
    return body
