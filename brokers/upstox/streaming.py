"""The Market Data Feed V3 adapter: authorize → WebSocket, JSON requests sent as binary frames,
protobuf `FeedResponse` frames in, normalised `Tick`s out."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from google.protobuf.message import DecodeError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from brokers.common.feed import FeedCallbacks
from brokers.contract.errors import BrokerError, BrokerUnavailable, UnmappedValue
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import Depth, DepthLevel, FeedMode, Instrument, Quote, Tick
from brokers.upstox.api import BROKER, UpstoxApi
from brokers.upstox.feed_proto import FeedResponse
from brokers.upstox.mapping import exchange_of_key

log = logging.getLogger("algogate.brokers.upstox.feed")

# OpenAlgo's mode mapping: LTP → ltpc; Quote and Depth → full (5 levels).
WIRE_MODE = {FeedMode.LTP: "ltpc", FeedMode.QUOTE: "full", FeedMode.DEPTH: "full"}
DEPTH_LEVELS = 5


def _feed_url(authorized: str, override: str | None) -> str:
    """The authorized URL carries a single-use code; an override only swaps its scheme and host."""
    if not override:
        return authorized
    base, url = urlsplit(override), urlsplit(authorized)
    return urlunsplit((base.scheme, base.netloc, url.path, url.query, ""))


def _ohlc(bars: Any) -> Any:
    for bar in bars:
        if bar.interval == "1d":
            return bar
    return bars[0] if len(bars) else None


class UpstoxStreamingAdapter(FeedCallbacks):
    def __init__(self, api: UpstoxApi, instruments: InstrumentLookup, *, feed_override: str | None = None,
                 max_per_subscribe: int = 1000, ping_interval: float = 30.0, ping_timeout: float = 10.0) -> None:
        self.api = api
        self.instruments = instruments
        self.feed_override = feed_override
        self.max_per_subscribe = max(1, max_per_subscribe)
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self._subs: dict[str, tuple[Instrument, FeedMode]] = {}
        self._ltpc: dict[str, tuple[float, int, int, float]] = {}  # last LTPC per key, carried forward
        super().__init__("upstox feed")
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._closing = False
        self.market_status: dict[str, str] = {}
        self.connected = False

    # --- the StreamingAdapter contract ------------------------------------------------------------
    async def connect(self) -> None:
        if self._ws is not None:
            return
        self._closing = False
        # A fresh single-use URL for every (re)connect.
        data = await self.api.get("/v3/feed/market-data-feed/authorize") or {}
        authorized = data.get("authorized_redirect_uri") or data.get("authorizedRedirectUri")
        if not authorized:
            raise BrokerError(BROKER, "the feed authorize answer has no authorized_redirect_uri", 502)
        try:
            self._ws = await connect(_feed_url(authorized, self.feed_override), ping_interval=self.ping_interval,
                                     ping_timeout=self.ping_timeout, close_timeout=2, max_size=None,
                                     open_timeout=10)
        except (OSError, WebSocketException, TimeoutError) as exc:
            raise BrokerUnavailable(BROKER, f"cannot open the market feed ({type(exc).__name__})") from exc
        self.connected = True
        self._reader = asyncio.create_task(self._read(self._ws), name="upstox-feed")
        if self._subs:  # subscriptions made before connect()
            await self._send_subscriptions(list(self._subs), {})

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        mode = FeedMode(mode)
        changed: dict[str, str] = {}  # key → previous wire mode
        keys = []
        for instrument in instruments:
            key = instrument.token
            previous = self._subs.get(key)
            if previous is not None and previous[1] >= mode:
                continue  # already streaming at this mode or a richer one
            self._subs[key] = (instrument, mode)
            if previous is not None:
                changed[key] = WIRE_MODE[previous[1]]
            keys.append(key)
        if self._ws is not None and keys:
            await self._send_subscriptions(keys, changed)

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        keys = [i.token for i in instruments if self._subs.pop(i.token, None) is not None]
        for key in keys:
            self._ltpc.pop(key, None)
        if self._ws is not None:
            for start in range(0, len(keys), self.max_per_subscribe):
                await self._send({"guid": uuid.uuid4().hex, "method": "unsub",
                                  "data": {"instrumentKeys": keys[start:start + self.max_per_subscribe]}})

    async def close(self) -> None:
        self._closing = True
        self.connected = False
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader

    # --- wire --------------------------------------------------------------------------------------
    async def _send_subscriptions(self, keys: list[str], changed: dict[str, str]) -> None:
        by_wire: dict[tuple[str, str], list[str]] = {}
        for key in keys:
            wire = WIRE_MODE[self._subs[key][1]]
            method = "change_mode" if key in changed and changed[key] != wire else "sub"
            if key in changed and changed[key] == wire:
                continue  # QUOTE ↔ DEPTH share Upstox's `full` mode: nothing to tell the broker
            by_wire.setdefault((method, wire), []).append(key)
        for (method, wire), group in by_wire.items():
            for start in range(0, len(group), self.max_per_subscribe):
                await self._send({"guid": uuid.uuid4().hex, "method": method,
                                  "data": {"mode": wire, "instrumentKeys": group[start:start + self.max_per_subscribe]}})

    async def _send(self, message: dict[str, Any]) -> None:
        if self._ws is None:
            return
        try:
            await self._ws.send(json.dumps(message).encode())  # Upstox wants binary frames
        except ConnectionClosed:
            pass  # the reader reports the drop; the pool resubscribes on the new connection

    async def _read(self, ws: ClientConnection) -> None:
        reason = "market feed closed by the broker"
        try:
            async for message in ws:
                if isinstance(message, bytes):
                    await self._on_frame(message)
                else:
                    self._on_text(message)
        except ConnectionClosed as exc:
            reason = f"market feed dropped ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in a handler must not kill the feed silently
            reason = f"market feed reader failed: {type(exc).__name__}"
            log.exception("upstox feed reader failed")
        if not self._closing:
            self.connected = False
            if self._ws is ws:
                self._ws = None
            self._emit_disconnect(reason)

    def _on_text(self, text: str) -> None:
        try:
            body = json.loads(text)
        except ValueError:
            body = {"raw": text[:200]}
        if isinstance(body, dict) and body.get("status") == "failed":
            log.warning("upstox feed refused %s: %s", body.get("method"), body.get("error"))

    async def _on_frame(self, payload: bytes) -> None:
        try:
            response = FeedResponse.FromString(payload)
        except DecodeError:
            log.warning("upstox feed: undecodable frame of %d bytes skipped", len(payload))
            return
        if response.HasField("marketInfo"):
            self.market_status = {segment: str(status) for segment, status in
                                  response.marketInfo.segmentStatus.items()}
        for key, feed in response.feeds.items():
            tick = self._tick(key, feed, response.currentTs)
            if tick is None:
                continue
            await self._emit_tick(tick)

    # --- normalisation -------------------------------------------------------------------------------
    def _subscription(self, key: str) -> tuple[Instrument, FeedMode] | None:
        found = self._subs.get(key)
        if found is not None:
            return found
        try:
            instrument = self.instruments.by_token(exchange_of_key(key).value, key)
        except UnmappedValue:
            instrument = None
        return (instrument, FeedMode.LTP) if instrument is not None else None

    def _tick(self, key: str, feed: Any, current_ts: int) -> Tick | None:
        subscription = self._subscription(key)
        if subscription is None:
            return None  # unsubscribed meanwhile, or not in the master
        instrument, mode = subscription
        which = feed.WhichOneof("FeedUnion")
        market = index = None
        ltpc = None
        if which == "ltpc":
            ltpc = feed.ltpc
        elif which == "fullFeed":
            kind = feed.fullFeed.WhichOneof("FullFeedUnion")
            if kind == "marketFF":
                market = feed.fullFeed.marketFF
                ltpc = market.ltpc if market.HasField("ltpc") else None
            elif kind == "indexFF":
                index = feed.fullFeed.indexFF
                ltpc = index.ltpc if index.HasField("ltpc") else None
        elif which == "firstLevelWithGreeks":
            ltpc = feed.firstLevelWithGreeks.ltpc
        if ltpc is not None:
            self._ltpc[key] = (ltpc.ltp, ltpc.ltt, ltpc.ltq, ltpc.cp)
        last = self._ltpc.get(key)
        if last is None:
            return None  # a depth-only increment before any price
        ltp, ltt, ltq, cp = last
        tick = Tick(exchange=instrument.exchange.value, symbol=instrument.symbol, mode=mode, ltp=ltp,
                    timestamp_ms=int(ltt or current_ts or time.time() * 1000), close=cp, last_quantity=int(ltq))
        full = market or index
        if full is not None and mode >= FeedMode.QUOTE:
            bar = _ohlc(full.marketOHLC.ohlc)
            if bar is not None:
                tick.open, tick.high, tick.low = bar.open, bar.high, bar.low
                tick.volume = int(bar.vol)
        if market is not None and mode >= FeedMode.QUOTE:
            tick.volume = int(market.vtt) or tick.volume
            tick.average_price = market.atp
            tick.oi = int(market.oi)
            tick.total_buy_quantity, tick.total_sell_quantity = int(market.tbq), int(market.tsq)
            levels = list(market.marketLevel.bidAskQuote)[:DEPTH_LEVELS]
            # Each level carries both sides and the order is not guaranteed: sort, best first
            # (empty ask levels last). Upstox sends no per-level order count.
            bids = sorted((DepthLevel(q.bidP, int(q.bidQ)) for q in levels), key=lambda d: -d.price)
            asks = sorted((DepthLevel(q.askP, int(q.askQ)) for q in levels), key=lambda d: (d.price <= 0, d.price))
            if bids:
                tick.bid, tick.bid_qty = bids[0].price, bids[0].quantity
            if asks:
                tick.ask, tick.ask_qty = asks[0].price, asks[0].quantity
            if mode is FeedMode.DEPTH:
                quote = Quote(ltp=ltp, open=tick.open, high=tick.high, low=tick.low, prev_close=cp,
                              bid=tick.bid, ask=tick.ask, volume=tick.volume, oi=tick.oi)
                tick.depth = Depth(quote=quote, bids=bids, asks=asks, total_buy_qty=tick.total_buy_quantity,
                                   total_sell_qty=tick.total_sell_quantity)
        return tick
