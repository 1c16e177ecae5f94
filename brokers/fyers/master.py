"""The Fyers symbol master (reference §5): public daily files, CSV for cash and F&O, JSON for
currency and commodity, transformed into OpenAlgo's symbols. A malformed row is skipped and
counted, never fatal."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from brokers.contract.errors import BrokerError
from brokers.contract.types import Exchange, Instrument
from brokers.fyers.api import BROKER, FyersApi

log = logging.getLogger("algogate.brokers.fyers")
IST = ZoneInfo("Asia/Kolkata")

# (file, our exchange of its rows, format)
FILES = (
    ("NSE_CM.csv", Exchange.NSE, "csv"),
    ("BSE_CM.csv", Exchange.BSE, "csv"),
    ("NSE_FO.csv", Exchange.NFO, "csv"),
    ("BSE_FO.csv", Exchange.BFO, "csv"),
    ("NSE_CD_sym_master.json", Exchange.CDS, "json"),
    ("MCX_COM_sym_master.json", Exchange.MCX, "json"),
)

# CSV column positions (the files have no header).
FYTOKEN, DETAILS, INSTRUMENT_TYPE, LOT, TICK, EXPIRY, TICKER, UNDERLYING, STRIKE, OPTION_TYPE = (
    0, 1, 2, 3, 4, 8, 9, 13, 15, 16)
CSV_COLUMNS = 21

NSE_EQUITY_TYPES = frozenset({0, 9})
BSE_EQUITY_TYPES = frozenset({0, 4, 50})
INDEX_TYPE = 10
NSE_INDEX_RENAMES = {"NIFTYMID50": "NIFTYMIDCAP50"}
BSE_INDEX_NAMES = {
    "SENSEX": "SENSEX", "SENSEX50": "SENSEX50", "BANKEX": "BANKEX", "SNXT50": "BSESENSEXNEXT50",
    "100": "BSE100", "200": "BSE200", "500": "BSE500", "150MIDCAP": "BSE150MIDCAPINDEX",
    "250LARGEMIDCAP": "BSE250LARGEMIDCAPINDEX", "400MIDSMALLCAP": "BSE400MIDSMALLCAPINDEX",
    "AUTO": "BSEAUTO", "CG": "BSECAPITALGOODS", "CARBONEX": "BSECARBONEX", "CD": "BSECONSUMERDURABLES",
    "CPSE": "BSECPSE", "DOL100": "BSEDOLLEX100", "DOL200": "BSEDOLLEX200", "DOL30": "BSEDOLLEX30",
    "ENERGY": "BSEENERGY", "TECK": "BSETECK", "FMC": "BSEFASTMOVINGCONSUMERGOODS",
    "FIN": "BSEFINANCIALSERVICES", "GREENEX": "BSEGREENEX", "HC": "BSEHEALTHCARE",
    "INFRA": "BSEINDIAINFRASTRUCTUREINDEX", "INDSTR": "BSEINDUSTRIALS", "IT": "BSEINFORMATIONTECHNOLOGY",
    "IPO": "BSEIPO", "LRGCAP": "BSELARGECAP", "METAL": "BSEMETAL", "MIDCAP": "BSEMIDCAP",
    "MIDSEL": "BSEMIDCAPSELECTINDEX", "OILGAS": "BSEOIL&GAS", "POWER": "BSEPOWER", "PSU": "BSEPSU",
    "REALTY": "BSEREALTY", "SMLCAP": "BSESMALLCAP", "SMLSEL": "BSESMALLCAPSELECTINDEX",
    "SME IPO": "BSESMEIPO", "TELCOM": "BSETELECOM",
}
MONTHS = frozenset({"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"})


class Malformed(ValueError):
    pass


@dataclass
class MasterStats:
    rows: int = 0
    skipped_malformed: int = 0
    skipped_unsupported: int = 0
    per_file: dict[str, int] = field(default_factory=dict)


def expiry_date(value: Any) -> date | None:
    seconds = int(float(value or 0))
    return datetime.fromtimestamp(seconds, IST).date() if seconds > 0 else None


def derivative_symbol(details: str, option_type: str) -> tuple[str, str]:
    """(`NIFTY30DEC25FUT` / `NIFTY30DEC2526000CE`, instrument type) from `Symbol Details`
    (`NAME DD Mon YY STRIKE|FUT`), read from the right so a name with spaces survives."""
    parts = details.split()
    if len(parts) < 5:
        raise Malformed(f"symbol details {details!r}")
    name, (day, month, year, last) = "".join(parts[:-4]), parts[-4:]
    month = month.upper()
    if not (len(day) == 2 and day.isdigit() and month in MONTHS and len(year) == 2 and year.isdigit()):
        raise Malformed(f"symbol details {details!r}")
    option_type = option_type.strip().upper()
    if option_type in ("CE", "PE"):
        Decimal(last)  # the strike must be a number; it is kept as printed (fractional strikes)
        return f"{name}{day}{month}{year}{last}{option_type}", option_type
    if option_type in ("XX", "", "FUT") and last.upper() == "FUT":
        return f"{name}{day}{month}{year}FUT", "FUT"
    raise Malformed(f"option type {option_type!r} for {details!r}")


def _cash_row(row: list[str], exchange: Exchange) -> Instrument | None:
    kind = int(row[INSTRUMENT_TYPE])
    ticker, underlying = row[TICKER].strip(), row[UNDERLYING].strip()
    if not ticker or ":" not in ticker:
        raise Malformed(f"ticker {ticker!r}")
    common = {"brsymbol": ticker, "brexchange": exchange.value, "token": row[FYTOKEN].strip(),
              "lotsize": int(float(row[LOT] or 1)), "tick_size": Decimal(row[TICK].strip() or "0.05")}
    if kind == INDEX_TYPE:
        if exchange is Exchange.NSE:
            symbol = underlying.replace(" ", "").replace("-", "")
            symbol = NSE_INDEX_RENAMES.get(symbol, symbol)
            index_exchange = Exchange.NSE_INDEX
        else:
            symbol = BSE_INDEX_NAMES.get(underlying, underlying.upper().replace(" ", ""))
            index_exchange = Exchange.BSE_INDEX
        if not symbol:
            raise Malformed("index without a name")
        return Instrument(symbol=symbol, name=row[DETAILS].strip() or symbol, exchange=index_exchange,
                          instrumenttype="INDEX", **common)
    equity_types = NSE_EQUITY_TYPES if exchange is Exchange.NSE else BSE_EQUITY_TYPES
    if kind in equity_types:
        instrumenttype = "EQ"
    elif exchange is Exchange.NSE and kind == 2 and ticker.endswith("-GB"):
        instrumenttype = "GB"
    else:
        return None  # a kind OpenAlgo does not list (warrants, debt, …)
    if not underlying:
        raise Malformed(f"no underlying symbol for {ticker}")
    return Instrument(symbol=underlying, name=row[DETAILS].strip() or underlying, exchange=exchange,
                      instrumenttype=instrumenttype, **common)


def _derivative_row(row: list[str], exchange: Exchange) -> Instrument:
    ticker = row[TICKER].strip()
    if not ticker or ":" not in ticker:
        raise Malformed(f"ticker {ticker!r}")
    symbol, instrumenttype = derivative_symbol(row[DETAILS], row[OPTION_TYPE])
    strike = Decimal(row[STRIKE].strip()) if instrumenttype in ("CE", "PE") else None
    return Instrument(
        symbol=symbol, brsymbol=ticker, name=row[UNDERLYING].strip() or row[DETAILS].split()[0],
        exchange=exchange, brexchange=exchange.value, token=row[FYTOKEN].strip(),
        expiry=expiry_date(row[EXPIRY]), strike=strike, lotsize=int(float(row[LOT] or 1)),
        tick_size=Decimal(row[TICK].strip() or "0.05"), instrumenttype=instrumenttype,
    )


def parse_csv(text: str, exchange: Exchange, stats: MasterStats) -> list[Instrument]:
    instruments = []
    derivative = exchange in (Exchange.NFO, Exchange.BFO)
    for row in csv.reader(io.StringIO(text)):
        if not row or not any(cell.strip() for cell in row):
            continue
        stats.rows += 1
        try:
            if len(row) < CSV_COLUMNS - 3:  # the three reserved columns may be absent
                raise Malformed(f"{len(row)} columns")
            item = _derivative_row(row, exchange) if derivative else _cash_row(row, exchange)
        except (Malformed, ValueError, ArithmeticError, IndexError) as exc:
            stats.skipped_malformed += 1
            log.debug("fyers master: skipped %s row (%s)", exchange.value, exc)
            continue
        if item is None:
            stats.skipped_unsupported += 1
        else:
            instruments.append(item)
    return instruments


def parse_json(text: str, exchange: Exchange, stats: MasterStats) -> list[Instrument]:
    try:
        records = json.loads(text)
    except ValueError as exc:
        raise Malformed(f"{exchange.value} master is not JSON") from exc
    if not isinstance(records, dict):
        raise Malformed(f"{exchange.value} master is not a JSON object")
    instruments = []
    for key, record in records.items():
        stats.rows += 1
        try:
            if not isinstance(record, dict):
                raise Malformed("record is not an object")
            details = str(record.get("symDetails") or record.get("symbolDetails") or "")
            symbol, instrumenttype = derivative_symbol(details, str(record.get("optType") or "XX"))
            strike = Decimal(str(record.get("strikePrice"))) if instrumenttype in ("CE", "PE") else None
            instruments.append(Instrument(
                symbol=symbol, brsymbol=str(record.get("symTicker") or key), name=details.split()[0],
                exchange=exchange, brexchange=exchange.value, token=str(record["fyToken"]),
                expiry=expiry_date(record.get("expiryDate")), strike=strike,
                lotsize=int(float(record.get("qtyMultiplier") or 1)),  # the true lot for CDS/MCX
                tick_size=Decimal(str(record.get("tickSize") or "0.05")), instrumenttype=instrumenttype,
            ))
        except (Malformed, ValueError, ArithmeticError, KeyError, TypeError) as exc:
            stats.skipped_malformed += 1
            log.debug("fyers master: skipped %s record %s (%s)", exchange.value, key, exc)
    return instruments


class FyersInstrumentProvider:
    def __init__(self, api: FyersApi, master_base: str, files: Iterable[tuple[str, Exchange, str]] = FILES) -> None:
        self.api = api
        self.master_base = master_base
        self.files = tuple(files)
        self.stats = MasterStats()

    async def download(self, progress: Callable[[str, float], None] | None = None) -> list[Instrument]:
        report = progress or (lambda message, fraction: None)
        self.stats = MasterStats()
        instruments: list[Instrument] = []
        total = len(self.files)
        for number, (name, exchange, kind) in enumerate(self.files):
            report(f"downloading {name}", number / total)
            content = (await self.api.download(f"{self.master_base}/{name}")).decode("utf-8", errors="replace")
            report(f"parsing {name}", (number + 0.5) / total)
            try:
                # NSE_FO alone is ~100k rows: parse off the event loop.
                parse = parse_csv if kind == "csv" else parse_json
                rows = await asyncio.to_thread(parse, content, exchange, self.stats)
            except Malformed as exc:  # a whole file we cannot read, not one bad row
                raise BrokerError(BROKER, f"master file {name}: {exc}", 502) from None
            self.stats.per_file[name] = len(rows)
            instruments.extend(rows)
        if self.stats.skipped_malformed:
            log.warning("fyers master: %d malformed rows skipped", self.stats.skipped_malformed)
        report(f"{len(instruments)} instruments", 1.0)
        return instruments
