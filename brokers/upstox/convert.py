"""Small wire-value conversions shared by the order, market and streaming modules."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from brokers.contract.errors import InstrumentNotFound, UnmappedValue
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import Exchange, Instrument
from brokers.upstox.mapping import BROKER, SEGMENT, book_exchange, exchange_of_key

IST = ZoneInfo("Asia/Kolkata")
log = logging.getLogger("algogate.brokers.upstox")


def money(value: Any) -> Decimal:
    """A wire number as Decimal without float noise (`Decimal(repr(x))`); null/blank → 0."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def number(value: Any) -> float:
    try:
        return float(value) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return 0.0


def integer(value: Any) -> int:
    return int(number(value))


def ist_timestamp(text: Any) -> datetime | None:
    """Upstox book timestamps: `2025-04-08 13:58:03` (IST, naive) or ISO-8601 with an offset."""
    if not text or not isinstance(text, str):
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=IST) if parsed.tzinfo is None else parsed.astimezone(IST)


def instrument_for(instruments: InstrumentLookup, exchange: Exchange | str, symbol: str) -> Instrument:
    found = instruments.get(str(exchange), symbol)
    if found is None:
        raise InstrumentNotFound(BROKER, symbol, str(exchange))
    return found


def resolve_row(instruments: InstrumentLookup, row: dict[str, Any]) -> tuple[str, Exchange]:
    """(our symbol, our exchange) of a book row, through its instrument key or trading symbol. A row
    whose instrument is not in the installed master is kept under the broker's symbol and logged."""
    key = str(row.get("instrument_token") or row.get("instrument_key") or "")
    brsymbol = str(row.get("tradingsymbol") or row.get("trading_symbol") or "")
    exchange: Exchange | None = None
    if key:
        try:
            exchange = exchange_of_key(key)
        except UnmappedValue:
            exchange = None
        if exchange is not None:
            found = instruments.by_token(exchange.value, key)
            if found is not None:
                return found.symbol, found.exchange
    if exchange is None:
        exchange = book_exchange(str(row.get("exchange") or ""))
    if brsymbol:
        found = instruments.by_brsymbol(SEGMENT.to_broker(exchange), brsymbol)
        if found is not None:
            return found.symbol, found.exchange
    log.warning("upstox row %s (%s) is not in the installed master contract; reported under the broker's "
                "symbol", brsymbol or key, exchange.value)
    return brsymbol or key, exchange
