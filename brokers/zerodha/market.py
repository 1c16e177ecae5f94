"""Quotes, depth and candles over Kite's REST API (DataClient)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from brokers.contract.capabilities import Capabilities
from brokers.contract.errors import BrokerError, InstrumentNotFound
from brokers.contract.types import Candle, Depth, DepthLevel, Instrument, Quote
from brokers.zerodha.api import BROKER, KiteApi
from brokers.zerodha.convert import integer, ist_time, number

# Our interval → Kite's interval name.
INTERVALS = {"1m": "minute", "3m": "3minute", "5m": "5minute", "10m": "10minute", "15m": "15minute",
             "30m": "30minute", "1h": "60minute", "60m": "60minute", "D": "day"}
# Kite's largest span per candle request, in days.
SPAN_DAYS = {"minute": 60, "3minute": 100, "5minute": 100, "10minute": 100, "15minute": 200,
             "30minute": 200, "60minute": 400, "day": 2000}
MAX_QUOTE_KEYS = 500  # /quote (full quote with depth) takes at most 500 instruments per call
DEPTH_LEVELS = 5


def quote_key(instrument: Instrument) -> str:
    """Kite's `EXCHANGE:tradingsymbol`; indices use their cash exchange and spaced names (`NSE:NIFTY 50`)."""
    return f"{instrument.brexchange}:{instrument.brsymbol}"


def instrument_token(instrument: Instrument) -> str:
    # OpenAlgo-style `instrument_token::::exchange_token` tokens are accepted too.
    return instrument.token.split("::::", 1)[0]


def _levels(rows: Sequence[Mapping[str, Any]] | None) -> list[DepthLevel]:
    levels = [DepthLevel(number(r.get("price")), integer(r.get("quantity")), integer(r.get("orders")))
              for r in (rows or [])[:DEPTH_LEVELS]]
    levels.extend(DepthLevel(0.0, 0, 0) for _ in range(DEPTH_LEVELS - len(levels)))
    return levels


def _quote(row: Mapping[str, Any]) -> Quote:
    ohlc = row.get("ohlc") or {}
    depth = row.get("depth") or {}
    bids, asks = depth.get("buy") or [], depth.get("sell") or []
    return Quote(
        ltp=number(row.get("last_price")), open=number(ohlc.get("open")), high=number(ohlc.get("high")),
        low=number(ohlc.get("low")), prev_close=number(ohlc.get("close")),
        bid=number(bids[0].get("price")) if bids else 0.0, ask=number(asks[0].get("price")) if asks else 0.0,
        volume=integer(row.get("volume")), oi=integer(row.get("oi")),
        timestamp=ist_time(row.get("last_trade_time")) or ist_time(row.get("timestamp")),
    )


def candle_epoch(stamp: str, daily: bool) -> int:
    moment = datetime.fromisoformat(stamp)
    if daily:  # api-v1 §1.10: a day bar is stamped 00:00 UTC of its trading date
        return int(datetime(moment.year, moment.month, moment.day, tzinfo=UTC).timestamp())
    return int(moment.timestamp())


class ZerodhaData:
    def __init__(self, api: KiteApi, capabilities: Capabilities) -> None:
        self.api = api
        self.capabilities = capabilities

    async def _full_quotes(self, keys: Sequence[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for start in range(0, len(keys), MAX_QUOTE_KEYS):
            batch = keys[start:start + MAX_QUOTE_KEYS]
            # Repeated `i` parameters: a list of pairs keeps every duplicate key.
            data = await self.api.call("GET", "/quote", group="quotes", params=[("i", k) for k in batch])
            found.update(data or {})
        return found

    async def _one(self, instrument: Instrument) -> Mapping[str, Any]:
        row = (await self._full_quotes([quote_key(instrument)])).get(quote_key(instrument))
        if row is None:
            raise InstrumentNotFound(BROKER, instrument.symbol, str(instrument.exchange))
        return row

    async def quote(self, instrument: Instrument) -> Quote:
        return _quote(await self._one(instrument))

    async def multiquote(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        keys = list(dict.fromkeys(quote_key(i) for i in instruments))
        rows = await self._full_quotes(keys)
        # Kite leaves unknown keys out of `data`; those instruments are simply absent here.
        return {f"{i.exchange}:{i.symbol}": _quote(rows[quote_key(i)]) for i in instruments if quote_key(i) in rows}

    async def depth(self, instrument: Instrument) -> Depth:
        row = await self._one(instrument)
        book = row.get("depth") or {}
        bids, asks = _levels(book.get("buy")), _levels(book.get("sell"))
        # OpenAlgo's totals are the sums of the five visible levels, not Kite's buy/sell_quantity.
        return Depth(quote=_quote(row), bids=bids, asks=asks, total_buy_qty=sum(b.quantity for b in bids),
                     total_sell_qty=sum(a.quantity for a in asks))

    async def history(self, instrument: Instrument, interval: str, start: date, end: date) -> list[Candle]:
        kite_interval = INTERVALS.get(interval)
        if kite_interval is None:
            raise BrokerError(BROKER, f"Interval '{interval}' is not supported. Supported intervals: "
                              f"{', '.join(self.capabilities.intervals)}", 400)
        if end < start:
            raise BrokerError(BROKER, "end_date must not be before start_date", 400)
        daily = kite_interval == "day"
        span = SPAN_DAYS[kite_interval]
        token = instrument_token(instrument)
        candles: dict[int, Candle] = {}
        chunk_start = start
        while chunk_start <= end:
            chunk_end = min(end, chunk_start + timedelta(days=span - 1))
            data = await self.api.call(
                "GET", f"/instruments/historical/{token}/{kite_interval}", group="history",
                params={"from": f"{chunk_start:%Y-%m-%d} 00:00:00", "to": f"{chunk_end:%Y-%m-%d} 23:59:59",
                        "continuous": "0", "oi": "1"},
            )
            for row in (data or {}).get("candles") or []:
                stamp = candle_epoch(row[0], daily)
                candles[stamp] = Candle(stamp, number(row[1]), number(row[2]), number(row[3]), number(row[4]),
                                        integer(row[5]), integer(row[6]) if len(row) > 6 else 0)
            chunk_start = chunk_end + timedelta(days=1)
        return [candles[k] for k in sorted(candles)]
