"""Dhan's master contract: the public scrip-master CSV → OpenAlgo `Instrument`s."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import httpx

from brokers.common.http import BrokerHttp
from brokers.contract.errors import BrokerError
from brokers.contract.types import Exchange, Instrument
from brokers.dhan.symbols import bse_index_symbol, nse_index_symbol

log = logging.getLogger("algogate.brokers.dhan")
BROKER = "dhan"
DOWNLOAD_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
ROWS_PER_SLICE = 20_000  # parse in slices so the event loop keeps serving other requests

DERIVATIVE_KINDS = {
    "NSE": {"FUTIDX", "FUTSTK", "OPTIDX", "OPTSTK", "OPTFUT"},
    "BSE": {"FUTIDX", "FUTSTK", "OPTIDX", "OPTSTK"},
    "MCX": {"FUTIDX", "FUTCOM", "OPTFUT"},
}
CURRENCY_KINDS = {"FUTCUR", "OPTCUR"}
ROOT = re.compile(r"^(.+?)\d{2}[A-Z]{3}\d{2}")


class SkipRow(Exception):
    """A row we do not offer (an exchange/instrument combination with no OpenAlgo exchange)."""


def classify(exchange_id: str, kind: str) -> tuple[Exchange, str]:
    """(our exchange, Dhan segment) per OpenAlgo's Dhan classification table."""
    if kind == "EQUITY" and exchange_id in ("NSE", "BSE"):
        return Exchange(exchange_id), f"{exchange_id}_EQ"
    if kind == "INDEX" and exchange_id in ("NSE", "BSE"):
        return Exchange(f"{exchange_id}_INDEX"), "IDX_I"
    if kind in CURRENCY_KINDS and exchange_id in ("NSE", "BSE"):
        return (Exchange.CDS, "NSE_CURRENCY") if exchange_id == "NSE" else (Exchange.BCD, "BSE_CURRENCY")
    if kind in DERIVATIVE_KINDS.get(exchange_id, ()):
        return {"NSE": (Exchange.NFO, "NSE_FNO"), "BSE": (Exchange.BFO, "BSE_FNO"),
                "MCX": (Exchange.MCX, "MCX_COMM")}[exchange_id]
    raise SkipRow(f"{exchange_id}/{kind}")


def parse_expiry(text: str) -> date | None:
    text = (text or "").strip()
    if not text or text in ("-1", "0", "NA"):
        return None
    for pattern, size in (("%Y-%m-%d", 10), ("%d-%m-%Y", 10), ("%d/%m/%Y", 10), ("%d-%b-%Y", 11)):
        try:
            return datetime.strptime(text[:size], pattern).date()
        except ValueError:
            continue
    raise ValueError(f"bad expiry {text!r}")


def strike_text(strike: Decimal) -> str:
    """OpenAlgo strikes: integers without decimals (`26000`), fractions as they are (`292.5`)."""
    value = strike.normalize()
    return str(int(value)) if value == value.to_integral_value() else format(value, "f")


