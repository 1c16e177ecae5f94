"""Angel's instrument master (`OpenAPIScripMaster.json`, one public JSON array) → our instruments,
with OpenAlgo's symbol rules (reference §5)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import httpx
import orjson

from brokers.angel.wire import BROKER, DISPLAY
from brokers.common.http import BrokerHttp
from brokers.contract.errors import BrokerError, BrokerUnavailable
from brokers.contract.types import Exchange, Instrument

log = logging.getLogger("algogate.brokers.angel")

Progress = Callable[[str, float], None]

_SEGMENTS = {"NSE": Exchange.NSE, "BSE": Exchange.BSE, "NFO": Exchange.NFO, "BFO": Exchange.BFO,
             "MCX": Exchange.MCX, "CDS": Exchange.CDS, "NCDEX": Exchange.NCDEX}
_INDEX_SEGMENTS = {"NSE": Exchange.NSE_INDEX, "BSE": Exchange.BSE_INDEX, "MCX": Exchange.MCX_INDEX}
_CASH_SUFFIX = re.compile(r"-(EQ|BE|MF|SG)$")
_FUTURES = frozenset({"FUTIDX", "FUTSTK", "FUTCOM", "FUTCUR", "FUTIRC", "FUTIRT"})
_OPTIONS = frozenset({"OPTIDX", "OPTSTK", "OPTFUT", "OPTCUR", "OPTIRC"})
_CURRENCY_OPTIONS = frozenset({"OPTCUR", "OPTIRC"})  # strike scaled by a further 10^5
_OVERRIDES = {"NIFTY50": "NIFTY", "NIFTYBANK": "BANKNIFTY", "NIFTYFINSERVICE": "FINNIFTY",
              "NIFTYNEXT50": "NIFTYNXT50", "NIFTYMIDSELECT": "MIDCPNIFTY", "NIFTYMIDCAPSELECT": "MIDCPNIFTY",
              "SNSX50": "SENSEX50"}
_PAISE = Decimal(100)
_CURRENCY_STRIKE = Decimal(10) ** 7
_INDEX_TICK = Decimal("0.05")  # index rows carry no tick; they are never traded


class MalformedRow(ValueError):
    pass


def _decimal(value: object, field: str) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise MalformedRow(f"bad {field} {value!r}") from None
    if not result.is_finite():
        raise MalformedRow(f"bad {field} {value!r}")
    return result


def _expiry(text: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.strptime(text.title(), "%d%b%Y").date()
    except ValueError:
        raise MalformedRow(f"bad expiry {text!r}") from None


def _strike_text(strike: Decimal) -> str:
    """Whole strikes without decimals; fractional ones keep every digit (83.0625 stays 83.0625)."""
    text = format(strike.normalize(), "f")
    return text[:-2] if text.endswith(".0") else text


def _index_symbol(name: str, segment: str) -> str:
    text = name.strip().upper()
    if segment == "BSE" and text.startswith("S&P "):
        text = text[4:]
    return text.replace(" ", "").replace("-", "")


def transform_row(row: dict) -> Instrument | None:
    """One master row → an instrument; None for segments we do not offer; MalformedRow if broken."""
    segment = str(row.get("exch_seg") or "").strip().upper()
    kind = str(row.get("instrumenttype") or "").strip().upper()
    token = str(row.get("token") or "").strip()
    brsymbol = str(row.get("symbol") or "").strip()
    name = str(row.get("name") or "").strip()
    if segment not in _SEGMENTS:
        return None
    if not token or not brsymbol:
        raise MalformedRow("missing token or symbol")
    expiry = _expiry(str(row.get("expiry") or ""))
    try:
        lotsize = int(_decimal(row.get("lotsize", "1"), "lotsize"))
    except (ValueError, OverflowError):
        raise MalformedRow("bad lotsize") from None
    if lotsize < 1:
        raise MalformedRow(f"bad lotsize {lotsize}")
    tick = _decimal(row.get("tick_size", "0"), "tick_size") / _PAISE
    raw_strike = _decimal(row.get("strike") or "0", "strike")

    if kind == "AMXIDX":
        exchange = _INDEX_SEGMENTS.get(segment)
        if exchange is None:
            return None
        symbol, instrumenttype, strike = _index_symbol(name, segment), "INDEX", None
        tick = tick if tick > 0 else _INDEX_TICK
    elif kind in _OPTIONS:
        exchange = _SEGMENTS[segment]
        if expiry is None:
            raise MalformedRow("option without expiry")
        side = brsymbol[-2:].upper()
        if side not in ("CE", "PE"):
            raise MalformedRow(f"option symbol {brsymbol!r} does not end in CE/PE")
        strike = raw_strike / (_CURRENCY_STRIKE if kind in _CURRENCY_OPTIONS and segment == "CDS" else _PAISE)
        if strike <= 0:
            raise MalformedRow("option without strike")
        instrumenttype = side
        if segment == "NFO":
            symbol = brsymbol
        else:
            symbol = f"{name}{expiry.strftime('%d%b%y').upper()}{_strike_text(strike)}{side}"
    elif kind in _FUTURES:
        exchange = _SEGMENTS[segment]
        if expiry is None:
            raise MalformedRow("future without expiry")
        instrumenttype, strike = "FUT", None
        symbol = brsymbol if segment == "NFO" else f"{name}{expiry.strftime('%d%b%y').upper()}FUT"
    elif segment in ("NSE", "BSE"):
        exchange = _SEGMENTS[segment]
        symbol, instrumenttype, strike = _CASH_SUFFIX.sub("", brsymbol), kind or "EQ", None
    else:
        exchange = _SEGMENTS[segment]
        symbol, instrumenttype, strike = brsymbol, kind or "EQ", None
    if tick <= 0:
        raise MalformedRow(f"bad tick size {tick}")
    symbol = _OVERRIDES.get(symbol, symbol)
    if not symbol or any(ch.isspace() for ch in symbol):
        raise MalformedRow(f"unusable symbol {symbol!r}")
    return Instrument(symbol=symbol, brsymbol=brsymbol, name=name, exchange=exchange, brexchange=segment,
                      token=token, expiry=expiry, strike=strike, lotsize=lotsize, tick_size=tick,
                      instrumenttype=instrumenttype)


def transform(rows: Iterable[dict], progress: Progress | None = None, total: int = 0,
              start: float = 0.0, span: float = 1.0, every: int = 50_000) -> tuple[list[Instrument], int]:
    """Returns (instruments, malformed rows skipped). A broken row is counted, never fatal."""
    result: list[Instrument] = []
    skipped = 0
    for index, row in enumerate(rows, 1):
        if progress and total and index % every == 0:
            progress(f"transformed {index}/{total} rows", start + span * index / total)
        try:
            if not isinstance(row, dict):
                raise MalformedRow("not an object")
            instrument = transform_row(row)
        except MalformedRow as exc:
            skipped += 1
            if skipped <= 5:
                log.warning("%s master: skipped row %d (%s)", DISPLAY, index, exc)
            continue
        if instrument is not None:
            result.append(instrument)
    return result, skipped


class AngelInstrumentProvider:
    """Downloads the public master file over the plugin's shared HTTP client."""

    def __init__(self, http: BrokerHttp, url: str) -> None:
        self.http = http
        self.url = url
        self.skipped = 0

    async def download(self, progress: Progress | None = None) -> list[Instrument]:
        report = progress or (lambda message, fraction: None)
        report(f"downloading {DISPLAY} master contract", 0.0)
        payload = await self._fetch(report)
        report("parsing master contract", 0.5)
        try:
            rows = orjson.loads(payload)
        except orjson.JSONDecodeError:
            raise BrokerError(BROKER, f"{DISPLAY}: the master contract is not valid JSON", 502) from None
        if not isinstance(rows, list):
            raise BrokerError(BROKER, f"{DISPLAY}: the master contract is not a JSON array", 502)
        instruments, self.skipped = transform(rows, report, len(rows), 0.6, 0.4)
        report(f"{len(instruments)} instruments ({self.skipped} malformed rows skipped)", 1.0)
        return instruments

    async def _fetch(self, report: Progress) -> bytes:
        await self.http.limiter.acquire("other")
        chunks: list[bytes] = []
        try:
            # The file is tens of MB: stream it with a generous read timeout.
            async with self.http.client.stream("GET", self.url, timeout=httpx.Timeout(120.0, connect=10.0)) as resp:
                if resp.status_code != 200:
                    raise BrokerUnavailable(BROKER, f"{DISPLAY} master download answered HTTP {resp.status_code}",
                                            502)
                total = int(resp.headers.get("content-length") or 0)
                received = 0
                async for chunk in resp.aiter_bytes():
                    chunks.append(chunk)
                    received += len(chunk)
                    if total:
                        report(f"downloaded {received // 1024} KiB", 0.5 * received / total)
        except httpx.TransportError as exc:
            raise BrokerUnavailable(BROKER, f"cannot download the {DISPLAY} master ({type(exc).__name__})") from exc
        return b"".join(chunks)
