"""Dhan's StreamingAdapter over the live market feed (5-level, binary little-endian).

Auth is in the URL (`?version=2&token=&clientId=&authType=2`). Requests are JSON: Ticker 15/16,
Quote 17/18, Full 21/22 (subscribe/unsubscribe), at most 100 instruments per message; 12 says
goodbye. Answers are the binary packets of `feed.py`. Heartbeat: WebSocket pings every 30 s,
and the server's own pings are answered by the client library.
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
from websockets.exceptions import ConnectionClosed, WebSocketException

from brokers.common.feed import FeedCallbacks
from brokers.contract.errors import BrokerError, BrokerUnavailable
from brokers.contract.plugin import BrokerSession
from brokers.contract.types import Depth, DepthLevel, FeedMode, Instrument, Quote, Tick
from brokers.dhan import feed
from brokers.dhan.mapping import BROKER, DATA_SEGMENT, FEED_SEGMENT_CODE

log = logging.getLogger("algogate.brokers.dhan")

SUBSCRIBE = {FeedMode.LTP: 15, FeedMode.QUOTE: 17, FeedMode.DEPTH: 21}  # unsubscribe = code + 1
DISCONNECT_REQUEST = 12
CURRENCY_SEGMENTS = frozenset({3, 7})  # quoted to 4 decimals; everything else to 2
PING_INTERVAL, PING_TIMEOUT = 30.0, 10.0


class DhanStreamingAdapter(FeedCallbacks):
    def __init__(self, feed_url: str, session: BrokerSession, max_per_message: int = 100) -> None:
        self.feed_url = feed_url
        self._token = session.access_token
        self._client_id = session.extra.get("client_id") or session.broker_user_id
        self.max_per_message = max_per_message
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        super().__init__("dhan feed")
        self._subs: dict[tuple[int, int], tuple[Instrument, FeedMode]] = {}
        self._state: dict[tuple[int, int], dict] = {}  # previous close / OI seen per instrument
        self._closing = False
        self._signalled = False

    # --- contract ---------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._signalled and not self._closing

    def _query(self) -> dict[str, object]:
        return {"version": 2, "token": self._token, "clientId": self._client_id, "authType": 2}

    async def connect(self) -> None:
        query = urlencode(self._query())
        url = f"{self.feed_url}{'&' if '?' in self.feed_url else '?'}{query}"
        try:
            self._ws = await connect(url, ping_interval=PING_INTERVAL, ping_timeout=PING_TIMEOUT,
                                     open_timeout=10, max_size=2 ** 22, compression=None)
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise BrokerUnavailable(BROKER, f"market feed connection failed ({type(exc).__name__})") from None
        self._closing = self._signalled = False
        self._reader = asyncio.create_task(self._read(self._ws), name="dhan-feed-reader")

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        batch = []
        for instrument in instruments:
            key = self._key(instrument)
            current = self._subs.get(key)
            if current is None or current[1] < mode:
                self._subs[key] = (instrument, FeedMode(mode))
            batch.append(instrument)
        await self._send(SUBSCRIBE[FeedMode(mode)], batch)

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        batch = list(instruments)
        for instrument in batch:
            key = self._key(instrument)
            current = self._subs.get(key)
            if current is not None and current[1] <= mode:  # a higher mode still subscribed stays
                del self._subs[key]
        await self._send(SUBSCRIBE[FeedMode(mode)] + 1, batch)

    async def close(self) -> None:
        self._closing = True
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(ConnectionClosed, OSError):
                await ws.send(json.dumps({"RequestCode": DISCONNECT_REQUEST}))
            with contextlib.suppress(Exception):
                await ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None

    # --- wire -------------------------------------------------------------------------------
    @staticmethod
    def _key(instrument: Instrument) -> tuple[int, int]:
        segment = DATA_SEGMENT.get(instrument.exchange)
        if segment is None:
            raise BrokerError(BROKER, f"exchange {instrument.exchange.value} has no Dhan feed", 400)
        return FEED_SEGMENT_CODE[segment], int(instrument.token)

    async def _send(self, code: int, instruments: list[Instrument]) -> None:
        if self._ws is None:
            raise BrokerUnavailable(BROKER, "market feed is not connected")
        for start in range(0, len(instruments), self.max_per_message):
            chunk = instruments[start:start + self.max_per_message]
            message = {"RequestCode": code, "InstrumentCount": len(chunk),
                       "InstrumentList": [{"ExchangeSegment": DATA_SEGMENT[i.exchange], "SecurityId": str(i.token)}
                                          for i in chunk]}
            try:
                await self._ws.send(json.dumps(message))
            except ConnectionClosed:
                raise BrokerUnavailable(BROKER, "market feed closed while subscribing") from None

    async def _read(self, ws: ClientConnection) -> None:
        reason = "connection lost"
        try:
            async for frame in ws:
                if isinstance(frame, str):
                    continue  # the feed answers in binary; text frames carry nothing we use
                for packet in self._packets(frame):
                    if packet.code == feed.DISCONNECT_CODE:
                        code = packet.values.get("reason", 0)
                        reason = f"server disconnect {code} ({feed.DISCONNECT_REASONS.get(code, 'unknown')})"
                        await ws.close()
                        break
                    await self._deliver(packet)
            if reason == "connection lost" and ws.close_code is not None:
                reason = f"connection closed ({ws.close_code})"  # a clean close ends the loop quietly
        except ConnectionClosed as exc:
            reason = f"connection closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
        except Exception:  # a parser bug must not leave a dead socket looking alive
            log.exception("dhan feed reader failed")
            reason = "reader failed"
        if not self._closing:
            self._signal(reason)

    def _packets(self, frame: bytes) -> list[feed.Packet]:
        return feed.split(frame)

    def _signal(self, reason: str) -> None:
        if self._signalled:
            return
        self._signalled = True
        log.warning("dhan feed dropped: %s", reason)
        self._emit_disconnect(reason)

    async def _deliver(self, packet: feed.Packet) -> None:
        tick = self._tick(packet)
        if tick is None:
            return
        await self._emit_tick(tick)

    def _tick(self, packet: feed.Packet) -> Tick | None:
        key = (packet.segment, packet.security_id)
        values = packet.values
        if not values:
            return None
        state = self._state.setdefault(key, {})
        if packet.code == feed.PREV_CLOSE_CODE:
            state["prev_close"] = values["prev_close"]
            return None
        if packet.code == feed.OI_CODE:
            state["oi"] = values["oi"]
            return None
        subscribed = self._subs.get(key)
        # Code 1 (index packet) has no documented layout; index ticks arrive as ticker/quote packets.
        if subscribed is None or packet.code not in (feed.TICKER_CODE, feed.QUOTE_CODE, feed.FULL_CODE):
            return None
        instrument = subscribed[0]
        digits = 4 if packet.segment in CURRENCY_SEGMENTS else 2

        def price(value: float) -> float:
            return round(value, digits)  # float32 on the wire: 812.45 arrives as 812.4500122

        ltt = values.get("ltt") or 0
        stamp = ltt * 1000 if ltt > 0 else int(time.time() * 1000)
        prev_close = price(state.get("prev_close", values.get("close", 0.0)))
        base = dict(exchange=instrument.exchange.value, symbol=instrument.symbol, ltp=price(values["ltp"]),
                    timestamp_ms=stamp, close=prev_close)
        if packet.code == feed.TICKER_CODE:
            return Tick(mode=FeedMode.LTP, **base)
        if "oi" in values:
            state["oi"] = values["oi"]
        common = dict(volume=values["volume"], open=price(values["open"]), high=price(values["high"]),
                      low=price(values["low"]), average_price=price(values["atp"]), last_quantity=values["ltq"],
                      total_buy_quantity=values["total_buy"], total_sell_quantity=values["total_sell"],
                      oi=state.get("oi", 0))
        if packet.code == feed.QUOTE_CODE:
            return Tick(mode=FeedMode.QUOTE, **base, **common)
        bids = [DepthLevel(price(level[4]), level[0], level[2]) for level in values["levels"]]
        asks = [DepthLevel(price(level[5]), level[1], level[3]) for level in values["levels"]]
        quote = Quote(ltp=base["ltp"], open=common["open"], high=common["high"], low=common["low"],
                      prev_close=prev_close, bid=bids[0].price, ask=asks[0].price, volume=common["volume"],
                      oi=common["oi"])
        depth = Depth(quote, bids, asks, total_buy_qty=values["total_buy"], total_sell_qty=values["total_sell"])
        return Tick(mode=FeedMode.DEPTH, **base, **common, bid=bids[0].price, ask=asks[0].price,
                    bid_qty=bids[0].quantity, ask_qty=asks[0].quantity, depth=depth)

