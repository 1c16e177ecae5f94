"""SmartAPI market data: quotes and depth (`market/v1/quote`, 50 tokens a request) and candles
(`historical/v1/getCandleData`, chunked by the per-interval day limits, OI joined for F&O)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from brokers.angel.mapping import DATA_EXCHANGE
from brokers.angel.wire import BROKER, DISPLAY, SmartApiRest
from brokers.contract.capabilities import Capabilities
from brokers.contract.errors import BrokerError, SessionExpired, UnmappedValue
from brokers.contract.types import DERIVATIVE_EXCHANGES, Candle, Depth, DepthLevel, Instrument, Quote

log = logging.getLogger("algogate.brokers.angel")

IST = ZoneInfo("Asia/Kolkata")
QUOTE_PATH = "/rest/secure/angelbroking/market/v1/quote/"
CANDLE_PATH = "/rest/secure/angelbroking/historical/v1/getCandleData"
OI_PATH = "/rest/secure/angelbroking/historical/v1/getOIData"
MAX_QUOTE_TOKENS = 50

# Our interval → (Angel's name, max days per request) (reference §3).
INTERVALS: dict[str, tuple[str, int]] = {
    "1m": ("ONE_MINUTE", 30), "3m": ("THREE_MINUTE", 60), "5m": ("FIVE_MINUTE", 100),
    "10m": ("TEN_MINUTE", 100), "15m": ("FIFTEEN_MINUTE", 200), "30m": ("THIRTY_MINUTE", 200),
    "1h": ("ONE_HOUR", 400), "D": ("ONE_DAY", 2000),
}


def _float(value: object) -> float:
    try:
        return float(value) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return 0.0


def _int(value: object) -> int:
    return int(_float(value))


def _levels(rows: object) -> list[DepthLevel]:
    if not isinstance(rows, list):
        return []
    return [DepthLevel(_float(r.get("price")), _int(r.get("quantity")), _int(r.get("orders"))) for r in rows
            if isinstance(r, dict)]


def _feed_time(text: object) -> datetime | None:
    # `exchFeedTime` looks like "21-Mar-2024 13:02:53" (IST).
    if not text:
        return None
    for fmt in ("%d-%b-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(str(text), fmt).replace(tzinfo=IST)
        except ValueError:
            continue
    return None


def _quote(row: dict) -> Quote:
    depth = row.get("depth") or {}
    bids, asks = _levels(depth.get("buy")), _levels(depth.get("sell"))
    return Quote(ltp=_float(row.get("ltp")), open=_float(row.get("open")), high=_float(row.get("high")),
                 low=_float(row.get("low")), prev_close=_float(row.get("close")),
                 bid=bids[0].price if bids else 0.0, ask=asks[0].price if asks else 0.0,
                 volume=_int(row.get("tradeVolume")), oi=_int(row.get("opnInterest")),
                 timestamp=_feed_time(row.get("exchFeedTime")))


def _candle_time(text: str, daily: bool) -> int:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=IST)
    if daily:  # api-v1 §1.10: a day bar is 00:00 UTC of its IST trading date
        local = moment.astimezone(IST).date()
        return int(datetime(local.year, local.month, local.day, tzinfo=UTC).timestamp())
    return int(moment.timestamp())


class AngelDataClient:
    def __init__(self, rest: SmartApiRest, capabilities: Capabilities, now=lambda: datetime.now(IST)) -> None:
        self.rest = rest
        self.capabilities = capabilities
        self._now = now

    @staticmethod
    def _data_exchange(instrument: Instrument) -> str:
        try:
            return DATA_EXCHANGE[instrument.exchange]
        except KeyError:
            raise UnmappedValue(BROKER, "exchange", str(instrument.exchange)) from None

    async def _fetch(self, instruments: Sequence[Instrument], mode: str) -> dict[tuple[str, str], dict]:
        """Rows keyed by (Angel exchange, token), 50 tokens a request."""
        rows: dict[tuple[str, str], dict] = {}
        for offset in range(0, len(instruments), MAX_QUOTE_TOKENS):
            batch: dict[str, list[str]] = {}
            for instrument in instruments[offset:offset + MAX_QUOTE_TOKENS]:
                tokens = batch.setdefault(self._data_exchange(instrument), [])
                if instrument.token not in tokens:
                    tokens.append(instrument.token)
            data = await self.rest.call("POST", QUOTE_PATH, group="quotes", idempotent=True,
                                        body={"mode": mode, "exchangeTokens": batch})
            for row in (data or {}).get("fetched") or []:
                rows[(str(row.get("exchange", "")).upper(), str(row.get("symbolToken", "")))] = row
        return rows

    async def _one(self, instrument: Instrument) -> dict:
        rows = await self._fetch([instrument], "FULL")
        row = rows.get((self._data_exchange(instrument), instrument.token))
        if row is None:
            raise BrokerError(BROKER, f"{DISPLAY} returned no quote for {instrument.exchange}:{instrument.symbol}",
                              404)
        return row

    async def quote(self, instrument: Instrument) -> Quote:
        return _quote(await self._one(instrument))

    async def multiquote(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        unique = list({(i.exchange, i.symbol): i for i in instruments}.values())
        rows = await self._fetch(unique, "FULL")
        result: dict[str, Quote] = {}
        for instrument in unique:
            row = rows.get((self._data_exchange(instrument), instrument.token))
            if row is None:
                log.warning("%s returned no quote for %s:%s", DISPLAY, instrument.exchange, instrument.symbol)
                continue
            result[f"{instrument.exchange}:{instrument.symbol}"] = _quote(row)
        return result

    async def depth(self, instrument: Instrument, levels: int = 5) -> Depth:
        if levels not in self.capabilities.depth_levels:
            raise BrokerError(BROKER, f"{DISPLAY} offers {self.capabilities.depth_levels} depth levels, not {levels}",
                              400)
        row = await self._one(instrument)
        depth = row.get("depth") or {}
        return Depth(quote=_quote(row), bids=_levels(depth.get("buy"))[:levels],
                     asks=_levels(depth.get("sell"))[:levels],
                     total_buy_qty=_int(row.get("totBuyQuan")), total_sell_qty=_int(row.get("totSellQuan")))

    async def _open_interest(self, body: dict, daily: bool) -> dict[int, int]:
        """OI comes from a separate call; if only that fails the candles still stand (OI 0)."""
        try:
            points = await self.rest.call("POST", OI_PATH, group="history", body=body, idempotent=True) or []
        except SessionExpired:
            raise
        except BrokerError as exc:
            log.warning("%s OI for token %s unavailable: %s", DISPLAY, body["symboltoken"], exc.message)
            return {}
        return {_candle_time(p["time"], daily): _int(p.get("oi")) for p in points if isinstance(p, dict) and p.get("time")}

    async def history(self, instrument: Instrument, interval: str, start: date, end: date) -> list[Candle]:
        if interval not in INTERVALS:
            raise BrokerError(BROKER, f"{DISPLAY}: interval {interval!r} is not supported "
                                      f"(use one of {', '.join(INTERVALS)})", 400)
        if start > end:
            raise BrokerError(BROKER, f"{DISPLAY}: start date {start} is after end date {end}", 400)
        name, max_days = INTERVALS[interval]
        daily = interval == "D"
        exchange = self._data_exchange(instrument)
        with_oi = instrument.exchange in DERIVATIVE_EXCHANGES
        now = self._now().astimezone(IST)
        candles: dict[int, Candle] = {}
        chunk_start = start
        while chunk_start <= end:
            chunk_end = min(end, chunk_start + timedelta(days=max_days - 1))
            to_text = (now.strftime("%Y-%m-%d %H:%M") if chunk_end == now.date()
                       else f"{chunk_end.isoformat()} 23:59")
            body = {"exchange": exchange, "symboltoken": instrument.token, "interval": name,
                    "fromdate": f"{chunk_start.isoformat()} 00:00", "todate": to_text}
            rows = await self.rest.call("POST", CANDLE_PATH, group="history", body=body, idempotent=True) or []
            oi: dict[int, int] = {}
            if with_oi and rows:
                oi = await self._open_interest(body, daily)
            for row in rows:
                stamp = _candle_time(row[0], daily)
                candles[stamp] = Candle(stamp, _float(row[1]), _float(row[2]), _float(row[3]), _float(row[4]),
                                        _int(row[5]), oi.get(stamp, 0))
            chunk_start = chunk_end + timedelta(days=1)
        return [candles[key] for key in sorted(candles)]
