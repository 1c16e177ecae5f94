"""The XTS master contract (xts.md §6): one `/instruments/master` call per segment (pipe-delimited,
no header) plus `/instruments/indexlist` for the NSE and BSE indices, turned into OpenAlgo symbols.
Malformed rows are skipped and counted, never fatal."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from brokers.common.indices import BSE_INDEX_NAMES as COMMON_BSE_INDEX_NAMES
from brokers.contract.errors import BrokerError
from brokers.contract.types import Exchange, Instrument
from brokers.families.xts.wire import XtsApi

log = logging.getLogger("algogate.brokers.xts")

CASH = {"NSECM": Exchange.NSE, "BSECM": Exchange.BSE}
DERIVATIVES = {"NSEFO": Exchange.NFO, "BSEFO": Exchange.BFO, "NSECD": Exchange.CDS, "MCXFO": Exchange.MCX}
OPTION_TYPES = {"1": "FUT", "3": "CE", "4": "PE"}
INDEX_SEGMENTS = {1: ("NSECM", Exchange.NSE_INDEX), 11: ("BSECM", Exchange.BSE_INDEX)}

NSE_INDEX_NAMES = {"NIFTY 50": "NIFTY", "NIFTY BANK": "BANKNIFTY", "INDIA VIX": "INDIAVIX",
                   "NIFTY FIN SERVICE": "FINNIFTY", "NIFTY MID SELECT": "MIDCPNIFTY", "NIFTY NEXT 50": "NIFTYNXT50",
                   "HANGSENG BEES NAV": "HANGSENGBEESNAV", "HANGSENG BEES-NAV": "HANGSENGBEESNAV"}
BSE_INDEX_NAMES = {**COMMON_BSE_INDEX_NAMES, "FIN": "BSEFINANCIALSERVICES", "BSEPBI": "BSEPSU"}


def _collapse(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().upper())


def index_symbol(name: str, bse: bool) -> str:
    text = _collapse(name)
    table = BSE_INDEX_NAMES if bse else NSE_INDEX_NAMES
    text = table.get(text, text)
    return text.replace(" ", "").replace("-", "")


def _decimal(text: str, default: str = "0") -> Decimal:
    try:
        value = Decimal(text.strip() or default)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a number: {text!r}")
    return value


def _strike_text(strike: Decimal) -> str:
    return str(int(strike)) if strike == strike.to_integral_value() else format(strike.normalize(), "f")


def _expiry(text: str) -> date:
    return datetime.fromisoformat(text.strip().replace("Z", "")).date()


def parse_cash(parts: list[str]) -> Instrument | None:
    segment = parts[0].strip().upper()
    series = parts[5].strip().upper()
    name = parts[3].strip()
    display = parts[14].strip() if len(parts) > 14 and parts[14].strip() else parts[4].strip()
    tick, lot = _decimal(parts[11], "0.05"), int(_decimal(parts[12], "1"))
    freeze = int(_decimal(parts[10], "0"))
    if segment == "NSECM":
        if series != "EQ":
            return None
        return Instrument(symbol=name, brsymbol=display, name=name, exchange=Exchange.NSE, brexchange=segment,
                          token=str(int(_decimal(parts[1]))), lotsize=lot or 1, tick_size=tick, instrumenttype=series,
                          freeze_qty=freeze)
    if series == "SPOT":
        return Instrument(symbol=index_symbol(name, True), brsymbol=display, name=name, exchange=Exchange.BSE_INDEX,
                          brexchange=segment, token=str(int(_decimal(parts[1]))), lotsize=1, tick_size=tick,
                          instrumenttype="INDEX")
    return Instrument(symbol=name, brsymbol=display, name=name, exchange=Exchange.BSE, brexchange=segment,
                      token=str(int(_decimal(parts[1]))), lotsize=lot or 1, tick_size=tick,
                      instrumenttype=series or "EQ", freeze_qty=freeze)


def parse_derivative(parts: list[str]) -> Instrument | None:
    segment = parts[0].strip().upper()
    if len(parts) < 19:
        raise ValueError(f"{len(parts)} columns")
    expiry_text = parts[16].strip()
    if segment == "MCXFO" and expiry_text == "1":
        return None
    name, description = parts[3].strip(), parts[4].strip()
    option_code = parts[18].strip()
    kind = OPTION_TYPES.get(option_code)
    if segment == "NSECD" or kind is None:  # CDS rows carry odd OptionType codes: read the text
        upper = description.upper()
        kind = "CE" if upper.endswith("CE") else "PE" if upper.endswith("PE") else "FUT" if "FUT" in upper else None
    if kind is None:
        raise ValueError(f"unknown option type {option_code!r}")
    expiry = _expiry(expiry_text)
    code = expiry.strftime("%d%b%y").upper()
    strike = _decimal(parts[17]) if kind != "FUT" else Decimal(0)
    symbol = f"{name}{code}FUT" if kind == "FUT" else f"{name}{code}{_strike_text(strike)}{kind}"
    return Instrument(symbol=symbol, brsymbol=description, name=name, exchange=DERIVATIVES[segment],
                      brexchange=segment, token=str(int(_decimal(parts[1]))), expiry=expiry,
                      strike=strike if kind != "FUT" else None, lotsize=int(_decimal(parts[12], "1")) or 1,
                      tick_size=_decimal(parts[11], "0.05"), instrumenttype=kind,
                      freeze_qty=int(_decimal(parts[10], "0")))


def parse_master(text: str) -> tuple[list[Instrument], int]:
    """Rows of any segment → (instruments, malformed rows skipped)."""
    found, bad = [], 0
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.split("|")
        segment = parts[0].strip().upper()
        try:
            if segment in CASH:
                if len(parts) < 15:
                    raise ValueError(f"{len(parts)} columns")
                instrument = parse_cash(parts)
            elif segment in DERIVATIVES:
                instrument = parse_derivative(parts)
            else:
                raise ValueError(f"unknown segment {segment!r}")
        except (ValueError, IndexError) as exc:
            bad += 1
            log.debug("xts master: skipped row (%s)", exc)
            continue
        if instrument is not None:
            found.append(instrument)
    return found, bad


def parse_index_list(entries: list[str], segment_code: int) -> list[Instrument]:
    brexchange, exchange = INDEX_SEGMENTS[segment_code]
    found = []
    for entry in entries:
        name, _, token = str(entry).rpartition("_")
        if not name or not token.strip().isdigit():
            continue
        found.append(Instrument(symbol=index_symbol(name, segment_code == 11), brsymbol=str(entry), name=_collapse(name),
                                exchange=exchange, brexchange=brexchange, token=token.strip(), lotsize=1,
                                tick_size=Decimal("0.05"), instrumenttype="INDEX"))
    return found


class XtsInstrumentProvider:
    def __init__(self, api: XtsApi, segments: tuple[str, ...]) -> None:
        self.api = api
        self.segments = segments
        self.skipped = 0

    async def download(self, progress: Callable[[str, float], None] | None = None) -> list[Instrument]:
        report = progress or (lambda message, fraction: None)
        steps = len(self.segments) + 2
        instruments: dict[tuple[str, str], Instrument] = {}
        self.skipped = 0
        failures = []
        for number, segment in enumerate(self.segments):
            report(f"Downloading {segment}", number / steps)
            try:
                text = await self.api.call("POST", "md", "/instruments/master", json={"exchangeSegmentList": [segment]})
            except BrokerError as exc:
                if exc.status == 401:
                    raise
                # One segment failing (e.g. a member without CDS) does not abort the others.
                failures.append(f"{segment}: {exc.message}")
                continue
            rows, bad = parse_master(str(text or ""))
            self.skipped += bad
            for instrument in rows:
                instruments.setdefault((str(instrument.exchange), instrument.symbol), instrument)
        for number, code in enumerate((1, 11)):
            report(f"Downloading {'NSE' if code == 1 else 'BSE'} indices", (len(self.segments) + number) / steps)
            result = await self.api.call("GET", "md", "/instruments/indexlist", params={"exchangeSegment": code})
            for instrument in parse_index_list(list((result or {}).get("indexList") or []), code):
                instruments[(str(instrument.exchange), instrument.symbol)] = instrument
        if not instruments:
            raise BrokerError(self.api.broker, "the master contract is empty: " + "; ".join(failures), 502)
        if self.skipped:
            log.warning("%s master contract: skipped %d malformed rows", self.api.broker, self.skipped)
        report(f"Loaded {len(instruments)} instruments", 1.0)
        return list(instruments.values())
