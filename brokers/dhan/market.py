"""Dhan's DataClient: quotes and 5-level depth from `/v2/marketfeed/quote`, candles from
`/v2/charts/intraday` (≤90 days per request, chunked) and `/v2/charts/historical`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from brokers.contract.capabilities import Capabilities
from brokers.contract.errors import BrokerError
from brokers.contract.types import Candle, Depth, DepthLevel, Exchange, Instrument, Quote
from brokers.dhan.client import IST, DhanApi, num
from brokers.dhan.errors import body_of, error_of
from brokers.dhan.mapping import BROKER, DATA_SEGMENT

QUOTE_BATCH = 1000  # instruments per marketfeed request (Dhan's cap)
# Our interval → Dhan's intraday `interval` ("D" goes to the daily endpoint). Dhan's 25-minute bars
# have no OpenAlgo interval name, so they are not offered.
INTRADAY = {"1m": "1", "5m": "5", "15m": "15", "1h": "60"}
INTERVALS = (*INTRADAY, "D")
INTRADAY_DAYS = 90  # Dhan's per-request span for intraday candles
DAILY_DAYS = 3650  # no documented cap; chunked anyway so a request stays bounded
HISTORY_MAX_DAYS = {**{name: INTRADAY_DAYS for name in INTRADAY}, "D": DAILY_DAYS}
INDEX_UNDERLYINGS = frozenset({"NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "NIFTYNXT50", "SENSEX", "BANKEX",
                               "SENSEX50"})
DHAN_KINDS = frozenset({"EQUITY", "INDEX", "FUTIDX", "FUTSTK", "OPTIDX", "OPTSTK", "FUTCOM", "OPTFUT", "FUTCUR",
                        "OPTCUR"})


def segment_of(instrument: Instrument) -> str:
    try:
        return DATA_SEGMENT[instrument.exchange]
    except KeyError:
        raise BrokerError(BROKER, f"exchange {instrument.exchange.value} is not offered by Dhan", 400) from None


def dhan_instrument(instrument: Instrument) -> str:
    """Dhan's `instrument` for the charts API, derived like OpenAlgo from exchange and symbol."""
    if instrument.instrumenttype in DHAN_KINDS:
        return instrument.instrumenttype
    exchange = instrument.exchange
    option = instrument.instrumenttype in ("CE", "PE") or instrument.symbol.endswith(("CE", "PE"))
    if exchange in (Exchange.NSE, Exchange.BSE):
        return "EQUITY"
    if exchange in (Exchange.NSE_INDEX, Exchange.BSE_INDEX):
        return "INDEX"
    if exchange in (Exchange.NFO, Exchange.BFO):
        on_index = instrument.name in INDEX_UNDERLYINGS
        return ("OPTIDX" if on_index else "OPTSTK") if option else ("FUTIDX" if on_index else "FUTSTK")
    if exchange == Exchange.MCX:
        return "OPTFUT" if option else "FUTCOM"
    if exchange in (Exchange.CDS, Exchange.BCD):
        return "OPTCUR" if option else "FUTCUR"
    raise BrokerError(BROKER, f"no Dhan instrument kind for {exchange.value}", 400)


def request_body(instruments: Sequence[Instrument]) -> dict[str, list[int]]:
    body: dict[str, list[int]] = {}
    for instrument in instruments:
        ids = body.setdefault(segment_of(instrument), [])
        if int(instrument.token) not in ids:
            ids.append(int(instrument.token))
    return body


def _pick(data: Any, instrument: Instrument) -> dict | None:
    row = ((data or {}).get(segment_of(instrument)) or {}).get(str(instrument.token))
    return row if isinstance(row, dict) else None


async def _marketfeed(api: DhanApi, path: str, instruments: Sequence[Instrument]) -> dict:
    answer = await api.call("POST", path, group="quotes", json=request_body(instruments))
    return answer.get("data") or {} if isinstance(answer, dict) else {}


async def fetch_ltps(api: DhanApi, instruments: Sequence[Instrument]) -> dict[tuple[str, str], float]:
    """Last prices keyed (our exchange, token), batched within Dhan's per-request cap."""
    prices: dict[tuple[str, str], float] = {}
    for start in range(0, len(instruments), QUOTE_BATCH):
        batch = instruments[start:start + QUOTE_BATCH]
        data = await _marketfeed(api, "/v2/marketfeed/ltp", batch)
        for instrument in batch:
            row = _pick(data, instrument)
            if row is not None:
                prices[(instrument.exchange.value, instrument.token)] = num(row.get("last_price", row.get("lastPrice")))
    return prices


def _levels(side: Any) -> list[DepthLevel]:
    return [DepthLevel(num(level.get("price")), int(num(level.get("quantity"))), int(num(level.get("orders"))))
            for level in (side or []) if isinstance(level, dict)]


