"""The Noren master contract (reference §8): per-exchange `<EXCH>_symbols.txt.zip` files (Shoonya,
Zebu, TradeSmart) or Flattrade's CSVs on S3, transformed with OpenAlgo's symbol rules.

A malformed row is skipped and counted, never fatal; placeholder rows (blank symbol) and CDS
dummy rows (token ≤ 100) are dropped as the reference says.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from brokers.common.http import BrokerHttp
from brokers.contract.errors import BrokerError
from brokers.contract.types import Exchange, Instrument
from brokers.families.noren.member import FLATTRADE_CSV, NorenMember

log = logging.getLogger("algogate.brokers.noren")

ZIP_EXCHANGES = ("NSE", "BSE", "NFO", "BFO", "CDS", "MCX")
FLATTRADE_FILES = (
    ("NSE", "NSE_Equity.csv"), ("BSE", "BSE_Equity.csv"),
    ("NFO", "Nfo_Index_Derivatives.csv"), ("NFO", "Nfo_Equity_Derivatives.csv"),
    ("BFO", "Bfo_Index_Derivatives.csv"), ("BFO", "Bfo_Equity_Derivatives.csv"),
    ("CDS", "Currency_Derivatives.csv"), ("MCX", "Commodity.csv"),
)
NSE_INDEX_NAMES = {
    "NIFTY50": "NIFTY", "NIFTYINDEX": "NIFTY", "NIFTYBANK": "BANKNIFTY", "NIFTYFIN": "FINNIFTY",
    "NIFTYFINSERVICE": "FINNIFTY", "NIFTYFINANCIALSERVICES": "FINNIFTY", "NIFTYNEXT50": "NIFTYNXT50",
    "NIFTYMIDSELECT": "MIDCPNIFTY", "NIFTYMIDCAPSELECT": "MIDCPNIFTY",
}
# Not in the Noren BSE file: added by hand (token, symbol).
BSE_INDICES = (("1", "SENSEX"), ("12", "BANKEX"))
_HEADER_ALIASES = {"strikeprice": "strike"}
_EXPIRY_FORMATS = ("%d-%b-%Y", "%d-%b-%y", "%Y-%m-%d", "%d-%m-%Y", "%d%b%Y", "%d/%m/%Y")


def nse_index_symbol(name: str) -> str:
    key = re.sub(r"[\s\-]", "", name.upper())
    return NSE_INDEX_NAMES.get(key, key)


def bse_index_symbol(name: str) -> str:
    key = re.sub(r"\s", "", name.upper())
    if key in ("S&PBSESENSEX", "BSESENSEX"):
        return "SENSEX"
    if key.endswith("SENSEXNEXT50"):
        return "BSESENSEXNEXT50"
    if key.endswith("SENSEX50"):
        return "SENSEX50"
    return key


def parse_expiry(text: str) -> date:
    text = text.strip()
    for pattern in _EXPIRY_FORMATS:
        try:
            return datetime.strptime(text.title() if "%b" in pattern else text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"bad expiry {text!r}")


def strike_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value % 1 else str(int(value))


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"bad number {text!r}") from None


def _rows(text: str) -> Iterable[dict[str, str]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        return
    keys = [_HEADER_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        yield {k: (cells[i].strip() if i < len(cells) else "") for i, k in enumerate(keys) if k}


class Transformer:
    """One file row → one Instrument (or None for rows the rules drop); ValueError when malformed."""

    def __init__(self, member: NorenMember) -> None:
        self.member = member
        self.flattrade = member.master == FLATTRADE_CSV

    def tick(self, segment: str, row: dict[str, str]) -> Decimal:
        raw = row.get("ticksize", "")
        if self.flattrade or not raw:  # Flattrade files have no tick column
            return Decimal("0.0025") if segment == "CDS" else Decimal("0.05")
        tick = _decimal(raw)
        if segment in ("NSE", "BSE") and self.member.equity_tick_in_paise:
            tick = tick / 100
        return tick.normalize()

    def __call__(self, segment: str, row: dict[str, str]) -> Instrument | None:
        token, tsym, name = row.get("token", ""), row.get("tradingsymbol", ""), row.get("symbol", "")
        if not tsym or not (name or segment == "BFO"):
            return None  # placeholder rows
        if not token.isdigit():
            raise ValueError(f"bad token {token!r}")
        lot = int(_decimal(row.get("lotsize") or "1"))
        tick = self.tick(segment, row)
        kind = row.get("instrument", "").upper()
        if segment == "NSE":
            if kind == "INDEX":
                return Instrument(nse_index_symbol(tsym), tsym, name, Exchange.NSE_INDEX, "NSE", token,
                                  lotsize=lot, tick_size=tick, instrumenttype="INDEX")
            symbol = re.sub(r"-(EQ|BE)$", "", tsym)
            return Instrument(symbol, tsym, name, Exchange.NSE, "NSE", token, lotsize=lot, tick_size=tick,
                              instrumenttype="EQ" if kind in ("EQ", "BE", "") else kind)
        if segment == "BSE":
            if kind == "UNDIND":
                return Instrument(bse_index_symbol(name or tsym), tsym, name, Exchange.BSE_INDEX, "BSE", token,
                                  lotsize=lot, tick_size=tick, instrumenttype="INDEX")
            return Instrument(tsym, tsym, name, Exchange.BSE, "BSE", token, lotsize=lot, tick_size=tick,
                              instrumenttype="EQ")
        if segment == "CDS" and int(token) <= 100:
            return None  # dummy/index rows
        expiry = parse_expiry(row.get("expiry", ""))
        if segment == "BFO":
            match = re.match(r"[A-Z]+", tsym.upper())
            if not match:
                raise ValueError(f"bad BFO symbol {tsym!r}")
            name = match.group(0)
            suffix = tsym.upper()[-3:] if tsym.upper().endswith("FUT") else tsym.upper()[-2:]
            option = "XX" if suffix == "FUT" else suffix
        else:
            option = (row.get("optiontype") or "XX").upper()
        if option in ("XX", "", "FUT"):
            kind_ours, tail = "FUT", "FUT"
        elif option in ("CE", "PE"):
            strike = _decimal(row.get("strike") or "")
            kind_ours, tail = option, f"{strike_text(strike)}{option}"
        else:
            raise ValueError(f"bad option type {option!r}")
        symbol = f"{name}{expiry.strftime('%d%b%y').upper()}{tail}"
        strike_value = _decimal(row["strike"]) if kind_ours != "FUT" else None
        return Instrument(symbol, tsym, name, Exchange(segment), segment, token, expiry=expiry, strike=strike_value,
                          lotsize=lot, tick_size=tick, instrumenttype=kind_ours)


class NorenInstrumentProvider:
    def __init__(self, http: BrokerHttp, member: NorenMember, master_base: str) -> None:
        self.http = http
        self.member = member
        self.base = master_base.rstrip("/")
        self.transform = Transformer(member)
        self.skipped = 0  # malformed rows of the last download

    def files(self) -> list[tuple[str, str]]:
        wanted = {str(e) for e in self.member.exchanges}
        if self.member.master == FLATTRADE_CSV:
            return [(seg, f"{self.base}/{name}") for seg, name in FLATTRADE_FILES if seg in wanted]
        return [(seg, f"{self.base}/{seg}_symbols.txt.zip") for seg in ZIP_EXCHANGES if seg in wanted]

    async def _fetch(self, url: str) -> str:
        response = await self.http.request("GET", url, group="other", session_expired_statuses=())
        if response.status_code != 200:
            raise BrokerError(self.member.name, f"master contract download {url.rsplit('/', 1)[-1]} answered "
                              f"HTTP {response.status_code}", 502)
        if self.member.master == FLATTRADE_CSV:
            return response.content.decode("utf-8-sig", errors="replace")
        try:
            with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
                return archive.read(names[0]).decode("utf-8-sig", errors="replace")
        except (zipfile.BadZipFile, IndexError):
            raise BrokerError(self.member.name, f"master file {url.rsplit('/', 1)[-1]} is not a zip", 502) from None

    async def download(self, progress: Callable[[str, float], None] | None = None) -> list[Instrument]:
        def report(message: str, fraction: float) -> None:
            if progress is not None:
                progress(message, fraction)

        files = self.files()
        instruments: dict[tuple[str, str], Instrument] = {}
        self.skipped = 0
        for index, (segment, url) in enumerate(files):
            report(f"Downloading {url.rsplit('/', 1)[-1]}", index / (len(files) + 1))
            text = await self._fetch(url)
            for row in _rows(text):
                try:
                    instrument = self.transform(segment, row)
                except (ValueError, KeyError) as exc:
                    self.skipped += 1
                    log.debug("%s master: skipped a %s row (%s)", self.member.name, segment, exc)
                    continue
                if instrument is not None:
                    instruments[(str(instrument.exchange), instrument.symbol)] = instrument
        if Exchange.BSE_INDEX in self.member.exchanges:
            for token, symbol in BSE_INDICES:
                instruments.setdefault(("BSE_INDEX", symbol), Instrument(
                    symbol, symbol, symbol, Exchange.BSE_INDEX, "BSE", token, lotsize=1, tick_size=Decimal("0.05"),
                    instrumenttype="INDEX"))
        if self.skipped:
            log.warning("%s master: skipped %d malformed rows", self.member.name, self.skipped)
        report(f"Parsed {len(instruments)} instruments ({self.skipped} malformed rows skipped)", 1.0)
        return list(instruments.values())
