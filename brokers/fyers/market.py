"""Quotes, multiquotes, depth and history for one Fyers session (reference §3.2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from brokers.contract.capabilities import Capabilities
from brokers.contract.errors import BrokerError
from brokers.contract.types import DERIVATIVE_EXCHANGES, Candle, Depth, DepthLevel, Instrument, Quote
from brokers.fyers.api import BROKER, FyersApi
from brokers.fyers.symbols import integer, number

IST = ZoneInfo("Asia/Kolkata")

# Our interval → Fyers `resolution` (W and M are not offered by Fyers).
RESOLUTIONS = {
    "5s": "5S", "10s": "10S", "15s": "15S", "30s": "30S", "45s": "45S",
    "1m": "1", "2m": "2", "3m": "3", "5m": "5", "10m": "10", "15m": "15", "20m": "20", "30m": "30",
    "1h": "60", "2h": "120", "4h": "240", "D": "1D",
}
SECOND_INTERVALS = frozenset(name for name in RESOLUTIONS if name.endswith("s"))
# Days per Fyers request (OpenAlgo's proven-safe chunks, under Fyers' own caps).
CHUNK_DAYS = {**{name: 60 for name in RESOLUTIONS}, **{name: 25 for name in SECOND_INTERVALS}, "D": 300}
# Days one history() call accepts; longer ranges are split into CHUNK_DAYS requests. Second bars
# exist only for the last ~30 trading days.
HISTORY_MAX_DAYS = {**{name: 366 for name in RESOLUTIONS}, **{name: 45 for name in SECOND_INTERVALS}, "D": 3660}
MULTIQUOTE_BATCH = 50


def _stamp(value: Any) -> datetime | None:
    seconds = integer(value)
    return datetime.fromtimestamp(seconds, IST) if seconds > 0 else None


class FyersDataClient:
    def __init__(self, api: FyersApi, token: str, capabilities: Capabilities) -> None:
        self.api = api
        self.token = token
        self.capabilities = capabilities

    async def _get(self, path: str, params: dict[str, Any], group: str) -> dict[str, Any]:
        return await self.api.call("GET", path, token=self.token, params=params, group=group)

    # --- quotes -------------------------------------------------------------------------------
    async def quote(self, instrument: Instrument) -> Quote:
        if instrument.exchange in DERIVATIVE_EXCHANGES:
            # Only the depth endpoint carries open interest.
            return (await self.depth(instrument)).quote
        quotes = await self._quotes([instrument])
        key = f"{instrument.exchange.value}:{instrument.symbol}"
        if key not in quotes:
            raise BrokerError(BROKER, f"no quote for {instrument.brsymbol}", 404)
        return quotes[key]

    async def multiquote(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        result: dict[str, Quote] = {}
        step = max(1, min(MULTIQUOTE_BATCH, self.capabilities.max_symbols_per_multiquote))
        for start in range(0, len(instruments), step):
            result.update(await self._quotes(instruments[start:start + step]))
        return result

    async def _quotes(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        by_ticker = {item.brsymbol: item for item in instruments}
        answer = await self._get("/data/quotes", {"symbols": ",".join(by_ticker)}, "quotes")
        result: dict[str, Quote] = {}
        for row in answer.get("d") or []:
            item = by_ticker.get(str(row.get("n", "")))
            values = row.get("v")
            if item is None or str(row.get("s", "")).lower() != "ok" or not isinstance(values, dict):
                continue  # a symbol the broker could not quote is left out, as OpenAlgo does
            result[f"{item.exchange.value}:{item.symbol}"] = Quote(
                ltp=number(values.get("lp")),
                open=number(values.get("open_price")),
                high=number(values.get("high_price")),
                low=number(values.get("low_price")),
                prev_close=number(values.get("prev_close_price")),
                bid=number(values.get("bid")),
                ask=number(values.get("ask")),
                volume=integer(values.get("volume")),
                timestamp=_stamp(values.get("tt")),
            )
        return result

    async def depth(self, instrument: Instrument) -> Depth:
        answer = await self._get("/data/depth", {"symbol": instrument.brsymbol, "ohlcv_flag": 1}, "quotes")
        data = (answer.get("d") or {}).get(instrument.brsymbol)
        if not isinstance(data, dict):
            raise BrokerError(BROKER, f"no depth for {instrument.brsymbol}", 404)

        def levels(rows: Any) -> list[DepthLevel]:
            return [DepthLevel(number(r.get("price")), integer(r.get("volume")), integer(r.get("ord")))
                    for r in (rows or [])[:5] if isinstance(r, dict)]

        bids, asks = levels(data.get("bids")), levels(data.get("ask"))  # "ask": singular on the wire
        quote = Quote(
            ltp=number(data.get("ltp")), open=number(data.get("o")), high=number(data.get("h")),
            low=number(data.get("l")), prev_close=number(data.get("c")),
            bid=bids[0].price if bids else 0.0, ask=asks[0].price if asks else 0.0,
            volume=integer(data.get("v")), oi=integer(data.get("oi")),
            timestamp=_stamp(data.get("ltt")),
        )
        return Depth(quote, bids, asks, integer(data.get("totalbuyqty")), integer(data.get("totalsellqty")))

    # --- history ------------------------------------------------------------------------------
    async def history(self, instrument: Instrument, interval: str, start: date, end: date) -> list[Candle]:
        resolution = RESOLUTIONS.get(interval)
        if resolution is None:
            raise BrokerError(BROKER, f"Interval '{interval}' is not supported. Supported intervals: "
                              f"{', '.join(RESOLUTIONS)}", 400)
        if end < start:
            raise BrokerError(BROKER, "end_date must not be before start_date", 400)
        limit = HISTORY_MAX_DAYS[interval]
        if (end - start).days + 1 > limit:
            raise BrokerError(BROKER, f"Date range too large for interval {interval}: at most {limit} days "
                              "per request", 400)
        with_oi = instrument.exchange in DERIVATIVE_EXCHANGES
        daily = interval == "D"
        candles: dict[int, Candle] = {}
        chunk = timedelta(days=CHUNK_DAYS[interval] - 1)
        cursor = start
        while cursor <= end:
            last = min(end, cursor + chunk)
            params: dict[str, Any] = {"symbol": instrument.brsymbol, "resolution": resolution, "date_format": 1,
                                      "range_from": cursor.isoformat(), "range_to": last.isoformat(), "cont_flag": 1}
            if with_oi:
                params["oi_flag"] = 1
            answer = await self._get("/data/history", params, "history")
            for row in answer.get("candles") or []:
                if not isinstance(row, list | tuple) or len(row) < 6:
                    continue
                stamp = integer(row[0])
                if daily:
                    # api-v1 §1.10: a daily candle is stamped 00:00 UTC of its IST trading date.
                    day = datetime.fromtimestamp(stamp, IST).date()
                    stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
                candles[stamp] = Candle(stamp, number(row[1]), number(row[2]), number(row[3]), number(row[4]),
                                        integer(row[5]), integer(row[6]) if len(row) > 6 else 0)
            cursor = last + timedelta(days=1)
        return [candles[key] for key in sorted(candles)]