def _quote_time(text: Any) -> datetime | None:
    if isinstance(text, str):
        for pattern in ("%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(text, pattern).replace(tzinfo=IST)
            except ValueError:
                continue
    return None


def parse_quote(row: dict) -> Depth:
    """Dhan's quote object (snake_case in the docs; camelCase variants seen) → Depth with its Quote."""
    ohlc = row.get("ohlc") or {}
    depth = row.get("depth") or {}
    bids, asks = _levels(depth.get("buy")), _levels(depth.get("sell"))
    quote = Quote(
        ltp=num(row.get("last_price", row.get("lastPrice"))), open=num(ohlc.get("open")), high=num(ohlc.get("high")),
        low=num(ohlc.get("low")), prev_close=num(ohlc.get("close")),
        bid=bids[0].price if bids else 0.0, ask=asks[0].price if asks else 0.0,
        volume=int(num(row.get("volume"))), oi=int(num(row.get("oi"))),
        timestamp=_quote_time(row.get("last_trade_time", row.get("lastTradeTime"))),
    )
    # OpenAlgo's depth totals are sums of the levels shown.
    return Depth(quote, bids, asks, total_buy_qty=sum(level.quantity for level in bids),
                 total_sell_qty=sum(level.quantity for level in asks))


class DhanData:
    def __init__(self, api: DhanApi, capabilities: Capabilities) -> None:
        self.api = api
        self.capabilities = capabilities

    async def _depths(self, instruments: Sequence[Instrument]) -> dict[str, Depth]:
        found: dict[str, Depth] = {}
        for start in range(0, len(instruments), QUOTE_BATCH):
            batch = instruments[start:start + QUOTE_BATCH]
            data = await _marketfeed(self.api, "/v2/marketfeed/quote", batch)
            for instrument in batch:
                row = _pick(data, instrument)
                if row is not None:
                    found[f"{instrument.exchange.value}:{instrument.symbol}"] = parse_quote(row)
        return found

    async def _one(self, instrument: Instrument) -> Depth:
        found = (await self._depths([instrument])).get(f"{instrument.exchange.value}:{instrument.symbol}")
        if found is None:
            raise BrokerError(BROKER, f"no quote for {instrument.exchange.value}:{instrument.symbol}", 502)
        return found

    async def quote(self, instrument: Instrument) -> Quote:
        return (await self._one(instrument)).quote

    async def multiquote(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        return {key: depth.quote for key, depth in (await self._depths(list(instruments))).items()}

    async def depth(self, instrument: Instrument) -> Depth:
        return await self._one(instrument)

    async def history(self, instrument: Instrument, interval: str, start: date, end: date) -> list[Candle]:
        if interval not in INTERVALS:
            raise BrokerError(BROKER, f"Interval '{interval}' is not supported. Supported intervals: "
                              f"{', '.join(INTERVALS)}", 400)
        if end < start:
            raise BrokerError(BROKER, "end_date must not be before start_date", 400)
        daily = interval == "D"
        base = {"securityId": str(instrument.token), "exchangeSegment": segment_of(instrument),
                "instrument": dhan_instrument(instrument), "oi": True}
        span = DAILY_DAYS if daily else INTRADAY_DAYS
        candles: dict[int, Candle] = {}
        chunk_start = start
        while chunk_start <= end:
            # Dhan's toDate is exclusive: a chunk of `span - 1` days plus the exclusive bound is `span`.
            chunk_end = min(end, chunk_start + timedelta(days=span - 1))
            body = {**base, "fromDate": chunk_start.isoformat(), "toDate": (chunk_end + timedelta(days=1)).isoformat()}
            if daily:
                body["expiryCode"] = 0
            else:
                body["interval"] = INTRADAY[interval]
            path = "/v2/charts/historical" if daily else "/v2/charts/intraday"
            answer = await self.api.call("POST", path, group="history", json=body, allow_error=_no_data)
            for candle in columns_to_candles(answer, daily):
                day = datetime.fromtimestamp(candle.timestamp, UTC if daily else IST).date()
                if start <= day <= end:
                    candles[candle.timestamp] = candle
            chunk_start = chunk_end + timedelta(days=1)
        return [candles[key] for key in sorted(candles)]


def _no_data(response) -> dict | None:
    """Dhan answers a window without candles (a weekend, a holiday) with DH-907, not an empty set."""
    error = error_of(body_of(response))
    return {} if error is not None and error[0] == "DH-907" else None


def columns_to_candles(answer: Any, daily: bool) -> list[Candle]:
    """Dhan's columnar answer → candles. Intraday stamps stay true epoch seconds; a daily stamp
    becomes 00:00 UTC of its IST trading date (OpenAlgo's daily-candle convention)."""
    if not isinstance(answer, dict):
        return []
    stamps = answer.get("timestamp") or []
    columns = {name: answer.get(name) or [] for name in ("open", "high", "low", "close", "volume", "open_interest")}
    out = []
    for index, stamp in enumerate(stamps):
        def at(name: str, i: int = index) -> float:
            values = columns[name]
            return num(values[i]) if i < len(values) else 0.0
        epoch = int(num(stamp))
        if daily:
            day = datetime.fromtimestamp(epoch, IST).date()
            epoch = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        out.append(Candle(epoch, at("open"), at("high"), at("low"), at("close"), int(at("volume")),
                          int(at("open_interest"))))
    return out
