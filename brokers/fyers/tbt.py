"""Fyers' TBT socket: 50-level market depth (protobuf), NSE and NFO, its own connections.

Connect with the header `authorization: <app_id>:<access_token>`. Requests are JSON text:
subscribe `{"type": 1, "data": {"subs": 1, "symbols": [...], "mode": "depth", "channel": "1"}}`
(`subs: -1` unsubscribes), and a channel carries data only once resumed:
`{"type": 2, "data": {"resumeChannels": ["1"], "pauseChannels": []}}`, sent after every
subscribe. Keep-alive: the text "ping" every 10 s (the server answers "pong"). The server's text
frames are acks and errors; its binary frames are `SocketMessage`s whose `feeds` map (keyed by a
numeric token, the ticker inside) carries `depth`: the first message per ticker is a snapshot,
later ones are diffs that set only what changed. Prices are paise.

Each tick carries only the book (`ltp` 0): the hub's pool lays it over the HSM feed's quote.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Iterable

import websockets
from websockets.asyncio.client import ClientConnection

from brokers.common.feed import FeedCallbacks
from brokers.contract.errors import BrokerError, BrokerUnavailable
from brokers.contract.types import Depth, DepthLevel, Exchange, FeedMode, Instrument, Quote, Tick
from brokers.fyers.api import BROKER
from brokers.fyers.streaming import open_socket
from brokers.fyers.tbt_proto import SocketMessage

log = logging.getLogger("algogate.brokers.fyers")

LEVELS = 50
EXCHANGES = frozenset({Exchange.NSE, Exchange.NFO})
# Fyers' TBT limits as published (uncertain): 5 symbols per connection in depth mode, 3 connections.
MAX_SYMBOLS = 5
MAX_CONNECTIONS = 3
CHANNEL = "1"
KEEPALIVE_SECONDS = 10.0


class Book:
    """One ticker's 50 bid and ask slots (price in paise, quantity, orders), patched by diffs."""

    __slots__ = ("bids", "asks", "tbq", "tsq")

    def __init__(self) -> None:
        self.bids = [[0, 0, 0] for _ in range(LEVELS)]
        self.asks = [[0, 0, 0] for _ in range(LEVELS)]
        self.tbq = self.tsq = 0

    def apply(self, depth) -> None:
        """A field is overwritten only when present and non-zero (diffs leave the rest unset)."""
        if depth.HasField("tbq"):
            self.tbq = depth.tbq.value
        if depth.HasField("tsq"):
            self.tsq = depth.tsq.value
        for slots, levels in ((self.bids, depth.bids), (self.asks, depth.asks)):
            for slot, level in zip(slots, levels, strict=False):
                for index, name in enumerate(("price", "qty", "nord")):
                    if level.HasField(name) and getattr(level, name).value:
                        slot[index] = getattr(level, name).value

    def levels(self, slots: list[list[int]]) -> list[DepthLevel]:
        return [DepthLevel(price / 100, qty, orders) for price, qty, orders in slots if price > 0]


