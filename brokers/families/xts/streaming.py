"""The XTS market-data feed as a StreamingAdapter (xts.md §7): a receive-only Socket.IO connection
(python-socketio's AsyncClient, websocket transport, its own reconnection off — the hub's pool
reconnects), with subscriptions made over REST (`POST/PUT {md}/instruments/subscription`, one
message code per call: LTP → 1512, QUOTE → 1501, DEPTH → 1502). The subscribe answer carries a
snapshot per instrument, published as ticks at once. Subscriptions belong to the market-data token,
so a fresh connection re-posts them all."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import aiohttp
import socketio

from brokers.common.feed import FeedCallbacks
from brokers.contract.errors import BrokerError, BrokerUnavailable, SessionExpired
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
from brokers.families.xts.wire import XtsApi

log = logging.getLogger("algogate.brokers.xts")
# python-socketio / python-engineio log every packet at INFO and warn on ordinary closes; keep their
# errors under our logger tree, without the library adding a handler of its own. Drops reach the hub
# through `on_disconnect` with a reason.
wire_log = logging.getLogger("algogate.brokers.xts.socketio")
wire_log.setLevel(logging.ERROR)

MESSAGE_CODES = {FeedMode.LTP: LTP, FeedMode.QUOTE: TOUCHLINE, FeedMode.DEPTH: DEPTH}
CODE_MODES = {LTP: FeedMode.LTP, TOUCHLINE: FeedMode.QUOTE, DEPTH: FeedMode.DEPTH}
SUBSCRIBE_BATCH = 50
MAX_MESSAGE = 2**22
REASONS = {  # python-socketio's disconnect reasons, as the hub's pool logs them
    socketio.AsyncClient.reason.SERVER_DISCONNECT: "closed by the broker",
    socketio.AsyncClient.reason.TRANSPORT_ERROR: "connection lost (transport error or no ping from the broker)",
}
_LOST = object()  # inbox marker: the connection ended


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


class XtsStreamingAdapter(FeedCallbacks):
    def __init__(self, api: XtsApi, maps: XtsMaps, feed_url: str, socket_path: str, user_id: str, *,
                 batch: int = SUBSCRIBE_BATCH, open_timeout: float = 10.0, close_timeout: float = 2.0) -> None:
        # The client builds `{scheme}://{netloc}/{path}/?{query}&transport=websocket&EIO=4` itself.
        base = urlsplit(feed_url)
        query = urlencode({"token": api.tokens["md"], "userID": user_id, "publishFormat": "JSON",
                           "broadcastMode": "Full"})
        self._url = urlunsplit((base.scheme, base.netloc, "/", query, ""))
        self._path = f"{base.path.rstrip('/')}/{socket_path.strip('/')}"
        self.api = api
        self.broker = api.broker
        self.maps = maps
        self.batch = batch
        self.open_timeout = open_timeout
        self.close_timeout = close_timeout
        self._subscriptions: dict[tuple[int, int], tuple[Instrument, FeedMode]] = {}
        super().__init__(f"{api.broker} feed")
        self._client: socketio.AsyncClient | None = None
        self._http: aiohttp.ClientSession | None = None
        self._inbox: asyncio.Queue | None = None
        self._reader: asyncio.Task | None = None
        self._closing = False
        self.events = 0

    # --- the StreamingAdapter contract --------------------------------------------------------
    async def connect(self) -> None:
        if self._client is not None:
            await self.close()
        refusals: list[Any] = []
        # trust_env: honour HTTPS_PROXY / NO_PROXY like the websockets client this replaced.
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.open_timeout),
                                     trust_env=True)
        client = socketio.AsyncClient(
            reconnection=False,  # the hub's pool reconnects (with a fresh login and re-subscription)
            handle_sigint=False,  # never touch the application's signal handlers
            logger=wire_log, engineio_logger=wire_log,
            http_session=http, request_timeout=self.close_timeout, timestamp_requests=False,
            websocket_extra_options={"max_msg_size": MAX_MESSAGE, "compress": 15},
        )
        client.on("connect_error", lambda data=None, *_: refusals.append(data))
        client.on("disconnect", self._lost)
        client.on("*", self._received)
        inbox: asyncio.Queue = asyncio.Queue()
        self._closing, self._inbox = False, inbox
        try:
            async with asyncio.timeout(self.open_timeout):
                await client.connect(self._url, transports=["websocket"], socketio_path=self._path,
                                     wait_timeout=self.open_timeout)
        except (socketio.exceptions.ConnectionError, TimeoutError, OSError, aiohttp.ClientError) as exc:
            await self._teardown(client, http)
            self._inbox = None
            raise self._refused(exc, refusals) from None
        except BaseException:
            await self._teardown(client, http)
            self._inbox = None
            raise
        self._client, self._http = client, http
        # Engine.IO v4 heartbeat: the broker pings, the client answers; silence past ping interval +
        # timeout ends the connection (reason "transport error") and `on_disconnect` fires.
        self._reader = asyncio.create_task(self._read(inbox), name=f"{self.broker}-feed")
        by_mode: dict[FeedMode, list[Instrument]] = {}
        for instrument, mode in self._subscriptions.values():
            by_mode.setdefault(mode, []).append(instrument)
        for mode, instruments in by_mode.items():
            await self._post(instruments, mode, "POST")

    def _refused(self, exc: BaseException, refusals: list[Any]) -> BrokerError:
        status, cause = None, exc
        while cause.__cause__ is not None or cause.__context__ is not None:
            cause = cause.__cause__ or cause.__context__
            if isinstance(cause, aiohttp.WSServerHandshakeError):
                status = cause.status
        if status in (401, 403) or any("token" in str(refusal).lower() for refusal in refusals):
            return SessionExpired(self.broker, "market-data feed refused the token; log in again")
        if status is not None:
            return BrokerUnavailable(self.broker, f"market-data feed answered HTTP {status}")
        if isinstance(exc, TimeoutError):
            return BrokerUnavailable(self.broker, "market-data feed handshake timed out")
        if refusals and isinstance(refusals[-1], Mapping) and refusals[-1].get("message"):
            return BrokerUnavailable(self.broker, f"market-data feed handshake failed: {refusals[-1]['message']}")
        return BrokerUnavailable(self.broker, f"cannot reach the market-data feed ({type(cause).__name__})")

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        mode = FeedMode(mode)
        fresh, switched = [], {}
        for instrument in instruments:
            previous = self._subscriptions.get(self._key(instrument))
            if previous is not None and previous[1] != mode:
                switched.setdefault(previous[1], []).append(previous[0])  # one code per instrument
            self._subscriptions[self._key(instrument)] = (instrument, mode)
            fresh.append(instrument)
        if self._client is not None:
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
        if self._client is not None:
            for old_mode, old in gone.items():
                await self._post(old, old_mode, "PUT")

    async def close(self) -> None:
        self._closing = True
        reader, self._reader = self._reader, None
        if reader is not None and not reader.done():
            reader.cancel()
            await asyncio.wait({reader})
        client, self._client = self._client, None
        http, self._http = self._http, None
        if client is not None and http is not None:
            await self._teardown(client, http)
        self._inbox = None

    async def _teardown(self, client: socketio.AsyncClient, http: aiohttp.ClientSession) -> None:
        """Disconnect and wait for the client's read/write loops, whatever state it is in."""
        eio = client.eio
        try:
            async with asyncio.timeout(self.close_timeout):
                if client.connected:
                    await client.disconnect()
                else:  # mid-handshake, refused, or already dropped by the broker
                    await eio.disconnect(abort=True)
        except Exception as exc:  # a dead socket must not stop the close
            log.debug("%s feed disconnect: %s", self.broker, exc)
        loops = {task for task in (eio.read_loop_task, eio.write_loop_task) if task is not None and not task.done()}
        for task in loops:
            task.cancel()
        if loops:
            await asyncio.wait(loops)
        await http.close()

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
    def _received(self, name: str, *args: Any) -> None:
        """Every event from the broker (python-socketio's catch-all), queued in arrival order."""
        self.events += 1
        if self._inbox is not None:
            self._inbox.put_nowait((name, list(args)))

    def _lost(self, reason: Any = None) -> None:
        if self._inbox is not None:
            self._inbox.put_nowait((_LOST, REASONS.get(reason, str(reason or "connection lost"))))

    async def _read(self, inbox: asyncio.Queue) -> None:
        """Publishes events one at a time, in order (handlers may be coroutines); on a drop, waits
        for the client to wind down and then tells the `on_disconnect` callbacks."""
        while True:
            name, detail = await inbox.get()
            if name is _LOST:
                break
            try:
                await self._event(name, detail)
            except Exception:  # one bad payload must not end the feed
                log.exception("%s feed event %s failed", self.broker, name)
        if self._closing:
            return
        client, http = self._client, self._http
        if client is not None and http is not None:
            await self._teardown(client, http)
        if self._closing:
            return
        self._client = self._http = None
        self._emit_disconnect(detail)

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
        await self._emit_tick(tick)
