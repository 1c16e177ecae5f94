"""Option symbol resolution by offset (api-v1 §3.11), shared by optionsymbol and the options orders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from backend.core.errors import AppError
from backend.domains.symbols.index import OptionResolutionError
from backend.domains.symbols.service import SymbolMaster
from brokers.contract.errors import BrokerError
from brokers.contract.protocols import DataClient
from brokers.contract.types import Exchange, Instrument

_UNDERLYING = re.compile(r"^([A-Z0-9&-]+?)(\d{2}[A-Z]{3}\d{2})(FUT)?$")
NSE_INDEX_NAMES = frozenset({"NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "NIFTYNXT50", "INDIAVIX"})
BSE_INDEX_NAMES = frozenset({"SENSEX", "BANKEX", "SENSEX50"})
OPTIONS_EXCHANGE = {Exchange.NSE: Exchange.NFO, Exchange.NSE_INDEX: Exchange.NFO, Exchange.BSE: Exchange.BFO,
                    Exchange.BSE_INDEX: Exchange.BFO}
EXPIRY_FORMAT_HELP = "Expected DDMMMYY (e.g., 28NOV24)"


def parse_expiry(text: str) -> date:
    try:
        return datetime.strptime(text.strip().upper(), "%d%b%y").date()
    except ValueError:
        raise AppError(f"Invalid expiry date format '{text}'. {EXPIRY_FORMAT_HELP}.", 400) from None


def split_underlying(underlying: str) -> tuple[str, str | None, bool]:
    """`NIFTY28NOV24FUT` → ("NIFTY", "28NOV24", True); `NIFTY` → ("NIFTY", None, False)."""
    text = underlying.strip().upper()
    match = _UNDERLYING.match(text)
    if match:
        return match.group(1), match.group(2), bool(match.group(3))
    return text, None, False


def quote_instrument_for(master: SymbolMaster, underlying: str, base: str, exchange: Exchange,
                         embedded_future: bool) -> tuple[str, Exchange]:
    """Which symbol's LTP drives ATM (api-v1 §1.9/§3.11 step 2)."""
    if exchange in (Exchange.NFO, Exchange.BFO):
        if base in NSE_INDEX_NAMES:
            return base, Exchange.NSE_INDEX
        if base in BSE_INDEX_NAMES:
            return base, Exchange.BSE_INDEX
        return base, Exchange.NSE if exchange == Exchange.NFO else Exchange.BSE
    if exchange in (Exchange.MCX, Exchange.CDS, Exchange.BCD, Exchange.NCO, Exchange.NCDEX) and embedded_future:
        return underlying.strip().upper(), exchange
    return base, exchange


@dataclass
class ResolvedOption:
    instrument: Instrument
    underlying_ltp: float


async def resolve_option_symbol(master: SymbolMaster, data: DataClient, underlying: str, exchange: Exchange,
                                expiry_date: str | None, offset: str, option_type: str,
                                strike_int: int | None = None) -> ResolvedOption:
    base, embedded, is_future = split_underlying(underlying)
    if expiry_date:
        expiry = parse_expiry(expiry_date)
    elif embedded:
        expiry = parse_expiry(embedded)
    else:
        raise AppError("Expiry date required. Provide via expiry_date parameter or embed in underlying "
                       "(e.g., NIFTY28OCT25FUT).", 400)
    quote_symbol, quote_exchange = quote_instrument_for(master, underlying, base, exchange, is_future)
    quote_target = master.get(quote_exchange, quote_symbol)
    if quote_target is None:
        raise AppError(f"Failed to fetch LTP for {quote_symbol}. Symbol '{quote_symbol}' not found for exchange "
                       f"'{quote_exchange.value}'. Please verify the symbol name and ensure master contracts "
                       "are downloaded.", 400)
    try:
        ltp = (await data.quote(quote_target)).ltp
    except BrokerError as exc:
        raise AppError(f"Failed to fetch LTP for {quote_symbol}. {exc.message}", exc.status) from None
    options_exchange = OPTIONS_EXCHANGE.get(exchange, exchange)
    try:
        found = master.resolve_option(base, options_exchange, expiry, offset, option_type, ltp, strike_int)
    except OptionResolutionError as exc:
        raise AppError(exc.message, exc.status) from None
    return ResolvedOption(found, ltp)