class FyersTbtAdapter(FeedCallbacks):
    """A 50-level depth connection: DEPTH subscriptions only (the pool never asks for others)."""

    def __init__(self, url: str, app_id: str, access_token: str, keepalive_seconds: float = KEEPALIVE_SECONDS) -> None:
        self.url = url
        self._authorization = f"{app_id}:{access_token}"
        self.keepalive_seconds = keepalive_seconds
        self._ws: ClientConnection | None = None
        self._tasks: list[asyncio.Task] = []
        super().__init__("fyers depth feed")
        self._subs: dict[str, Instrument] = {}  # Fyers ticker ("NSE:SBIN-EQ") → instrument
        self._books: dict[str, Book] = {}
        self._tickers: dict[str, str] = {}  # feed token → ticker (diffs may omit the ticker)
        self._closing = False
        self.connected = False

    # --- StreamingAdapter ---------------------------------------------------------------------
    async def connect(self) -> None:
        self._ws = await open_socket(self.url, self._authorization, "depth feed", open_timeout=10)
        self.connected = True
        self._tasks = [asyncio.create_task(self._read(self._ws), name="fyers-tbt-reader"),
                       asyncio.create_task(self._keepalive(self._ws), name="fyers-tbt-keepalive")]

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        if mode != FeedMode.DEPTH:
            raise BrokerError(BROKER, "the TBT socket streams market depth only", 400)
        tickers = []
        for instrument in instruments:
            if instrument.exchange not in EXCHANGES:
                raise BrokerError(BROKER, f"50-level depth is not offered on {instrument.exchange.value}", 400)
            self._subs[instrument.brsymbol] = instrument
            tickers.append(instrument.brsymbol)
        await self._send({"type": 1, "data": {"subs": 1, "symbols": tickers, "mode": "depth", "channel": CHANNEL}})
        await self._send({"type": 2, "data": {"resumeChannels": [CHANNEL], "pauseChannels": []}})

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        tickers = [instrument.brsymbol for instrument in instruments]
        for ticker in tickers:
            self._subs.pop(ticker, None)
            self._books.pop(ticker, None)
        await self._send({"type": 1, "data": {"subs": -1, "symbols": tickers, "mode": "depth", "channel": CHANNEL}})

    async def close(self) -> None:
        self._closing = True
        self.connected = False
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._ws = None

    # --- internals ------------------------------------------------------------------------------
    async def _send(self, message: dict) -> None:
        if self._ws is None or not self.connected:
            raise BrokerUnavailable(BROKER, "the depth feed is not connected")
        try:
            await self._ws.send(json.dumps(message))
        except websockets.ConnectionClosed:
            raise BrokerUnavailable(BROKER, "the depth feed closed") from None

    async def _keepalive(self, ws: ClientConnection) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.sleep(self.keepalive_seconds)
                await ws.send("ping")

    async def _read(self, ws: ClientConnection) -> None:
        reason = "connection closed"
        try:
            async for frame in ws:
                if isinstance(frame, str):
                    self._text(frame)
                    continue
                for tick in self._ticks(frame):
                    await self._emit_tick(tick)
        except websockets.ConnectionClosed as exc:
            reason = f"closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
        except Exception as exc:  # never end silently: the pool must hear about it and rebuild
            reason = f"reader failed: {type(exc).__name__}"
            log.exception("fyers depth feed reader failed")
        else:
            if ws.close_code is not None:
                reason = f"closed ({ws.close_code})"
        self.connected = False
        if not self._closing:
            self._emit_disconnect(reason)

    @staticmethod
    def _text(frame: str) -> None:
        if frame == "pong":
            return
        try:
            answer = json.loads(frame)
        except ValueError:
            return
        if isinstance(answer, dict) and answer.get("error"):
            log.warning("fyers depth feed: %s", answer.get("msg") or answer)

    def _ticks(self, frame: bytes) -> list[Tick]:
        try:
            message = SocketMessage.FromString(frame)
        except Exception:  # a corrupt frame is skipped, the socket stays
            log.warning("fyers depth feed: undecodable frame skipped")
            return []
        ticks = []
        for token, feed in message.feeds.items():
            ticker = feed.ticker or self._tickers.get(token, "")
            if feed.ticker:
                self._tickers[token] = feed.ticker
            instrument = self._subs.get(ticker)
            if instrument is None or not feed.HasField("depth"):
                continue
            book = self._books.get(ticker)
            if book is None or feed.snapshot or message.snapshot:
                book = self._books[ticker] = Book()
            book.apply(feed.depth)
            ticks.append(self._tick(instrument, book, feed))
        return ticks

    @staticmethod
    def _tick(instrument: Instrument, book: Book, feed) -> Tick:
        bids, asks = book.levels(book.bids), book.levels(book.asks)
        best_bid = bids[0] if bids else DepthLevel(0.0, 0)
        best_ask = asks[0] if asks else DepthLevel(0.0, 0)
        # feed_time's unit is not documented: the receipt time instead (the pool keeps the HSM's anyway)
        return Tick(exchange=instrument.exchange.value, symbol=instrument.symbol, mode=FeedMode.DEPTH, ltp=0.0,
                    timestamp_ms=int(time.time() * 1000), bid=best_bid.price, ask=best_ask.price, bid_qty=best_bid.quantity,
                    ask_qty=best_ask.quantity, total_buy_quantity=book.tbq, total_sell_quantity=book.tsq,
                    depth=Depth(Quote(ltp=0.0), bids, asks, book.tbq, book.tsq))

    async def _deliver(self, tick: Tick) -> None:
        await self._emit_tick(tick)
