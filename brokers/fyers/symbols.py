"""Translation between our instruments and Fyers tickers (`NSE:SBIN-EQ`) through the master."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from brokers.contract.errors import InstrumentNotFound
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import Exchange, Instrument
from brokers.fyers.mapping import BROKER, brexchange, exchange_of

log = logging.getLogger("algogate.brokers.fyers")
IST = ZoneInfo("Asia/Kolkata")
TIME_FORMATS = ("%d-%b-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M:%S")


def outbound(instruments: InstrumentLookup, exchange: Exchange | str, symbol: str) -> Instrument:
    instrument = instruments.get(str(exchange), symbol)
    if instrument is None:
        raise InstrumentNotFound(BROKER, symbol, str(exchange))
    return instrument


def inbound(instruments: InstrumentLookup, row: dict[str, Any]) -> tuple[str, Exchange]:
    """Our (symbol, exchange) for a book row. A ticker missing from the master is kept as the
    broker spells it and logged, never dropped."""
    ticker = str(row.get("symbol", ""))
    exchange = row_exchange(row)
    found = instruments.by_brsymbol(brexchange(exchange), ticker)
    if found is None:
        log.warning("fyers: %s (%s) is not in the installed master contract", ticker, exchange.value)
        return ticker, exchange
    return found.symbol, found.exchange


def row_exchange(row: dict[str, Any]) -> Exchange:
    return exchange_of(row.get("exchange"), row.get("segment"))


def money(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def integer(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def broker_time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and value > 0:
        return datetime.fromtimestamp(value, IST)
    text = str(value or "").strip()
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=IST)
        except ValueError:
            continue
    return None


__all__ = ["broker_time", "inbound", "integer", "money", "number", "outbound", "row_exchange"]
