"""Quotes, depth and candles over Noren REST (DataClient): GetQuotes (one token per call, 5-level
book), TPSeries (intraday) and EODChartData (daily, rows are JSON strings)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from brokers.contract.capabilities import Capabilities
from brokers.contract.errors import BrokerError, InstrumentNotFound
from brokers.contract.types import Candle, Depth, DepthLevel, Exchange, Instrument, Quote
from brokers.families.noren.convert import IST, integer, number
from brokers.families.noren.mapping import NorenMaps, wire_exchange
from brokers.families.noren.wire import NorenApi

# Safe window per TPSeries/EODChartData request, in days (larger ranges answer 504 or get cut).
WINDOW_DAYS = {"1m": 5, "3m": 10, "5m": 20, "10m": 40, "15m": 60, "30m": 90, "1h": 180, "2h": 180, "4h": 365,
               "D": 730}
# EODChartData wants the index's display name (`NSE:Nifty 50`); BSE indices have no EOD series.
EOD_INDEX_NAMES = {"NIFTY": "Nifty 50", "BANKNIFTY": "Nifty Bank", "FINNIFTY": "Nifty Financial Services",
                   "MIDCPNIFTY": "Nifty Midcap Select", "NIFTYNXT50": "Nifty Next 50", "INDIAVIX": "India VIX"}
DEPTH_LEVELS = 5


def _levels(row: Mapping[str, Any], side: str) -> list[DepthLevel]:
    price, qty, orders = ("bp", "bq", "bo") if side == "bid" else ("sp", "sq", "so")
    return [DepthLevel(number(row.get(f"{price}{n}")), integer(row.get(f"{qty}{n}")), integer(row.get(f"{orders}{n}")))
            for n in range(1, DEPTH_LEVELS + 1)]


def to_quote(row: Mapping[str, Any]) -> Quote:
    stamp = integer(row.get("lut") or row.get("ft"))
    return Quote(
        ltp=number(row.get("lp")), open=number(row.get("o")), high=number(row.get("h")), low=number(row.get("l")),
        prev_close=number(row.get("c")), bid=number(row.get("bp1")), ask=number(row.get("sp1")),
        volume=integer(row.get("v")), oi=integer(row.get("oi")),
        timestamp=datetime.fromtimestamp(stamp, IST) if stamp else None,
    )


def day_epoch(day: date) -> int:
    """api-v1 §1.10: a daily bar is stamped 00:00 UTC of its trading date."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


class NorenData:
    def __init__(self, api: NorenApi, maps: NorenMaps, capabilities: Capabilities) -> None:
        self.api = api
        self.maps = maps
        self.capabilities = capabilities

    async def raw_quote(self, instrument: Instrument) -> Mapping[str, Any]:
        payload = {"uid": self.api.uid, "exch": wire_exchange(self.maps, instrument.exchange),
                   "token": instrument.token}
        try:
            return await self.api.call("GetQuotes", payload, group="quotes")
        except BrokerError as exc:
            if type(exc) is BrokerError and "no data" in exc.message.lower():
                raise InstrumentNotFound(self.api.broker, instrument.symbol, str(instrument.exchange)) from None
            raise

    async def quote(self, instrument: Instrument) -> Quote:
        return to_quote(await self.raw_quote(instrument))

    async def multiquote(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        # No batch endpoint: one GetQuotes per instrument, paced by the "quotes" bucket.
        unique = list({f"{i.exchange}:{i.symbol}": i for i in instruments}.items())
        answers = await asyncio.gather(*(self.raw_quote(i) for _, i in unique), return_exceptions=True)
        result: dict[str, Quote] = {}
        for (key, _), answer in zip(unique, answers, strict=True):
            if isinstance(answer, InstrumentNotFound):
                continue
            if isinstance(answer, BaseException):
                raise answer
            result[key] = to_quote(answer)
        return result

    async def depth(self, instrument: Instrument) -> Depth:
        row = await self.raw_quote(instrument)
        bids, asks = _levels(row, "bid"), _levels(row, "ask")
        # OpenAlgo's totals are the sums of the five visible levels.
        return Depth(quote=to_quote(row), bids=bids, asks=asks, total_buy_qty=sum(b.quantity for b in bids),
                     total_sell_qty=sum(a.quantity for a in asks))

    async def history(self, instrument: Instrument, interval: str, start: date, end: date) -> list[Candle]:
        if interval != "D" and interval not in self.api.member.intervals:
            raise BrokerError(self.api.broker, f"Interval '{interval}' is not supported. Supported intervals: "
                              f"{', '.join(self.capabilities.intervals)}", 400)
        if end < start:
            raise BrokerError(self.api.broker, "end_date must not be before start_date", 400)
        window = WINDOW_DAYS[interval]
        candles: dict[int, Candle] = {}  # chunk boundaries can repeat a bar: keyed by time
        chunk = start
        while chunk <= end:
            chunk_end = min(end, chunk + timedelta(days=window - 1))
            st = int(datetime.combine(chunk, time(0, 0), IST).timestamp())
            et = int(datetime.combine(chunk_end, time(23, 59, 59), IST).timestamp())
            if interval == "D":
                rows = await self._eod(instrument, st, et)
            else:
                rows = await self._intraday(instrument, self.api.member.intervals[interval], st, et)
            for candle in rows:
                candles[candle.timestamp] = candle
            chunk = chunk_end + timedelta(days=1)
        return [candles[k] for k in sorted(candles)]

    async def _intraday(self, instrument: Instrument, intrv: str, st: int, et: int) -> list[Candle]:
        payload = {"uid": self.api.uid, "exch": wire_exchange(self.maps, instrument.exchange),
                   "token": instrument.token, "st": str(st), "et": str(et), "intrv": intrv}
        rows = await self.api.call("TPSeries", payload, group="history", listing=True, chart=True)
        result = []
        for row in rows:
            values = [number(row.get(k)) for k in ("into", "inth", "intl", "intc")]
            if not any(values):
                continue  # Noren pads gaps with all-zero bars
            stamp = integer(row.get("ssboe"))
            if not stamp:
                parsed = datetime.strptime(str(row.get("time")), "%d-%m-%Y %H:%M:%S").replace(tzinfo=IST)
                stamp = int(parsed.timestamp())
            result.append(Candle(stamp, *values, integer(row.get("intv")), integer(row.get("intoi") or row.get("oi"))))
        return result

    async def _eod(self, instrument: Instrument, st: int, et: int) -> list[Candle]:
        if instrument.exchange == Exchange.BSE_INDEX:
            return []  # no EOD series for BSE indices
        name = instrument.brsymbol
        if instrument.exchange == Exchange.NSE_INDEX:
            name = EOD_INDEX_NAMES.get(instrument.symbol, instrument.brsymbol)
        payload = {"uid": self.api.uid, "sym": f"{wire_exchange(self.maps, instrument.exchange)}:{name}",
                   "from": str(st), "to": str(et)}
        rows = await self.api.call("EODChartData", payload, group="history", listing=True, chart=True)
        result = []
        for text in rows:
            row = json.loads(text) if isinstance(text, str) else text
            values = [number(row.get(k)) for k in ("into", "inth", "intl", "intc")]
            if not any(values):
                continue
            stamp = integer(row.get("ssboe"))
            day = (datetime.fromtimestamp(stamp, IST).date() if stamp
                   else datetime.strptime(str(row.get("time")), "%d-%b-%Y").date())
            result.append(Candle(day_epoch(day), *values, integer(row.get("intv"))))
        return result
