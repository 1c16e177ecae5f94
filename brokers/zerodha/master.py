"""Kite's instrument dump (CSV, usually gzip-compressed) turned into OpenAlgo instruments.

OpenAlgo never parses Kite's irregular tradingsymbols (weekly options such as `NIFTY24D2624000CE`);
it rebuilds every symbol from the columns: FUT = name + DDMMMYY + `FUT`, options = name + DDMMMYY +
strike + CE/PE, indices by a rename table.
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from brokers.common.http import BrokerHttp
from brokers.common.indices import BSE_INDEX_NAMES
from brokers.contract.errors import BrokerError
from brokers.contract.types import Exchange, Instrument
from brokers.zerodha.api import BROKER, KITE_VERSION, kite_error

log = logging.getLogger("algogate.brokers.zerodha")

COLUMNS = ("instrument_token", "exchange_token", "tradingsymbol", "name", "last_price", "expiry", "strike",
           "tick_size", "lot_size", "instrument_type", "segment", "exchange")

_EXCHANGES = {"NSE": Exchange.NSE, "BSE": Exchange.BSE, "NFO": Exchange.NFO, "BFO": Exchange.BFO,
              "CDS": Exchange.CDS, "BCD": Exchange.BCD, "MCX": Exchange.MCX, "NCO": Exchange.NCO,
              "GLOBAL": Exchange.GLOBAL_INDEX, "NSEIX": Exchange.GLOBAL_INDEX}
# Rows of segment INDICES move to the index exchange of their cash exchange (CDS_INDEX has no
# OpenAlgo exchange here, so those rows are skipped and counted).
_INDEX_EXCHANGES = {"NSE": Exchange.NSE_INDEX, "BSE": Exchange.BSE_INDEX, "MCX": Exchange.MCX_INDEX}

NSE_INDEX_NAMES = {
    "NIFTY 50": "NIFTY", "NIFTY BANK": "BANKNIFTY", "NIFTY FIN SERVICE": "FINNIFTY",
    "NIFTY MID SELECT": "MIDCPNIFTY", "NIFTY NEXT 50": "NIFTYNXT50", "INDIA VIX": "INDIAVIX",
    "HANGSENG BEES NAV": "HANGSENGBEESNAV",
}
GLOBAL_INDEX_NAMES = {"GIFT NIFTY": "GIFTNIFTY"}


class MalformedRow(ValueError):
    pass


def strike_text(strike: Decimal) -> str:
    """`24000` when whole, else its decimals without trailing zeros (`187.5`, `82.25`)."""
    if strike == strike.to_integral_value():
        return str(int(strike))
    return format(strike.normalize(), "f")


def _decimal(text: str, column: str) -> Decimal:
    try:
        return Decimal(text.strip() or "0")
    except InvalidOperation:
        raise MalformedRow(f"bad {column} {text!r}") from None


def index_symbol(exchange: Exchange, brsymbol: str) -> str:
    if exchange == Exchange.NSE_INDEX:
        return NSE_INDEX_NAMES.get(brsymbol, brsymbol.replace(" ", ""))
    if exchange == Exchange.BSE_INDEX:
        return BSE_INDEX_NAMES.get(brsymbol, brsymbol.replace(" ", ""))
    if exchange == Exchange.GLOBAL_INDEX:
        return GLOBAL_INDEX_NAMES.get(brsymbol, brsymbol.replace(" ", ""))
    return brsymbol.replace(" ", "")


def transform(row: Mapping[str, str]) -> Instrument:
    """One CSV row → one Instrument; raises MalformedRow for a row that cannot be trusted."""
    token = (row.get("instrument_token") or "").strip()
    brsymbol = (row.get("tradingsymbol") or "").strip()
    brexchange = (row.get("exchange") or "").strip()
    if not token.isdigit() or not brsymbol:
        raise MalformedRow("missing instrument_token or tradingsymbol")
    exchange = _EXCHANGES.get(brexchange)
    if exchange is None:
        raise MalformedRow(f"unknown exchange {brexchange!r}")
    segment = (row.get("segment") or "").strip()
    is_index = segment == "INDICES" or exchange == Exchange.GLOBAL_INDEX
    if segment == "INDICES" and exchange != Exchange.GLOBAL_INDEX:
        exchange = _INDEX_EXCHANGES.get(brexchange)
        if exchange is None:
            raise MalformedRow(f"index on unsupported exchange {brexchange!r}")
    kind = (row.get("instrument_type") or "").strip().upper()
    name = (row.get("name") or "").strip()
    expiry_text = (row.get("expiry") or "").strip()
    try:
        expiry = date.fromisoformat(expiry_text) if expiry_text else None
    except ValueError:
        raise MalformedRow(f"bad expiry {expiry_text!r}") from None
    strike = _decimal(row.get("strike") or "", "strike")
    tick_size = _decimal(row.get("tick_size") or "", "tick_size")
    try:
        lotsize = int(float((row.get("lot_size") or "1").strip() or "1"))
    except ValueError:
        raise MalformedRow(f"bad lot_size {row.get('lot_size')!r}") from None

    if is_index:
        symbol = index_symbol(exchange, brsymbol)
    elif kind == "FUT":
        if expiry is None or not name:
            raise MalformedRow("future without expiry or name")
        symbol = f"{name}{expiry:%d%b%y}FUT".upper()
    elif kind in ("CE", "PE"):
        if expiry is None or not name:
            raise MalformedRow("option without expiry or name")
        symbol = f"{name}{expiry:%d%b%y}".upper() + f"{strike_text(strike)}{kind}"
    else:
        symbol = brsymbol
    derivative = kind in ("FUT", "CE", "PE")
    return Instrument(
        symbol=symbol, brsymbol=brsymbol, name=name, exchange=exchange, brexchange=brexchange, token=token,
        expiry=expiry, strike=strike if derivative else None, lotsize=max(lotsize, 1),
        tick_size=tick_size if tick_size > 0 else Decimal("0.05"), instrumenttype=kind or "EQ",
    )


def parse(text: str, progress: Callable[[str, float], None] | None = None) -> tuple[list[Instrument], int]:
    """Every good row as an Instrument, plus the count of skipped rows (malformed or duplicate token)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("instrument_token", "tradingsymbol", "exchange") if c not in (reader.fieldnames or [])]
    if missing:
        raise BrokerError(BROKER, f"instrument dump lacks columns {missing}", 502)
    rows = list(reader)
    instruments: list[Instrument] = []
    seen: set[tuple[str, str]] = set()
    skipped = 0
    step = max(1, len(rows) // 10)
    for number, row in enumerate(rows, 1):
        try:
            instrument = transform(row)
        except MalformedRow as exc:
            skipped += 1
            log.debug("zerodha master row %d skipped: %s", number, exc)
            continue
        key = (str(instrument.exchange), instrument.token)
        if key in seen:  # OpenAlgo keeps the first row of a token
            skipped += 1
            continue
        seen.add(key)
        instruments.append(instrument)
        if progress is not None and number % step == 0:
            progress(f"Parsed {number} of {len(rows)} rows", 0.3 + 0.65 * number / len(rows))
    return instruments, skipped


class ZerodhaInstrumentProvider:
    """Downloads `GET /instruments` (public; the auth headers are sent when a session is given)."""

    def __init__(self, http: BrokerHttp, master_url: str, headers: Mapping[str, str] | None = None) -> None:
        self.http = http
        self.master_url = master_url
        self.headers = {"X-Kite-Version": KITE_VERSION, **(headers or {})}
        self.skipped = 0

    async def download(self, progress: Callable[[str, float], None] | None = None) -> list[Instrument]:
        report = progress or (lambda message, fraction: None)
        report("Downloading the Zerodha instrument dump", 0.0)
        response = await self.http.request("GET", self.master_url, group="other", headers=self.headers,
                                           session_expired_statuses=())
        if response.status_code >= 400:
            raise kite_error(response)
        body = response.content
        if body[:2] == b"\x1f\x8b":  # served as a .gz file rather than with Content-Encoding
            body = gzip.decompress(body)
        report("Parsing the instrument dump", 0.3)
        instruments, self.skipped = parse(body.decode("utf-8-sig"), report)
        if self.skipped:
            log.warning("zerodha master contract: %d rows skipped", self.skipped)
        report(f"Loaded {len(instruments)} instruments ({self.skipped} skipped)", 1.0)
        return instruments
