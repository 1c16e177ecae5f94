"""Underlying resolution and option-chain assembly shared by the options endpoints.

Symbol-by-offset resolution itself lives in the symbols domain (`SymbolMaster.resolve_option`,
api-v1 §3.11); this module adds what the options endpoints need around it: one LTP per request
for many legs, the near-month future for underlyings without a spot quote (MCX, CDS), the strike
window around ATM, and one batched `multiquote` for a whole chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from backend.core.clock import now_ist
from backend.core.errors import AppError
from backend.domains.options.greeks import expiry_cutoff
from backend.domains.symbols.index import OptionResolutionError, expiry_code
from backend.domains.symbols.options import (
    OPTIONS_EXCHANGE,
    parse_expiry,
    quote_instrument_for,
    split_underlying,
)
from backend.domains.symbols.service import SymbolMaster
from brokers.contract.errors import BrokerError
from brokers.contract.protocols import DataClient
from brokers.contract.types import Exchange, Instrument, Quote

# Exchanges whose underlyings have no spot quote: the reference is a future (api-v1 §4.20).
FUTURES_REFERENCED = frozenset({Exchange.MCX, Exchange.CDS, Exchange.BCD, Exchange.NCO, Exchange.NCDEX})


def long_date(day: date) -> str:
    """Greeks responses' `DD-Mon-YYYY` (api-v1 §1.9)."""
    return day.strftime("%d-%b-%Y")


def expired_error(expiry: date) -> AppError:
    return AppError(f"Option contract expired on {long_date(expiry)}. Choose a listed expiry.", 400)


def quote_key(item: Instrument) -> str:
    return f"{item.exchange.value}:{item.symbol}"


async def fetch_quote(data: DataClient, item: Instrument, label: str | None = None) -> Quote:
    try:
        return await data.quote(item)
    except BrokerError as exc:
        raise AppError(f"Failed to fetch LTP for {label or item.symbol}. {exc.message}", exc.status) from None


async def fetch_quotes(data: DataClient, items: list[Instrument]) -> dict[str, Quote]:
    """One batched call for every contract (the plugin splits it by the broker's own limit)."""
    if not items:
        return {}
    try:
        return await data.multiquote(items)
    except BrokerError as exc:
        raise AppError(f"Failed to fetch quotes: {exc.message}", exc.status) from None


@dataclass(frozen=True)
class Underlying:
    """A request's underlying: base name, the exchange its options list on, and the LTP source."""

    base: str
    exchange: Exchange  # as requested
    options_exchange: Exchange
    embedded_expiry: str | None
    reference: Instrument  # the instrument whose LTP drives ATM

    def expiry(self, requested: str | None, embedded_wins: bool = False) -> date:
        """The option expiry: explicit wins in orders/optionsymbol, the embedded one in optionchain."""
        first, second = (self.embedded_expiry, requested) if embedded_wins else (requested, self.embedded_expiry)
        text = first or second
        if not text:
            raise AppError("Expiry date required. Provide via expiry_date parameter or embed in underlying "
                           "(e.g., NIFTY28OCT25FUT).", 400)
        return parse_expiry(text)


def resolve_underlying(master: SymbolMaster, underlying: str, exchange: Exchange,
                       auto_future: bool = False) -> Underlying:
    """api-v1 §3.11 step 2. With `auto_future` (optionchain), a commodity/currency base with no
    embedded expiry is referenced to its nearest unexpired future instead of failing."""
    base, embedded, is_future = split_underlying(underlying)
    options_exchange = OPTIONS_EXCHANGE.get(exchange, exchange)
    symbol, quote_exchange = quote_instrument_for(master, underlying, base, exchange, is_future)
    reference = master.get(quote_exchange, symbol)
    if reference is None and auto_future and exchange in FUTURES_REFERENCED:
        listed = master.expiries(base, exchange, "futures", on_or_after=now_ist().date())
        if listed:
            symbol = f"{base}{expiry_code(listed[0])}FUT"
            reference = master.get(exchange, symbol)
    if reference is None:
        raise AppError(f"Failed to fetch LTP for {symbol}. Unknown underlying: symbol '{symbol}' not found for "
                       f"exchange '{quote_exchange.value}'. Please verify the symbol name and ensure master "
                       "contracts are downloaded.", 400)
    return Underlying(base, exchange, options_exchange, embedded, reference)


