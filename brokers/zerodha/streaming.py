"""Kite's market-data WebSocket as a StreamingAdapter: one connection, JSON text commands out,
binary frames in (see `ticker.py`), normalised into OpenAlgo ticks.

Each token carries exactly one Kite mode (`ltp`, `quote`, `full`); the hub's pool gives one mode
per symbol and downgrades by unsubscribe + subscribe, which maps onto that directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Iterable
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from brokers.common.feed import FeedCallbacks
from brokers.contract.errors import BrokerUnavailable, SessionExpired
from brokers.contract.types import Depth, DepthLevel, FeedMode, Instrument, Quote, Tick
from brokers.zerodha.api import BROKER, KITE_VERSION
from brokers.zerodha.market import instrument_token
from brokers.zerodha.ticker import Packet, parse_frame

log = logging.getLogger("algogate.brokers.zerodha")

KITE_MODES = {FeedMode.LTP: "ltp", FeedMode.QUOTE: "quote", FeedMode.DEPTH: "full"}
PACKET_MODES = {"ltp": FeedMode.LTP, "quote": FeedMode.QUOTE, "index_quote": FeedMode.QUOTE,
                "full": FeedMode.DEPTH, "index_full": FeedMode.DEPTH}
SUBSCRIBE_BATCH = 200


def _levels(rows: list[tuple[float, int, int]]) -> list[DepthLevel]:
    return [DepthLevel(price, quantity, orders) for price, quantity, orders in rows]


def to_tick(packet: Packet, instrument: Instrument, subscribed: FeedMode, now_ms: int) -> Tick:
    mode = min(PACKET_MODES[packet.kind], subscribed)
    stamp = packet.exchange_time or packet.last_trade_time
    tick = Tick(str(instrument.exchange), instrument.symbol, mode, packet.ltp,
                stamp * 1000 if stamp else now_ms)
    if packet.kind == "ltp":
        return tick
    tick.open, tick.high, tick.low, tick.close = packet.open, packet.high, packet.low, packet.close
    tick.volume, tick.average_price, tick.last_quantity = packet.volume, packet.average_price, packet.last_quantity
    tick.total_buy_quantity, tick.total_sell_quantity, tick.oi = (
        packet.total_buy_quantity, packet.total_sell_quantity, packet.oi)
    if packet.bids:
        tick.bid, tick.bid_qty = packet.bids[0][0], packet.bids[0][1]
    if packet.asks:
        tick.ask, tick.ask_qty = packet.asks[0][0], packet.asks[0][1]
    if mode == FeedMode.DEPTH and packet.kind == "full":
        bids, asks = _levels(packet.bids), _levels(packet.asks)
        quote = Quote(ltp=packet.ltp, open=packet.open, high=packet.high, low=packet.low, prev_close=packet.close,
                      bid=tick.bid, ask=tick.ask, volume=packet.volume, oi=packet.oi)
        tick.depth = Depth(quote, bids, asks, total_buy_qty=packet.total_buy_quantity,
                           total_sell_qty=packet.total_sell_quantity)
    return tick


class ZerodhaStreamingAdapter(FeedCallbacks):
    def __init__(self, feed_url: str, api_key: str, access_token: str, *, ping_interval: float = 30.0,
                 ping_timeout: float = 10.0, idle_timeout: float = 90.0, batch: int = SUBSCRIBE_BATCH) -> None:
        self._url = f"{feed_url}?{urlencode({'api_key': api_key, 'access_token': access_token})}"
        self.ping_interval, self.ping_timeout, self.idle_timeout = ping_interval, ping_timeout, idle_timeout
        self.batch = batch
        self._subscriptions: dict[int, tuple[Instrument, FeedMode]] = {}
        super().__init__("zerodha feed")
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._closing = False
        self.frames = 0  # binary frames received, heartbeats included

    # --- the StreamingAdapter contract --------------------------------------------------------
    async def connect(self) -> None:
        try:
            self._ws = await connect(
                self._url, additional_headers={"X-Kite-Version": KITE_VERSION}, open_timeout=10, close_timeout=2,
                ping_interval=self.ping_interval, ping_timeout=self.ping_timeout, max_size=2**22,
            )
        except InvalidStatus as exc:
            if exc.response.status_code in (401, 403):
                raise SessionExpired(BROKER, "market-data feed refused the token; log in again") from None
            raise BrokerUnavailable(BROKER, f"market-data feed answered HTTP {exc.response.status_code}") from None
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise BrokerUnavailable(BROKER, f"cannot reach the market-data feed ({type(exc).__name__})") from None
        self._closing = False
        self._reader = asyncio.create_task(self._read(self._ws), name="zerodha-ticker")
        if self._subscriptions:  # subscriptions made before connect go out now
            by_mode: dict[FeedMode, list[int]] = {}
            for token, (_, mode) in self._subscriptions.items():
                by_mode.setdefault(mode, []).append(token)
            for mode, tokens in by_mode.items():
                await self._send_subscribe(tokens, mode)

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        mode = FeedMode(mode)
        tokens = []
        for instrument in instruments:
            token = int(instrument_token(instrument))
            self._subscriptions[token] = (instrument, mode)
            tokens.append(token)
        if self._ws is not None and tokens:
            await self._send_subscribe(tokens, mode)

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        tokens = [token for token in (int(instrument_token(i)) for i in instruments)
                  if self._subscriptions.pop(token, None) is not None]
        if self._ws is not None:
            for start in range(0, len(tokens), self.batch):
                await self._send({"a": "unsubscribe", "v": tokens[start:start + self.batch]})

    async def close(self) -> None:
        self._closing = True
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    # --- wire --------------------------------------------------------------------------------
    @property
    def subscriptions(self) -> dict[int, FeedMode]:
        return {token: mode for token, (_, mode) in self._subscriptions.items()}

    async def _send(self, message: dict) -> None:
        if self._ws is None:
            return
        try:
            await self._ws.send(json.dumps(message))
        except ConnectionClosed as exc:
            raise BrokerUnavailable(BROKER, "market-data feed connection closed") from exc

    async def _send_subscribe(self, tokens: list[int], mode: FeedMode) -> None:
        for start in range(0, len(tokens), self.batch):
            chunk = tokens[start:start + self.batch]
            await self._send({"a": "subscribe", "v": chunk})
            await self._send({"a": "mode", "v": [KITE_MODES[mode], chunk]})

    async def _read(self, ws: ClientConnection) -> None:
        reason = "connection lost"
        try:
            while True:
                # Kite sends a 1-byte heartbeat every few seconds: silence this long is a dead socket.
                async with asyncio.timeout(self.idle_timeout):
                    message = await ws.recv()
                if isinstance(message, bytes):
                    self.frames += 1
                    await self._dispatch(message)
                else:
                    self._notice(message)
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            reason = f"no data for {self.idle_timeout:.0f}s"
            await ws.close()
        except ConnectionClosed as exc:
            reason = f"closed by the broker (code {exc.rcvd.code if exc.rcvd else 'none'})"
        except Exception as exc:  # a bug in decoding must still surface as a disconnect
            log.exception("zerodha ticker reader failed")
            reason = f"reader failed: {type(exc).__name__}"
            await ws.close()
        if not self._closing:
            self._ws = None
            self._emit_disconnect(reason)

    async def _dispatch(self, frame: bytes) -> None:
        now_ms = int(time.time() * 1000)
        for packet in parse_frame(frame):
            entry = self._subscriptions.get(packet.token)
            if entry is None:
                continue
            tick = to_tick(packet, entry[0], entry[1], now_ms)
            await self._emit_tick(tick)

    @staticmethod
    def _notice(text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            return
        if isinstance(message, dict) and message.get("type") == "error":
            log.warning("zerodha ticker error notice: %s", message.get("data"))
