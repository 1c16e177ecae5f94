"""The master contract: Upstox's gzipped JSON instrument file → our `Instrument`s, with OpenAlgo's
symbol rules (`NIFTY30DEC25FUT`, `NIFTY30DEC2526000CE`, index names)."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from brokers.common.http import BrokerHttp
from brokers.common.indices import BSE_INDEX_NAMES as COMMON_BSE_INDEX_NAMES
from brokers.contract.errors import BrokerError, UnmappedValue
from brokers.contract.types import Exchange, Instrument
from brokers.upstox.api import BROKER, raise_for_error
from brokers.upstox.convert import IST, money
from brokers.upstox.mapping import SEGMENT

log = logging.getLogger("algogate.brokers.upstox")

DROPPED_SEGMENTS = frozenset({"NSE_COM"})
DERIVATIVE_TYPES = frozenset({"FUT", "CE", "PE"})
DOWNLOAD_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
BATCH = 20_000  # rows transformed between progress reports / event-loop yields

NSE_INDEX_NAMES = {
    "NIFTY 50": "NIFTY", "NIFTY NEXT 50": "NIFTYNXT50", "NIFTY FIN SERVICE": "FINNIFTY",
    "NIFTY BANK": "BANKNIFTY", "NIFTY MID SELECT": "MIDCPNIFTY", "INDIA VIX": "INDIAVIX",
    "HANGSENG BEES NAV": "HANGSENGBEESNAV",
}
BSE_INDEX_NAMES = {**COMMON_BSE_INDEX_NAMES, "BSEIPO": "BSEIPO", "BSEPSU": "BSEPSU"}
GLOBAL_INDEX_NAMES = {
    "^HSI": "HANGSENG", "^DJI": "DOWJONES", "^FTSE": "UK100", "^GSPC": "US500", "^GDAXI": "GERMANY40",
    "^FCHI": "FRANCE40", "^N225": "JAPAN225", "IXIX": "US100", "GIFT NIFTY": "GIFTNIFTY",
    "DOW FUTURES": "US30", "BZUSD": "BRENTOIL", "CLUSD": "WTIOIL",
}


class MalformedRow(ValueError):
    pass


@dataclass
class TransformStats:
    instruments: int = 0
    malformed: int = 0  # broken rows, skipped and counted
    dropped: int = 0  # rows of segments we do not serve (NSE_COM, unknown)


def index_symbol(exchange: Exchange, trading_symbol: str) -> str:
    text = trading_symbol.strip().upper()
    if exchange is Exchange.NSE_INDEX:
        if text in NSE_INDEX_NAMES:
            return NSE_INDEX_NAMES[text]
        return text.replace(" ", "") if text.startswith("NIFTY") else text
    if exchange is Exchange.BSE_INDEX:
        return BSE_INDEX_NAMES.get(text, text)
    return GLOBAL_INDEX_NAMES.get(text, text)


def derivative_symbol(trading_symbol: str, kind: str) -> str:
    """`NAME FUT DD MON YY` → `NAMEDDMONYYFUT`; `NAME STRIKE CE DD MON YY` → `NAMEDDMONYYSTRIKECE`."""
    parts = trading_symbol.split()
    if kind == "FUT" and len(parts) == 5 and parts[1] == "FUT":
        return f"{parts[0]}{parts[2]}{parts[3]}{parts[4]}FUT".upper()
    if kind in ("CE", "PE") and len(parts) == 6 and parts[2] == kind:
        return f"{parts[0]}{parts[3]}{parts[4]}{parts[5]}{parts[1]}{kind}".upper()
    raise MalformedRow(f"derivative trading symbol {trading_symbol!r} does not follow Upstox's layout")


def _expiry(value: Any) -> date | None:
    if value in (None, "", 0):
        return None
    try:
        return datetime.fromtimestamp(int(value) / 1000, IST).date()  # epoch milliseconds
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise MalformedRow(f"bad expiry {value!r}") from exc


def _tick(value: Any) -> Decimal:
    # Upstox publishes tick sizes in paise (5.0 for a 0.05-rupee tick).
    if value in (None, ""):
        return Decimal("0.05")
    tick = money(value) / 100
    if tick <= 0:
        raise MalformedRow(f"bad tick size {value!r}")
    return tick.normalize()


def _strike(value: Any) -> Decimal | None:
    strike = money(value)
    return strike.normalize() if strike else None


def transform_row(row: dict[str, Any]) -> Instrument | None:
    """One master record → an Instrument; None for segments we do not serve."""
    if not isinstance(row, dict):
        raise MalformedRow("not an object")
    segment = str(row.get("segment") or "")
    key = str(row.get("instrument_key") or "")
    brsymbol = str(row.get("trading_symbol") or "")
    if not segment or not key or not brsymbol:
        raise MalformedRow("missing segment, instrument_key or trading_symbol")
    if segment in DROPPED_SEGMENTS:
        return None
    try:
        exchange = SEGMENT.from_broker(segment)
    except UnmappedValue:
        return None
    kind = str(row.get("instrument_type") or "").upper()
    name = str(row.get("name") or "")
    expiry = _expiry(row.get("expiry"))
    try:
        lotsize = int(float(row.get("lot_size") or 1))
        freeze = int(float(row.get("freeze_quantity") or 0))
    except (TypeError, ValueError) as exc:
        raise MalformedRow("bad lot size or freeze quantity") from exc
    tick = _tick(row.get("tick_size"))
    if exchange in (Exchange.NSE_INDEX, Exchange.BSE_INDEX, Exchange.GLOBAL_INDEX):
        return Instrument(symbol=index_symbol(exchange, brsymbol), brsymbol=brsymbol, name=name or brsymbol,
                          exchange=exchange, brexchange=segment, token=key, lotsize=lotsize or 1,
                          tick_size=tick, instrumenttype="INDEX")
    if kind in DERIVATIVE_TYPES:
        if expiry is None:
            raise MalformedRow("derivative without expiry")
        strike = _strike(row.get("strike_price")) if kind != "FUT" else None
        if kind != "FUT" and strike is None:
            raise MalformedRow("option without strike")
        return Instrument(symbol=derivative_symbol(brsymbol, kind), brsymbol=brsymbol,
                          name=str(row.get("underlying_symbol") or name), exchange=exchange, brexchange=segment,
                          token=key, expiry=expiry, strike=strike, lotsize=lotsize, tick_size=tick,
                          instrumenttype=kind, freeze_qty=freeze)
    return Instrument(symbol=brsymbol.upper(), brsymbol=brsymbol, name=name, exchange=exchange,
                      brexchange=segment, token=key, lotsize=lotsize or 1, tick_size=tick,
                      instrumenttype=kind or "EQ", freeze_qty=freeze)


def transform(rows: Iterable[Any], stats: TransformStats | None = None) -> list[Instrument]:
    stats = stats if stats is not None else TransformStats()
    out: list[Instrument] = []
    for row in rows:
        try:
            instrument = transform_row(row)
        except MalformedRow as exc:
            stats.malformed += 1
            log.debug("upstox master row skipped: %s", exc)
            continue
        if instrument is None:
            stats.dropped += 1
        else:
            out.append(instrument)
    stats.instruments += len(out)
    return out


def decode_file(payload: bytes) -> list[Any]:
    if payload[:2] == b"\x1f\x8b":  # served as a .gz file, not as a Content-Encoding
        payload = gzip.decompress(payload)
    rows = json.loads(payload)
    if not isinstance(rows, list):
        raise ValueError("the instrument file is not a JSON array")
    return rows


class UpstoxInstrumentProvider:
    """The public BOD file needs no login."""

    def __init__(self, http: BrokerHttp, url: str) -> None:
        self.http = http
        self.url = url
        self.stats = TransformStats()

    async def download(self, progress: Callable[[str, float], None] | None = None) -> list[Instrument]:
        report = progress or (lambda message, fraction: None)
        report("downloading the Upstox instrument file", 0.0)
        response = await self.http.request("GET", self.url, group="other", session_expired_statuses=(),
                                           timeout=DOWNLOAD_TIMEOUT)
        raise_for_error(response)
        report("parsing the instrument file", 0.3)
        try:
            rows = await asyncio.to_thread(decode_file, response.content)
        except (ValueError, OSError, EOFError) as exc:
            raise BrokerError(BROKER, f"unreadable instrument file: {exc}", 502) from exc
        self.stats = TransformStats()
        instruments: list[Instrument] = []
        total = max(1, len(rows))
        for start in range(0, len(rows), BATCH):
            instruments.extend(transform(rows[start:start + BATCH], self.stats))
            report("transforming instruments", 0.3 + 0.7 * min(1.0, (start + BATCH) / total) * 0.99)
            await asyncio.sleep(0)  # let the loop breathe on a 100k-row file
        if self.stats.malformed:
            log.warning("upstox master: %d malformed rows skipped", self.stats.malformed)
        report(f"{len(instruments)} instruments ({self.stats.malformed} malformed rows skipped)", 1.0)
        return instruments