def check_not_expired(expiry: date, exchange: Exchange, now: datetime | None = None) -> None:
    if (now or now_ist()) >= expiry_cutoff(expiry, exchange.value):
        raise expired_error(expiry)


def resolve_leg(master: SymbolMaster, underlying: Underlying, expiry: date, offset: str, option_type: str,
                ltp: float, strike_int: int | None = None) -> Instrument:
    check_not_expired(expiry, underlying.options_exchange)
    try:
        return master.resolve_option(underlying.base, underlying.options_exchange, expiry, offset, option_type,
                                     ltp, strike_int)
    except OptionResolutionError as exc:
        raise AppError(exc.message, exc.status) from None


@dataclass(frozen=True)
class ChainWindow:
    """Strikes around ATM with the CE and PE contract at each (None where not listed)."""

    strikes: np.ndarray  # ascending
    calls: list[Instrument | None]
    puts: list[Instrument | None]
    atm_index: int

    @property
    def atm_strike(self) -> float:
        return float(self.strikes[self.atm_index])

    def instruments(self) -> list[Instrument]:
        return [item for item in (*self.calls, *self.puts) if item is not None]


def no_strikes_error(master: SymbolMaster, base: str, exchange: Exchange, expiry: date) -> AppError:
    listed = master.expiries(base, exchange, "options", on_or_after=now_ist().date())
    hint = f" Listed expiries: {', '.join(expiry_code(day) for day in listed[:8])}." if listed else ""
    return AppError(f"No strikes found for {base} expiring {expiry_code(expiry)}. Please check expiry date or "
                    f"update master contract.{hint}", 404)


def chain_window(master: SymbolMaster, base: str, exchange: Exchange, expiry: date, ltp: float,
                 strike_count: int | None) -> ChainWindow:
    """ATM = listed strike nearest the LTP (lower on a tie, as resolution does); `strike_count`
    strikes each side (all when None)."""
    sides = {kind: master.index.chain(base, exchange, expiry, kind) for kind in ("CE", "PE")}
    by_strike: dict[float, list[Instrument | None]] = {}
    for at, kind in enumerate(("CE", "PE")):
        side = sides[kind]
        if side is None:
            continue
        for strike, item in zip(side.strikes, side.instruments, strict=True):
            by_strike.setdefault(float(strike), [None, None])[at] = item
    if not by_strike:
        raise no_strikes_error(master, base, exchange, expiry)
    strikes = np.array(sorted(by_strike))
    atm = int(np.argmin(np.abs(strikes - ltp)))  # argmin takes the first (lower) strike on a tie
    if strike_count is not None:
        lo, hi = max(atm - strike_count, 0), min(atm + strike_count + 1, len(strikes))
        strikes, atm = strikes[lo:hi], atm - lo
    return ChainWindow(strikes, [by_strike[s][0] for s in strikes], [by_strike[s][1] for s in strikes], atm)


def labels(count: int, atm_index: int) -> tuple[list[str], list[str]]:
    """CE/PE moneyness labels by distance in strike steps from ATM (api-v1 §4.20)."""
    calls, puts = [], []
    for at in range(count):
        distance = at - atm_index
        if distance == 0:
            calls.append("ATM")
            puts.append("ATM")
        elif distance < 0:
            calls.append(f"ITM{-distance}")
            puts.append(f"OTM{-distance}")
        else:
            calls.append(f"OTM{distance}")
            puts.append(f"ITM{distance}")
    return calls, puts


def synthetic_forward(window: ChainWindow, quotes: dict[str, Quote]) -> float | None:
    """ATM strike + CE − PE (put-call parity at zero rate, as OpenAlgo computes it)."""
    call, put = window.calls[window.atm_index], window.puts[window.atm_index]
    if call is None or put is None:
        return None
    call_quote, put_quote = quotes.get(quote_key(call)), quotes.get(quote_key(put))
    if call_quote is None or put_quote is None or call_quote.ltp <= 0 or put_quote.ltp <= 0:
        return None
    return window.atm_strike + call_quote.ltp - put_quote.ltp
