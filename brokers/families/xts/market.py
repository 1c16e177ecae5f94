"""Quotes, depth and candles over the XTS market-data REST API (DataClient)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from brokers.contract.capabilities import Capabilities
from brokers.contract.errors import BrokerError, InstrumentNotFound
from brokers.contract.types import Candle, Depth, DepthLevel, Instrument, Quote
from brokers.families.xts.convert import IST, integer, number
from brokers.families.xts.mapping import XtsMaps
from brokers.families.xts.wire import XtsApi

QUOTE_BATCH = 50  # instruments per /instruments/quotes call
DEPTH_LEVELS = 5
TOUCHLINE, DEPTH, OI, LTP = 1501, 1502, 1510, 1512
# Our interval → XTS compressionValue (bar size in seconds; daily is "D").
INTERVALS = {"1m": "60", "2m": "120", "3m": "180", "5m": "300", "10m": "600", "15m": "900", "30m": "1800",
             "1h": "3600", "D": "D"}
CHUNK_DAYS = 7  # OpenAlgo asks for at most 7 calendar days per OHLC call and walks forward
IST_SHIFT = 19_800  # OHLC stamps are IST wall clock encoded as if UTC
# XTS times (LastTradedTime, LastUpdateTime) count seconds from 1980-01-01 00:00 IST.
XTS_EPOCH = int(datetime(1980, 1, 1, tzinfo=IST).timestamp())


def xts_time_ms(value: object) -> int:
    seconds = integer(value)
    return (seconds + XTS_EPOCH) * 1000 if seconds > 0 else 0


def parse_payload(value: object) -> dict[str, Any]:
    """Quote entries and socket payloads may be JSON strings rather than objects."""
    if isinstance(value, str | bytes):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def touchline(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    """1502 nests the touchline; 1501 has it at the top level."""
    inner = payload.get("Touchline")
    return inner if isinstance(inner, Mapping) else payload


def last_quantity(line: Mapping[str, Any]) -> int:
    return integer(line.get("LastTradedQunatity", line.get("LastTradedQuantity")))  # sic, both spellings


def to_quote(payload: Mapping[str, Any]) -> Quote:
    line = touchline(payload)
    bid, ask = line.get("BidInfo") or {}, line.get("AskInfo") or {}
    bids, asks = payload.get("Bids") or [], payload.get("Asks") or []
    stamp = xts_time_ms(line.get("LastTradedTime") or line.get("LastUpdateTime"))
    return Quote(
        ltp=number(line.get("LastTradedPrice")), open=number(line.get("Open")), high=number(line.get("High")),
        low=number(line.get("Low")), prev_close=number(line.get("Close")),
        bid=number(bid.get("Price")) or (number(bids[0].get("Price")) if bids else 0.0),
        ask=number(ask.get("Price")) or (number(asks[0].get("Price")) if asks else 0.0),
        volume=integer(line.get("TotalTradedQuantity")), oi=integer(payload.get("OpenInterest")),
        timestamp=datetime.fromtimestamp(stamp / 1000, IST) if stamp else None,
    )


def levels(rows: Sequence[Mapping[str, Any]] | None) -> list[DepthLevel]:
    found = [DepthLevel(number(r.get("Price")), integer(r.get("Size")), integer(r.get("TotalOrders")))
             for r in (rows or [])[:DEPTH_LEVELS]]
    found.extend(DepthLevel(0.0, 0, 0) for _ in range(DEPTH_LEVELS - len(found)))
    return found


def to_depth(payload: Mapping[str, Any]) -> Depth:
    line = touchline(payload)
    return Depth(quote=to_quote(payload), bids=levels(payload.get("Bids")), asks=levels(payload.get("Asks")),
                 total_buy_qty=integer(line.get("TotalBuyQuantity")),
                 total_sell_qty=integer(line.get("TotalSellQuantity")))


def ohlc_time(day: date, end: bool) -> str:
    """`MMM DD YYYY HHMMSS` in IST, e.g. `Mar 03 2025 091500`."""
    return f"{day:%b %d %Y} {'235959' if end else '000000'}"


def parse_bars(text: str, daily: bool) -> list[Candle]:
    candles = []
    for bar in (text or "").split(","):
        parts = bar.split("|")
        if len(parts) < 6 or not parts[0].strip():
            continue
        try:
            wall = int(float(parts[0]))
            if daily:  # api-v1 §1.10: a day bar is stamped 00:00 UTC of its trading date
                day = datetime.fromtimestamp(wall, UTC).date()
                stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
            else:
                stamp = wall - IST_SHIFT
            candles.append(Candle(stamp, float(parts[1]), float(parts[2]), float(parts[3]), float(parts[4]),
                                  int(float(parts[5])), int(float(parts[6])) if len(parts) > 6 and parts[6] else 0))
        except ValueError:
            continue
    return candles


class XtsData:
    def __init__(self, api: XtsApi, capabilities: Capabilities, maps: XtsMaps) -> None:
        self.api = api
        self.broker = api.broker
        self.capabilities = capabilities
        self.maps = maps

    def _ref(self, instrument: Instrument) -> dict[str, int]:
        return {"exchangeSegment": self.maps.segment_code(instrument), "exchangeInstrumentID": int(instrument.token)}

    async def _quotes(self, instruments: Sequence[Instrument], code: int) -> dict[tuple[int, int], dict[str, Any]]:
        found: dict[tuple[int, int], dict[str, Any]] = {}
        refs = list({(r["exchangeSegment"], r["exchangeInstrumentID"]): r
                     for r in (self._ref(i) for i in instruments)}.values())
        for start in range(0, len(refs), QUOTE_BATCH):
            body = {"instruments": refs[start:start + QUOTE_BATCH], "xtsMessageCode": code, "publishFormat": "JSON"}
            result = await self.api.call("POST", "md", "/instruments/quotes", group="quotes", json=body)
            for entry in (result or {}).get("listQuotes") or []:
                payload = parse_payload(entry)
                key = (integer(payload.get("ExchangeSegment")), integer(payload.get("ExchangeInstrumentID")))
                found[key] = payload
        return found

    async def _one(self, instrument: Instrument) -> dict[str, Any]:
        ref = self._ref(instrument)
        payload = (await self._quotes([instrument], DEPTH)).get((ref["exchangeSegment"], ref["exchangeInstrumentID"]))
        if payload is None:
            raise InstrumentNotFound(self.broker, instrument.symbol, str(instrument.exchange))
        return payload

    async def quote(self, instrument: Instrument) -> Quote:
        return to_quote(await self._one(instrument))

    async def multiquote(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        rows = await self._quotes(instruments, DEPTH)
        result = {}
        for instrument in instruments:
            ref = self._ref(instrument)
            payload = rows.get((ref["exchangeSegment"], ref["exchangeInstrumentID"]))
            if payload is not None:  # the broker leaves unknown instruments out
                result[f"{instrument.exchange}:{instrument.symbol}"] = to_quote(payload)
        return result

    async def depth(self, instrument: Instrument) -> Depth:
        return to_depth(await self._one(instrument))

    async def history(self, instrument: Instrument, interval: str, start: date, end: date) -> list[Candle]:
        compression = INTERVALS.get(interval)
        if compression is None:
            raise BrokerError(self.broker, f"Interval '{interval}' is not supported. Supported intervals: "
                              f"{', '.join(self.capabilities.intervals)}", 400)
        if end < start:
            raise BrokerError(self.broker, "end_date must not be before start_date", 400)
        daily = compression == "D"
        candles: dict[int, Candle] = {}
        chunk_start = start
        while chunk_start <= end:
            chunk_end = min(end, chunk_start + timedelta(days=CHUNK_DAYS - 1))
            params = {"exchangeSegment": self.maps.segment(instrument), "exchangeInstrumentID": instrument.token,
                      "startTime": ohlc_time(chunk_start, False), "endTime": ohlc_time(chunk_end, True),
                      "compressionValue": compression}
            result = await self.api.call("GET", "md", "/instruments/ohlc", group="history", params=params)
            for candle in parse_bars(str((result or {}).get("dataReponse") or ""), daily):  # sic: dataReponse
                candles[candle.timestamp] = candle
            chunk_start = chunk_end + timedelta(days=1)
        return [candles[k] for k in sorted(candles)]
