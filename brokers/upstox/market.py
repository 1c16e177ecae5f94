"""Market data over REST: v2 full quotes (batched), v2 LTP for global indicators, v3 candles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote as urlquote

from brokers.contract.capabilities import Capabilities
from brokers.contract.errors import BrokerError
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import Candle, Depth, DepthLevel, Instrument, Quote
from brokers.upstox.api import BROKER, UpstoxApi
from brokers.upstox.convert import IST, integer, number
from brokers.upstox.mapping import DATE_INTERVALS, HISTORY_SPAN_DAYS, INTERVALS

QUOTE_BATCH = 500  # instrument keys per quote request
LTP_ONLY_SEGMENTS = ("GLOBAL_INDICATOR|",)  # quotes/ohlc answer UDAPI100500 for these


def today_ist() -> date:
    return datetime.now(IST).date()


def _quote(row: dict[str, Any]) -> Quote:
    ohlc = row.get("ohlc") or {}
    depth = row.get("depth") or {}
    bids, asks = depth.get("buy") or [], depth.get("sell") or []
    stamp = None
    if row.get("last_trade_time"):
        try:
            stamp = datetime.fromtimestamp(int(row["last_trade_time"]) / 1000, IST)
        except (TypeError, ValueError):
            stamp = None
    return Quote(ltp=number(row.get("last_price")), open=number(ohlc.get("open")), high=number(ohlc.get("high")),
                 low=number(ohlc.get("low")), prev_close=number(ohlc.get("close")),
                 bid=number(bids[0].get("price")) if bids else 0.0,
                 ask=number(asks[0].get("price")) if asks else 0.0,
                 volume=integer(row.get("volume")), oi=integer(row.get("oi")), timestamp=stamp)


def _levels(rows: list[dict[str, Any]], descending: bool) -> list[DepthLevel]:
    levels = [DepthLevel(number(r.get("price")), integer(r.get("quantity")), integer(r.get("orders")))
              for r in rows]
    return sorted(levels, key=lambda level: level.price, reverse=descending)


def _candle(row: list[Any], by_date: bool) -> Candle:
    moment = datetime.fromisoformat(str(row[0]))
    if by_date:
        # api-v1: daily/weekly/monthly bars are stamped 00:00 UTC of their IST trading date.
        day = moment.astimezone(IST).date() if moment.tzinfo else moment.date()
        stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    else:
        stamp = int((moment if moment.tzinfo else moment.replace(tzinfo=IST)).timestamp())
    return Candle(timestamp=stamp, open=number(row[1]), high=number(row[2]), low=number(row[3]),
                  close=number(row[4]), volume=integer(row[5]), oi=integer(row[6]) if len(row) > 6 else 0)


class UpstoxDataClient:
    def __init__(self, api: UpstoxApi, instruments: InstrumentLookup, capabilities: Capabilities,
                 today: Callable[[], date] = today_ist) -> None:
        self.api = api
        self.instruments = instruments
        self.capabilities = capabilities
        self._today = today

    async def quote(self, instrument: Instrument) -> Quote:
        return _quote(await self._row(instrument))

    async def multiquote(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        rows = await self._rows(instruments)
        return {f"{i.exchange.value}:{i.symbol}": _quote(rows[i.token]) for i in instruments if i.token in rows}

    async def depth(self, instrument: Instrument) -> Depth:
        row = await self._row(instrument)
        depth = row.get("depth") or {}
        return Depth(quote=_quote(row), bids=_levels(depth.get("buy") or [], True),
                     asks=_levels(depth.get("sell") or [], False),
                     total_buy_qty=integer(row.get("total_buy_quantity")),
                     total_sell_qty=integer(row.get("total_sell_quantity")))

    async def history(self, instrument: Instrument, interval: str, start: date, end: date) -> list[Candle]:
        if interval not in INTERVALS:
            raise BrokerError(BROKER, f"Interval '{interval}' is not supported. Supported intervals: "
                              f"{', '.join(INTERVALS)}", 400)
        if end < start:
            raise BrokerError(BROKER, "end_date must not be before start_date", 400)
        unit, size = INTERVALS[interval]
        by_date = interval in DATE_INTERVALS
        key = urlquote(instrument.token, safe="")
        span = timedelta(days=HISTORY_SPAN_DAYS[interval])
        candles: dict[int, Candle] = {}
        today = self._today()
        chunk_start = start
        while chunk_start <= end:
            chunk_end = min(end, chunk_start + span - timedelta(days=1))
            # Upstox's path takes the end date before the start date.
            data = await self.api.get(f"/v3/historical-candle/{key}/{unit}/{size}/{chunk_end}/{chunk_start}",
                                      group="history") or {}
            for row in data.get("candles") or []:
                candle = _candle(row, by_date)
                candles[candle.timestamp] = candle
            chunk_start = chunk_end + timedelta(days=1)
        if start <= today <= end:
            # The historical endpoint stops at yesterday; today's bars come from the intraday one.
            data = await self.api.get(f"/v3/historical-candle/intraday/{key}/{unit}/{size}", group="history") or {}
            for row in data.get("candles") or []:
                candle = _candle(row, by_date)
                candles[candle.timestamp] = candle
        return [candles[stamp] for stamp in sorted(candles)]

    # --- quotes --------------------------------------------------------------------------------
    async def _row(self, instrument: Instrument) -> dict[str, Any]:
        rows = await self._rows([instrument])
        if instrument.token not in rows:
            raise BrokerError(BROKER, f"no quote for {instrument.exchange.value}:{instrument.symbol}", 404)
        return rows[instrument.token]

    async def _rows(self, instruments: Sequence[Instrument]) -> dict[str, dict[str, Any]]:
        """Rows by instrument key: the outer keys of Upstox's answer are display keys, so match on
        the inner `instrument_token`."""
        keys = list(dict.fromkeys(i.token for i in instruments))
        ltp_only = [k for k in keys if k.startswith(LTP_ONLY_SEGMENTS)]
        full = [k for k in keys if not k.startswith(LTP_ONLY_SEGMENTS)]
        rows: dict[str, dict[str, Any]] = {}
        for start in range(0, len(full), QUOTE_BATCH):
            batch = full[start:start + QUOTE_BATCH]
            data = await self.api.get("/v2/market-quote/quotes", group="quotes",
                                      params={"instrument_key": ",".join(batch)}) or {}
            wanted = set(batch)
            for row in data.values():
                if isinstance(row, dict) and row.get("instrument_token") in wanted:
                    rows[row["instrument_token"]] = row
        for key in ltp_only:  # their outer key is the broken `GLOBAL_INDICATOR:null`: one per call
            data = await self.api.get("/v2/market-quote/ltp", group="quotes", params={"instrument_key": key}) or {}
            for row in data.values():
                if isinstance(row, dict):
                    rows[key] = {**row, "instrument_token": key}
        return rows