def to_instrument(row: dict[str, str]) -> Instrument:
    exchange_id = row["SEM_EXM_EXCH_ID"].strip().upper()
    kind = row["SEM_INSTRUMENT_NAME"].strip().upper()
    exchange, segment = classify(exchange_id, kind)
    token = row["SEM_SMST_SECURITY_ID"].strip()
    if not token.isdigit():
        raise ValueError(f"bad security id {token!r}")
    brsymbol = row["SEM_TRADING_SYMBOL"].strip()
    if not brsymbol:
        raise ValueError("empty trading symbol")
    lotsize = int(float(row.get("SEM_LOT_UNITS") or 1) or 1)
    tick = Decimal(row.get("SEM_TICK_SIZE") or "5") / 100  # the file stores paise
    tick = tick.normalize() if tick > 0 else Decimal("0.05")
    name = (row.get("SM_SYMBOL_NAME") or "").strip()

    if kind == "EQUITY":
        return Instrument(brsymbol, brsymbol, name or brsymbol, exchange, segment, token, lotsize=lotsize,
                          tick_size=tick, instrumenttype="EQ")
    if kind == "INDEX":
        symbol = nse_index_symbol(brsymbol) if exchange == Exchange.NSE_INDEX else bse_index_symbol(brsymbol)
        return Instrument(symbol, brsymbol, name or symbol, exchange, segment, token, lotsize=lotsize,
                          tick_size=tick, instrumenttype="INDEX")

    expiry = parse_expiry(row.get("SEM_EXPIRY_DATE", ""))
    if expiry is None:
        raise ValueError("derivative without expiry")
    words = (row.get("SEM_CUSTOM_SYMBOL") or "").split()
    if not words:
        raise ValueError("empty custom symbol")
    stamp = expiry.strftime("%d%b%y").upper()
    option_type = (row.get("SEM_OPTION_TYPE") or "").strip().upper()
    if kind.startswith("OPT"):
        if option_type not in ("CE", "PE"):
            raise ValueError(f"option without CE/PE ({option_type!r})")
        try:
            strike = Decimal(row.get("SEM_STRIKE_PRICE") or "")
        except InvalidOperation:
            raise ValueError("bad strike") from None
        if len(words) == 4:
            strike_token = words[2]
        elif len(words) == 5:
            strike_token = words[3]
        else:
            strike_token = strike_text(strike)  # display name of another shape: the strike column
        symbol = f"{words[0]}{stamp}{strike_token}{option_type}".upper()
        instrumenttype: str = option_type
    else:
        strike = None
        symbol = f"{words[0]}{stamp}FUT".upper()
        instrumenttype = "FUT"
    # SM_SYMBOL_NAME is blank or a contract mnemonic on derivatives: the root comes from the symbol.
    root = ROOT.match(symbol)
    return Instrument(symbol, brsymbol, root.group(1) if root else words[0].upper(), exchange, segment, token,
                      expiry=expiry, strike=strike, lotsize=lotsize, tick_size=tick, instrumenttype=instrumenttype)


def transform(rows: Iterable[dict[str, str]]) -> tuple[list[Instrument], int, int]:
    """(instruments, malformed rows, rows of unsupported kinds)."""
    instruments: list[Instrument] = []
    malformed = skipped = 0
    for row in rows:
        try:
            instruments.append(to_instrument(row))
        except SkipRow:
            skipped += 1
        except (KeyError, ValueError, TypeError, InvalidOperation, AttributeError):
            malformed += 1
    return instruments, malformed, skipped


class DhanInstrumentProvider:
    def __init__(self, http: BrokerHttp, master_url: str) -> None:
        self.http = http
        self.master_url = master_url
        self.malformed = 0
        self.skipped = 0

    async def download(self, progress: Callable[[str, float], None] | None = None) -> list[Instrument]:
        report = progress or (lambda message, fraction: None)
        report("Downloading Dhan's scrip master", 0.05)
        response = await self.http.request("GET", self.master_url, group="other", timeout=DOWNLOAD_TIMEOUT,
                                           session_expired_statuses=())
        if response.status_code != 200:
            raise BrokerError(BROKER, f"scrip master download failed: HTTP {response.status_code}", 502)
        report(f"Downloaded {len(response.content) // 1024} KiB; parsing", 0.4)
        reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig", errors="replace")))
        rows = list(reader)
        total = max(1, len(rows))
        instruments: list[Instrument] = []
        self.malformed = self.skipped = 0
        for start in range(0, len(rows), ROWS_PER_SLICE):
            found, malformed, skipped = transform(rows[start:start + ROWS_PER_SLICE])
            instruments.extend(found)
            self.malformed += malformed
            self.skipped += skipped
            done = min(len(rows), start + ROWS_PER_SLICE)
            report(f"Parsed {done} of {len(rows)} rows", 0.4 + 0.55 * done / total)
            await asyncio.sleep(0)
        if self.malformed:
            log.warning("dhan master contract: skipped %d malformed rows", self.malformed)
        report(f"Installed {len(instruments)} instruments ({self.malformed} malformed, {self.skipped} "
               "unsupported rows skipped)", 1.0)
        return instruments
