"""The StreamingAdapter over Fyers' HSM socket: one connection, LTP/QUOTE from `sf|` (scrips) and
`if|` (indices) topics, DEPTH adds the `dp|` topic (5 levels). Indices have no depth: their ticks
stay at QUOTE. Heartbeat: WebSocket ping every 30 s with a 10 s timeout (HSM has no app-level
one). The adapter does not reconnect itself: it calls `on_disconnect` and the hub's pool builds a
fresh adapter and resubscribes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable

import websockets
from websockets.asyncio.client import ClientConnection, connect

from brokers.common.feed import FeedCallbacks
from brokers.contract.errors import BrokerError, BrokerUnavailable, SessionExpired
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import INDEX_EXCHANGES, Depth, DepthLevel, FeedMode, Instrument, Quote, Tick
from brokers.fyers import hsm
from brokers.fyers.api import BROKER
from brokers.fyers.auth import jwt_claims
from brokers.fyers.mapping import HSM_SEGMENT

log = logging.getLogger("algogate.brokers.fyers")
AUTH_TIMEOUT = 10.0
Key = tuple[str, str]


async def open_socket(url: str, authorization: str, feed: str, **options) -> ClientConnection:
    """Open one of Fyers' sockets (`authorization` is `app_id:access_token`); a refused token is
    SessionExpired, anything else that stops the handshake is BrokerUnavailable naming `feed`."""
    try:
        return await connect(url, additional_headers={"Authorization": authorization},
                             user_agent_header="algogate-fyers", max_size=None, **options)
    except websockets.InvalidStatus as exc:
        status = exc.response.status_code
        if status in (401, 403):
            raise SessionExpired(BROKER, f"the {feed} refused the access token (HTTP {status})") from None
        raise BrokerUnavailable(BROKER, f"the {feed} answered HTTP {status}") from None
    except (OSError, TimeoutError, websockets.InvalidHandshake) as exc:
        raise BrokerUnavailable(BROKER, f"cannot reach the {feed} ({type(exc).__name__})") from None


class FyersStreamingAdapter(FeedCallbacks):
    def __init__(self, url: str, app_id: str, access_token: str, instruments: InstrumentLookup,
                 max_per_subscribe: int = 100, ping_interval: float = 30.0, ping_timeout: float = 10.0) -> None:
        self.url = url
        self.app_id = app_id
        self._token = access_token
        self.instruments = instruments
        self.max_per_subscribe = max(1, max_per_subscribe)
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        super().__init__("fyers feed")
        self._subs: dict[Key, tuple[Instrument, FeedMode]] = {}
        self._topic_keys: dict[str, Key] = {}  # topic name → subscription key
        self._active_topics: set[str] = set()
        self._decoder = hsm.FeedDecoder()
        self._closing = False
        self.connected = False

    # --- StreamingAdapter -------------------------------------------------------------------
    async def connect(self) -> None:
        claims = jwt_claims(self._token)
        hsm_key = claims.get("hsm_key")
        if not hsm_key:
            raise SessionExpired(BROKER, "the access token carries no feed key (hsm_key); log in again")
        exp = claims.get("exp")
        if isinstance(exp, int | float) and exp <= time.time():
            raise SessionExpired(BROKER)
        self._ws = await open_socket(self.url, f"{self.app_id}:{self._token}", "market-data feed",
                                     ping_interval=self.ping_interval, ping_timeout=self.ping_timeout,
                                     open_timeout=AUTH_TIMEOUT)
        try:
            await self._ws.send(hsm.auth_request(str(hsm_key)))
            await asyncio.wait_for(self._await_auth(), AUTH_TIMEOUT)
        except BaseException as exc:
            await self._ws.close()
            self._ws = None
            if isinstance(exc, TimeoutError):
                raise BrokerUnavailable(BROKER, "the market-data feed did not answer the login") from None
            raise
        self.connected = True
        self._reader = asyncio.create_task(self._read(), name="fyers-hsm-reader")

    async def _await_auth(self) -> None:
        assert self._ws is not None
        try:
            while True:
                frame = await self._ws.recv()
                if isinstance(frame, bytes) and len(frame) >= 3 and hsm.frame_type(frame) == hsm.RESP_AUTH:
                    if not hsm.auth_succeeded(frame):
                        raise SessionExpired(BROKER, "the feed refused the feed key; log in again")
                    return
        except websockets.ConnectionClosed as exc:
            reason = exc.rcvd.reason if exc.rcvd else "closed"
            raise SessionExpired(BROKER, f"the feed closed during login ({reason})") from None

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        mode = FeedMode(mode)
        if self._ws is None or not self.connected:
            raise BrokerUnavailable(BROKER, "the market-data feed is not connected")
        wanted: list[str] = []
        for instrument in instruments:
            key = (instrument.exchange.value, instrument.symbol)
            self._subs[key] = (instrument, mode)
            for topic in self._topics(instrument, mode):
                self._topic_keys[topic] = key
                if topic not in self._active_topics:
                    wanted.append(topic)
        await self._send_topics(wanted, unsubscribe=False)

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        dropped: list[str] = []
        for instrument in instruments:
            key = (instrument.exchange.value, instrument.symbol)
            if self._subs.pop(key, None) is None:
                continue
            for topic in self._topics(instrument, FeedMode.DEPTH):
                if self._topic_keys.pop(topic, None) is not None and topic in self._active_topics:
                    dropped.append(topic)
        await self._send_topics(dropped, unsubscribe=True)

    async def close(self) -> None:
        self._closing = True
        self.connected = False
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        self._ws = None

    # --- internals ----------------------------------------------------------------------------
    def _topics(self, instrument: Instrument, mode: FeedMode) -> list[str]:
        segment = HSM_SEGMENT.get(instrument.token[:4])
        if segment is None:
            raise BrokerError(BROKER, f"{instrument.brsymbol}: fytoken {instrument.token!r} names no feed segment", 400)
        if instrument.exchange in INDEX_EXCHANGES:
            return [hsm.index_topic(instrument.brsymbol, segment)]
        topics = [hsm.scrip_topic(instrument.token, segment)]
        if mode == FeedMode.DEPTH:
            topics.append(hsm.depth_topic(instrument.token, segment))
        return topics

    async def _send_topics(self, topics: list[str], unsubscribe: bool) -> None:
        if not topics:
            return
        if self._ws is None or not self.connected:
            raise BrokerUnavailable(BROKER, "the market-data feed is not connected")
        for start in range(0, len(topics), self.max_per_subscribe):
            batch = topics[start:start + self.max_per_subscribe]
            try:
                await self._ws.send(hsm.subscription_request(batch, unsubscribe=unsubscribe))
            except websockets.ConnectionClosed:
                raise BrokerUnavailable(BROKER, "the market-data feed closed") from None
            if unsubscribe:
                self._active_topics.difference_update(batch)
            else:
                self._active_topics.update(batch)

    async def _read(self) -> None:
        assert self._ws is not None
        reason = "connection closed"
        try:
            async for frame in self._ws:
                if not isinstance(frame, bytes):
                    continue
                try:
                    states = self._decoder.decode(frame)
                except hsm.ProtocolError as exc:
                    log.warning("fyers feed: bad frame skipped (%s)", exc)
                    continue
                for state in states:
                    tick = self._tick(state)
                    if tick is not None:
                        await self._emit_tick(tick)
        except websockets.ConnectionClosed as exc:
            reason = f"closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
        except Exception as exc:  # never end silently: the pool must hear about it and rebuild
            reason = f"reader failed: {type(exc).__name__}"
            log.exception("fyers feed reader failed")
        else:
            ws = self._ws
            if ws is not None and ws.close_code is not None:
                reason = f"closed ({ws.close_code})"
        self.connected = False
        if not self._closing:
            self._emit_disconnect(reason)

    def _tick(self, state: hsm.TopicState) -> Tick | None:
        key = self._topic_keys.get(state.name)
        if key is None or key not in self._subs:
            return None  # an unsubscribed topic's late data
        instrument, mode = self._subs[key]
        exchange, symbol = key
        if state.kind == "if":
            mode = min(mode, FeedMode.QUOTE)  # indices have no depth
            ltp = state.price("ltp")
            stamp = state.count("exch_feed_time") * 1000
            if mode == FeedMode.LTP:
                return Tick(exchange, symbol, mode, ltp, stamp)
            return Tick(exchange, symbol, mode, ltp, stamp, open=state.price("open_price"),
                        high=state.price("high_price"), low=state.price("low_price"),
                        close=state.price("prev_close_price"))
        scrip = state if state.kind == "sf" else self._state(self._topics(instrument, FeedMode.LTP)[0])
        if scrip is None:
            return None  # depth before the first scrip snapshot: wait for it
        book = None
        if mode == FeedMode.DEPTH:
            depth_state = state if state.kind == "dp" else self._state(self._topics(instrument, mode)[1])
            if depth_state is None:
                return None
            book = depth_state
        ltp = scrip.price("ltp")
        stamp = (scrip.count("exch_feed_time") or scrip.count("last_traded_time")) * 1000
        if mode == FeedMode.LTP:
            return Tick(exchange, symbol, mode, ltp, stamp)
        quote = Quote(ltp=ltp, open=scrip.price("open_price"), high=scrip.price("high_price"),
                      low=scrip.price("low_price"), prev_close=scrip.price("prev_close_price"),
                      bid=scrip.price("bid_price"), ask=scrip.price("ask_price"),
                      volume=scrip.count("vol_traded_today"), oi=scrip.count("OI"))
        depth = None
        if book is not None:
            bids = [DepthLevel(book.price(f"bid_price{i}"), book.count(f"bid_size{i}"), book.count(f"bid_order{i}"))
                    for i in range(1, 6)]
            asks = [DepthLevel(book.price(f"ask_price{i}"), book.count(f"ask_size{i}"), book.count(f"ask_order{i}"))
                    for i in range(1, 6)]
            depth = Depth(quote, bids, asks, scrip.count("tot_buy_qty"), scrip.count("tot_sell_qty"))
        return Tick(
            exchange, symbol, mode, ltp, stamp, volume=quote.volume, open=quote.open, high=quote.high,
            low=quote.low, close=quote.prev_close, bid=quote.bid, ask=quote.ask,
            bid_qty=scrip.count("bid_size"), ask_qty=scrip.count("ask_size"), oi=quote.oi,
            average_price=scrip.price("avg_trade_price"), depth=depth,
            last_quantity=scrip.count("last_traded_qty"), total_buy_quantity=scrip.count("tot_buy_qty"),
            total_sell_quantity=scrip.count("tot_sell_qty"),
        )

    def _state(self, topic: str) -> hsm.TopicState | None:
        return self._decoder.by_name.get(topic)
