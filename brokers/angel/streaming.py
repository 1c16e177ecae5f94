"""SmartStream v2: Angel's market-data WebSocket (reference §6).

JSON text subscribe/unsubscribe messages; binary little-endian packets, one per frame: LTP 51
bytes, Quote 123, Snap Quote 379 (Quote + OI + best five each side). Heartbeat: the text `ping`
every 10 s, answered by `pong`.

Depth-20 is mode 4 of the same socket, for NSE cash only and at most 50 tokens a connection. An
adapter built with `depth_levels=20` subscribes DEPTH in mode 4 and nothing else; its 443-byte
packets (layout as in OpenAlgo and the SDK, not confirmed by SmartAPI's docs) carry the same
27-byte head, a sequence number, the time the packet was made, then 20 bid and 20 ask records of
quantity i32, price i32 (paise), orders i16 — the book alone, which the hub's pool lays over the
main connection's Snap Quote.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Iterable
from datetime import UTC, datetime

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from brokers.angel.wire import BROKER, DISPLAY
from brokers.common.feed import FeedCallbacks
from brokers.contract.errors import BrokerError, BrokerUnavailable, SessionExpired
from brokers.contract.types import Depth, DepthLevel, Exchange, FeedMode, Instrument, Quote, Tick

log = logging.getLogger("algogate.brokers.angel")

# SmartStream exchange types; indices stream under their cash segment.
EXCHANGE_TYPES: dict[Exchange, int] = {
    Exchange.NSE: 1, Exchange.NSE_INDEX: 1, Exchange.NFO: 2, Exchange.BSE: 3, Exchange.BSE_INDEX: 3,
    Exchange.BFO: 4, Exchange.MCX: 5, Exchange.MCX_INDEX: 5, Exchange.NCDEX: 7, Exchange.CDS: 13,
}
# Our feed modes → SmartStream modes (DEPTH is Snap Quote's best five).
MODES: dict[FeedMode, int] = {FeedMode.LTP: 1, FeedMode.QUOTE: 2, FeedMode.DEPTH: 3}
DEPTH20_MODE = 4
DEPTH20_LEVELS, DEPTH20_MAX_TOKENS = 20, 50
DEPTH20_EXCHANGES = frozenset({Exchange.NSE})
_OUR_MODE = {**{value: key for key, value in MODES.items()}, DEPTH20_MODE: FeedMode.DEPTH}
CURRENCY_TYPE = 13

LTP_SIZE, QUOTE_SIZE, SNAP_SIZE = 51, 123, 379
_HEADER = struct.Struct("<BB25sqqq")  # mode, exchange type, token, sequence, exchange ms, ltp
_QUOTE = struct.Struct("<qqqddqqqq")  # ltq, avg price, volume, tot buy, tot sell, open, high, low, close
_SNAP = struct.Struct("<qqq")  # last trade time, OI, OI change
_LEVEL = struct.Struct("<hqqh")  # side flag (1 buy / 0 sell), qty, price, orders
_SNAP_LEVELS_AT = QUOTE_SIZE + _SNAP.size  # 147
_DEPTH20_HEAD = struct.Struct("<BB25sqq")  # mode, exchange type, token, sequence, packet time (ms)
_DEPTH20_LEVEL = struct.Struct("<iih")  # quantity, price (paise), orders
DEPTH20_SIZE = _DEPTH20_HEAD.size + 2 * DEPTH20_LEVELS * _DEPTH20_LEVEL.size  # 443


def divisor(exchange_type: int) -> float:
    # Currency prices carry more decimals (reference §6.3: ÷10^7 for cde_fo).
    return 1e7 if exchange_type == CURRENCY_TYPE else 100.0


def parse_packet(frame: bytes) -> dict | None:
    """Decode one binary frame into plain fields (prices already divided); None if too short."""
    if frame[:1] == bytes((DEPTH20_MODE,)):
        return _parse_depth20(frame)
    if len(frame) < LTP_SIZE:
        return None
    mode, exchange_type, raw_token, sequence, exchange_ms, ltp = _HEADER.unpack_from(frame, 0)
    scale = divisor(exchange_type)
    packet = {"mode": mode, "exchange_type": exchange_type, "token": raw_token.split(b"\0", 1)[0].decode("ascii"),
              "sequence": sequence, "timestamp_ms": exchange_ms, "ltp": ltp / scale}
    if mode >= 2 and len(frame) >= QUOTE_SIZE:
        ltq, avg, volume, total_buy, total_sell, open_, high, low, close = _QUOTE.unpack_from(frame, LTP_SIZE)
        packet.update(last_quantity=ltq, average_price=avg / scale, volume=volume, total_buy=int(total_buy),
                      total_sell=int(total_sell), open=open_ / scale, high=high / scale, low=low / scale,
                      close=close / scale)
    if mode == 3 and len(frame) >= SNAP_SIZE:
        _, oi, _ = _SNAP.unpack_from(frame, QUOTE_SIZE)
        bids, asks = [], []
        for index in range(10):
            flag, quantity, price, orders = _LEVEL.unpack_from(frame, _SNAP_LEVELS_AT + index * _LEVEL.size)
            level = DepthLevel(price / scale, quantity, orders)
            (bids if flag == 1 else asks).append(level)  # trust the flag, not the record order
        packet.update(oi=oi, bids=bids, asks=asks)
    return packet


def _parse_depth20(frame: bytes) -> dict | None:
    if len(frame) < DEPTH20_SIZE:
        return None
    mode, exchange_type, raw_token, sequence, made_ms = _DEPTH20_HEAD.unpack_from(frame, 0)
    scale = divisor(exchange_type)
    rows = [_DEPTH20_LEVEL.unpack_from(frame, _DEPTH20_HEAD.size + index * _DEPTH20_LEVEL.size)
            for index in range(2 * DEPTH20_LEVELS)]
    levels = [DepthLevel(price / scale, quantity, orders) for quantity, price, orders in rows]
    return {"mode": mode, "exchange_type": exchange_type, "token": raw_token.split(b"\0", 1)[0].decode("ascii"),
            "sequence": sequence, "timestamp_ms": made_ms, "ltp": 0.0, "bids": levels[:DEPTH20_LEVELS],
            "asks": levels[DEPTH20_LEVELS:]}


def to_tick(packet: dict, instrument: Instrument) -> Tick | None:
    mode = _OUR_MODE.get(packet["mode"])
    if mode is None:
        return None
    tick = Tick(str(instrument.exchange), instrument.symbol, mode, packet["ltp"], packet["timestamp_ms"])
    if mode >= FeedMode.QUOTE and "volume" in packet:
        tick.volume, tick.open, tick.high = packet["volume"], packet["open"], packet["high"]
        tick.low, tick.close, tick.average_price = packet["low"], packet["close"], packet["average_price"]
        tick.last_quantity = packet["last_quantity"]
        tick.total_buy_quantity, tick.total_sell_quantity = packet["total_buy"], packet["total_sell"]
    if mode == FeedMode.DEPTH and "bids" in packet:
        bids, asks = packet["bids"], packet["asks"]
        tick.oi = packet.get("oi", 0)  # depth-20 packets carry the book only
        if bids:
            tick.bid, tick.bid_qty = bids[0].price, bids[0].quantity
        if asks:
            tick.ask, tick.ask_qty = asks[0].price, asks[0].quantity
        quote = Quote(ltp=tick.ltp, open=tick.open, high=tick.high, low=tick.low, prev_close=tick.close,
                      bid=tick.bid, ask=tick.ask, volume=tick.volume, oi=tick.oi,
                      timestamp=datetime.fromtimestamp(tick.timestamp_ms / 1000, UTC))
        tick.depth = Depth(quote, bids, asks, tick.total_buy_quantity, tick.total_sell_quantity)
    return tick


class SmartStreamAdapter(FeedCallbacks):
    """One SmartStream connection (a `StreamingAdapter` with the optional `on_disconnect` hook)."""

    def __init__(self, url: str, *, jwt: str, api_key: str, client_code: str, feed_token: str,
                 max_tokens: int = 1000, max_per_message: int = 100, heartbeat_seconds: float = 10.0,
                 depth_levels: int | None = None) -> None:
        if depth_levels not in (None, DEPTH20_LEVELS):
            raise BrokerError(BROKER, f"{DISPLAY} streams 5 or {DEPTH20_LEVELS} depth levels, not {depth_levels}", 400)
        self.url = url
        self.depth_levels = depth_levels
        # A depth-20 connection: DEPTH in mode 4 only, NSE cash only, 50 tokens at most.
        self._modes_of = MODES if depth_levels is None else {FeedMode.DEPTH: DEPTH20_MODE}
        if depth_levels is not None:
            max_tokens = min(max_tokens, DEPTH20_MAX_TOKENS)
        self._headers = {"Authorization": jwt, "x-api-key": api_key, "x-client-code": client_code,
                         "x-feed-token": feed_token}
        self.max_tokens = max_tokens
        self.max_per_message = max_per_message
        self.heartbeat_seconds = heartbeat_seconds
        self._ws: ClientConnection | None = None
        self._tasks: list[asyncio.Task] = []
        super().__init__(f"{DISPLAY} feed")
        # (exchange type, token) → instrument, and the SmartStream modes it is subscribed in.
        self._instruments: dict[tuple[int, str], Instrument] = {}
        self._modes: dict[tuple[int, str], set[int]] = {}
        self._closing = False
        self._correlation = 0
        self.errors: list[dict] = []

    # --- the StreamingAdapter contract ------------------------------------------------------------
    async def connect(self) -> None:
        if self._ws is not None:
            return
        self._closing = False
        try:
            self._ws = await connect(self.url, additional_headers=self._headers, ping_interval=20, ping_timeout=20,
                                     open_timeout=10, close_timeout=2, max_size=2 ** 20)
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                raise SessionExpired(BROKER, f"{DISPLAY} feed refused the session (HTTP {status}); log in again") \
                    from exc
            raise BrokerUnavailable(BROKER, f"{DISPLAY} feed answered HTTP {status}") from exc
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise BrokerUnavailable(BROKER, f"cannot reach the {DISPLAY} feed ({type(exc).__name__})") from exc
        self._tasks = [asyncio.create_task(self._read(self._ws), name="angel-feed-reader"),
                       asyncio.create_task(self._heartbeat(self._ws), name="angel-feed-heartbeat")]

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        await self._send_tokens(instruments, mode, action=1)

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        await self._send_tokens(instruments, mode, action=0)

    async def close(self) -> None:
        self._closing = True
        tasks, self._tasks = self._tasks, []
        ws, self._ws = self._ws, None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()

    # --- subscriptions --------------------------------------------------------------------------
    @property
    def subscriptions(self) -> dict[tuple[int, str], set[int]]:
        return {key: set(modes) for key, modes in self._modes.items() if modes}

    async def _send_tokens(self, instruments: Iterable[Instrument], mode: FeedMode, action: int) -> None:
        smart_mode = self._modes_of.get(FeedMode(mode))
        if smart_mode is None:
            raise BrokerError(BROKER, f"a {DISPLAY} depth-20 connection streams market depth only", 400)
        keys: list[tuple[int, str]] = []
        for instrument in instruments:
            exchange_type = EXCHANGE_TYPES.get(instrument.exchange)
            if exchange_type is None:
                raise BrokerError(BROKER, f"{DISPLAY} does not stream {instrument.exchange}", 400)
            if self.depth_levels is not None and instrument.exchange not in DEPTH20_EXCHANGES:
                raise BrokerError(BROKER, f"{DISPLAY} offers 20-level depth on NSE only, not {instrument.exchange}",
                                  400)
            key = (exchange_type, instrument.token)
            if action == 1:
                self._instruments[key] = instrument
            keys.append(key)
        if action == 1:
            active = {k for k, modes in self._modes.items() if modes} | set(keys)
            if len(active) > self.max_tokens:
                raise BrokerError(BROKER, f"{DISPLAY} allows {self.max_tokens} tokens per connection", 400)
        if self._ws is None:
            if action == 0:  # nothing to tell a closed socket; just forget the tokens
                for key in keys:
                    self._modes.get(key, set()).discard(smart_mode)
                return
            raise BrokerUnavailable(BROKER, f"{DISPLAY} feed is not connected")
        for offset in range(0, len(keys), self.max_per_message):
            batch = keys[offset:offset + self.max_per_message]
            grouped: dict[int, list[str]] = {}
            for exchange_type, token in batch:
                grouped.setdefault(exchange_type, []).append(token)
            self._correlation += 1
            message = {"correlationID": f"ag{self._correlation:08d}"[:10], "action": action,
                       "params": {"mode": smart_mode, "tokenList": [
                           {"exchangeType": et, "tokens": tokens} for et, tokens in grouped.items()]}}
            try:
                await self._ws.send(orjson.dumps(message).decode())
            except ConnectionClosed as exc:
                raise BrokerUnavailable(BROKER, f"{DISPLAY} feed closed while subscribing") from exc
        for key in keys:
            modes = self._modes.setdefault(key, set())
            (modes.add if action == 1 else modes.discard)(smart_mode)

    # --- background tasks -------------------------------------------------------------------------
    async def _heartbeat(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(self.heartbeat_seconds)
                await ws.send("ping")

    async def _read(self, ws: ClientConnection) -> None:
        reason = "closed by the server"
        try:
            async for frame in ws:
                if isinstance(frame, bytes):
                    await self._on_binary(frame)
                else:
                    self._on_text(frame)
        except ConnectionClosed as exc:
            reason = f"connection lost ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a decoder bug must surface as a reconnect, not a dead feed
            log.exception("%s feed reader failed", DISPLAY)
            reason = f"reader failed: {type(exc).__name__}"
        if not self._closing:
            self._emit_disconnect(reason)

    def _on_text(self, text: str) -> None:
        if text.strip().lower() == "pong":
            return
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            log.debug("%s feed sent unexpected text", DISPLAY)
            return
        if isinstance(message, dict) and message.get("errorCode"):
            self.errors.append(message)
            log.warning("%s feed error %s: %s", DISPLAY, message.get("errorCode"), message.get("errorMessage"))

    async def _on_binary(self, frame: bytes) -> None:
        packet = parse_packet(frame)
        if packet is None:
            return
        instrument = self._instruments.get((packet["exchange_type"], packet["token"]))
        if instrument is None:
            return  # a late packet for something just unsubscribed
        tick = to_tick(packet, instrument)
        if tick is None:
            return
        await self._emit_tick(tick)
