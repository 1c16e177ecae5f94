"""The XTS market-data feed as a StreamingAdapter (xts.md §7): a Socket.IO connection that only
receives, with subscriptions made over REST (`POST/PUT {md}/instruments/subscription`, one message
code per call: LTP → 1512, QUOTE → 1501, DEPTH → 1502). The subscribe answer carries a snapshot
per instrument, published as ticks at once. Subscriptions belong to the market-data token, so a
fresh connection re-posts them all."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from brokers.contract.errors import BrokerError, BrokerUnavailable, SessionExpired
from brokers.contract.protocols import TickHandler
from brokers.contract.types import Depth, FeedMode, Instrument, Quote, Tick
from brokers.families.xts.convert import integer, number
from brokers.families.xts.mapping import XtsMaps
from brokers.families.xts.market import (
    DEPTH,
    LTP,
    TOUCHLINE,
    last_quantity,
    levels,
    parse_payload,
    touchline,
    xts_time_ms,
)
from brokers.families.xts.socketio import EIO_VERSION, Decoder, SocketIOError, handshake
from brokers.families.xts.wire import XtsApi

log = logging.getLogger("algogate.brokers.xts")

MESSAGE_CODES = {FeedMode.LTP: LTP, FeedMode.QUOTE: TOUCHLINE, FeedMode.DEPTH: DEPTH}
CODE_MODES = {LTP: FeedMode.LTP, TOUCHLINE: FeedMode.QUOTE, DEPTH: FeedMode.DEPTH}
SUBSCRIBE_BATCH = 50


def to_tick(code: int, payload: Mapping[str, Any], instrument: Instrument, subscribed: FeedMode,
            now_ms: int) -> Tick:
    mode = min(CODE_MODES[code], subscribed)
    line = touchline(payload)
    stamp = xts_time_ms(line.get("LastTradedTime") or line.get("LastUpdateTime")) or now_ms
    tick = Tick(str(instrument.exchange), instrument.symbol, mode, number(line.get("LastTradedPrice")), stamp)
    if code == LTP:
        tick.last_quantity = last_quantity(line)
        return tick
    bid, ask = line.get("BidInfo") or {}, line.get("AskInfo") or {}
    tick.open, tick.high, tick.low, tick.close = (number(line.get("Open")), number(line.get("High")),
                                                  number(line.get("Low")), number(line.get("Close")))
    tick.volume, tick.average_price = integer(line.get("TotalTradedQuantity")), number(line.get("AverageTradedPrice"))
    tick.last_quantity = last_quantity(line)
    tick.total_buy_quantity = integer(line.get("TotalBuyQuantity"))
    tick.total_sell_quantity = integer(line.get("TotalSellQuantity"))
    tick.bid, tick.bid_qty = number(bid.get("Price")), integer(bid.get("Size"))
    tick.ask, tick.ask_qty = number(ask.get("Price")), integer(ask.get("Size"))
    if code == DEPTH:
        bids, asks = levels(payload.get("Bids")), levels(payload.get("Asks"))
        if not tick.bid and bids:
            tick.bid, tick.bid_qty = bids[0].price, bids[0].quantity
        if not tick.ask and asks:
            tick.ask, tick.ask_qty = asks[0].price, asks[0].quantity
        if mode == FeedMode.DEPTH:
            quote = Quote(ltp=tick.ltp, open=tick.open, high=tick.high, low=tick.low, prev_close=tick.close,
                          bid=tick.bid, ask=tick.ask, volume=tick.volume)
            tick.depth = Depth(quote, bids, asks, total_buy_qty=tick.total_buy_quantity,
                               total_sell_qty=tick.total_sell_quantity)
    return tick


class XtsStreamingAdapter:
    def __init__(self, api: XtsApi, maps: XtsMaps, feed_url: str, socket_path: str, user_id: str, *,
                 batch: int = SUBSCRIBE_BATCH, open_timeout: float = 10.0) -> None:
        query = urlencode({"token": api.tokens["md"], "userID": user_id, "publishFormat": "JSON",
                           "broadcastMode": "Full", "EIO": EIO_VERSION, "transport": "websocket"})
        self._url = f"{feed_url}{socket_path.rstrip('/')}/?{query}"
        self.api = api
        self.broker = api.broker
        self.maps = maps
        self.batch = batch
        self.open_timeout = open_timeout
        self._subscriptions: dict[tuple[int, int], tuple[Instrument, FeedMode]] = {}
        self._handlers: list[TickHandler] = []
        self._disconnect: list[Callable[[str], None]] = []
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._closing = False
        self.events = 0

    # --- the StreamingAdapter contract --------------------------------------------------------
    async def connect(self) -> None:
        try:
            ws = await connect(self._url, open_timeout=self.open_timeout, close_timeout=2, ping_interval=None,
                               max_size=2**22)
        except InvalidStatus as exc:
            if exc.response.status_code in (401, 403):
                raise SessionExpired(self.broker, "market-data feed refused the token; log in again") from None
            raise BrokerUnavailable(self.broker, f"market-data feed answered HTTP {exc.response.status_code}") from None
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise BrokerUnavailable(self.broker, f"cannot reach the market-data feed ({type(exc).__name__})") from None
        try:
            async with asyncio.timeout(self.open_timeout):
                info = await handshake(ws)
        except (SocketIOError, TimeoutError, ConnectionClosed, ValueError) as exc:
            await ws.close()
            if "token" in str(exc).lower():
                raise SessionExpired(self.broker, "market-data feed refused the token; log in again") from None
            raise BrokerUnavailable(self.broker, f"market-data feed handshake failed: {exc}") from None
        self._ws, self._closing = ws, False
        # Engine.IO v4: the server pings every interval; silence past interval + timeout is a dead socket.
        idle = info.ping_interval + info.ping_timeout + 5
        self._reader = asyncio.create_task(self._read(ws, idle), name=f"{self.broker}-feed")
        by_mode: dict[FeedMode, list[Instrument]] = {}
        for instrument, mode in self._subscriptions.values():
            by_mode.setdefault(mode, []).append(instrument)
        for mode, instruments in by_mode.items():
            await self._post(instruments, mode, "POST")

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        mode = FeedMode(mode)
        fresh, switched = [], {}
        for instrument in instruments:
            previous = self._subscriptions.get(self._key(instrument))
            if previous is not None and previous[1] != mode:
                switched.setdefault(previous[1], []).append(previous[0])  # one code per instrument
            self._subscriptions[self._key(instrument)] = (instrument, mode)
            fresh.append(instrument)
        if self._ws is not None:
            for old_mode, old in switched.items():
                await self._post(old, old_mode, "PUT")
            if fresh:
                await self._post(fresh, mode, "POST")

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        gone: dict[FeedMode, list[Instrument]] = {}
        for instrument in instruments:
            entry = self._subscriptions.pop(self._key(instrument), None)
            if entry is not None:  # the code it was subscribed with, whatever mode the caller names
                gone.setdefault(entry[1], []).append(entry[0])
        if self._ws is not None:
            for old_mode, old in gone.items():
                await self._post(old, old_mode, "PUT")

    def on_tick(self, handler: TickHandler) -> None:
        self._handlers.append(handler)

    def on_disconnect(self, callback: Callable[[str], None]) -> None:
        self._disconnect.append(callback)

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

    # --- REST subscriptions ------------------------------------------------------------------
    def _key(self, instrument: Instrument) -> tuple[int, int]:
        return self.maps.segment_code(instrument), int(instrument.token)

    @property
    def subscriptions(self) -> dict[tuple[int, int], FeedMode]:
        return {key: mode for key, (_, mode) in self._subscriptions.items()}

    async def _post(self, instruments: list[Instrument], mode: FeedMode, method: str) -> None:
        code = MESSAGE_CODES[mode]
        for start in range(0, len(instruments), self.batch):
            refs = [{"exchangeSegment": seg, "exchangeInstrumentID": token}
                    for seg, token in (self._key(i) for i in instruments[start:start + self.batch])]
            try:
                result = await self.api.call(method, "md", "/instruments/subscription", group="quotes",
                                             json={"instruments": refs, "xtsMessageCode": code})
            except SessionExpired:
                raise
            except BrokerError as exc:
                if method == "POST" and "already" in exc.message.lower():
                    # The token still holds it (a reconnect): no snapshot comes back, so fetch one.
                    result = await self.api.call("POST", "md", "/instruments/quotes", group="quotes",
                                                 json={"instruments": refs, "xtsMessageCode": code,
                                                       "publishFormat": "JSON"})
                elif method == "PUT" and "not subscribed" in exc.message.lower():
                    continue
                else:
                    raise
            if method == "POST":
                for entry in (result or {}).get("listQuotes") or []:
                    await self._publish(code, parse_payload(entry))

    # --- the socket --------------------------------------------------------------------------
    async def _read(self, ws: ClientConnection, idle: float) -> None:
        reason = "connection lost"
        decoder = Decoder()
        try:
            while True:
                async with asyncio.timeout(idle):
                    message = await ws.recv()
                event, reply = decoder.feed(message)
                if reply is not None:
                    await ws.send(reply)
                if event is not None:
                    self.events += 1
                    await self._event(event.name, event.args)
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            reason = f"no ping for {idle:.0f}s"
            await ws.close()
        except SocketIOError as exc:
            reason = str(exc)
            await ws.close()
        except ConnectionClosed as exc:
            reason = f"closed by the broker (code {exc.rcvd.code if exc.rcvd else 'none'})"
        except Exception as exc:  # a bug in decoding must still surface as a disconnect
            log.exception("%s feed reader failed", self.broker)
            reason = f"reader failed: {type(exc).__name__}"
            await ws.close()
        if not self._closing:
            self._ws = None
            for callback in self._disconnect:
                try:
                    callback(reason)
                except Exception:
                    log.exception("%s on_disconnect callback failed", self.broker)

    async def _event(self, name: str, args: list[Any]) -> None:
        head, _, form = name.partition("-")
        if not head.isdigit() or not form.startswith("json") or not args:
            return  # `joined`, `xts-binary-packet` (we ask for JSON), 1105 compact text …
        code = int(head)
        if code in CODE_MODES:
            await self._publish(code, parse_payload(args[0]))

    async def _publish(self, code: int, payload: Mapping[str, Any]) -> None:
        if not payload:
            return
        key = (integer(payload.get("ExchangeSegment")), integer(payload.get("ExchangeInstrumentID")))
        entry = self._subscriptions.get(key)
        if entry is None:
            return  # broadcasts for instruments we did not ask for
        tick = to_tick(code, payload, entry[0], entry[1], int(time.time() * 1000))
        for handler in self._handlers:
            try:
                result = handler(tick)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("%s tick handler failed", self.broker)
