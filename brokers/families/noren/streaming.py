"""The Noren JSON market-data WebSocket (reference §9) as a StreamingAdapter.

Connect with `{"t":"a", uid, actid, source, accesstoken}` → `{"t":"ak","s":"OK"}`; touchline
(`t`/`u`, answers `tk` snapshot then `tf` changes) serves LTP and QUOTE, depth (`d`/`ud`, answers
`dk` then `df`) serves DEPTH. Updates carry only changed fields, so each scrip keeps a merged
snapshot keyed by `"<e>|<tk>"` (tokens collide across exchanges). Heartbeat `{"t":"h"}` every
30 s on top of WebSocket pings; 120 s of silence counts as a dead socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from brokers.common.feed import FeedCallbacks
from brokers.contract.errors import BrokerUnavailable, SessionExpired
from brokers.contract.types import Depth, DepthLevel, FeedMode, Instrument, Quote, Tick
from brokers.families.noren.convert import integer, number
from brokers.families.noren.mapping import NorenMaps, wire_exchange

log = logging.getLogger("algogate.brokers.noren")

SUBSCRIBE_BATCH = 100  # scrips per `#`-joined subscribe message
TOUCHLINE = frozenset({FeedMode.LTP, FeedMode.QUOTE})
# Day fields a partial update must not zero out.
_STICKY = ("o", "h", "l", "c", "ap")


def merge(snapshot: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if key in _STICKY and number(value) == 0 and number(snapshot.get(key)) != 0:
            continue
        snapshot[key] = value


def _levels(row: dict[str, Any], price: str, qty: str, orders: str) -> list[DepthLevel]:
    return [DepthLevel(number(row.get(f"{price}{n}")), integer(row.get(f"{qty}{n}")), integer(row.get(f"{orders}{n}")))
            for n in range(1, 6)]


def to_tick(row: dict[str, Any], instrument: Instrument, mode: FeedMode, now_ms: int) -> Tick:
    stamp = integer(row.get("ft"))
    tick = Tick(str(instrument.exchange), instrument.symbol, mode, number(row.get("lp")),
                stamp * 1000 if stamp else now_ms)
    if mode == FeedMode.LTP:
        return tick
    tick.open, tick.high, tick.low, tick.close = (number(row.get(k)) for k in ("o", "h", "l", "c"))
    tick.volume, tick.oi, tick.average_price = integer(row.get("v")), integer(row.get("oi")), number(row.get("ap"))
    tick.last_quantity = integer(row.get("ltq"))
    tick.bid, tick.ask = number(row.get("bp1")), number(row.get("sp1"))
    tick.bid_qty, tick.ask_qty = integer(row.get("bq1")), integer(row.get("sq1"))
    tick.total_buy_quantity, tick.total_sell_quantity = integer(row.get("tbq")), integer(row.get("tsq"))
    if mode == FeedMode.DEPTH:
        quote = Quote(ltp=tick.ltp, open=tick.open, high=tick.high, low=tick.low, prev_close=tick.close,
                      bid=tick.bid, ask=tick.ask, volume=tick.volume, oi=tick.oi)
        tick.depth = Depth(quote, _levels(row, "bp", "bq", "bo"), _levels(row, "sp", "sq", "so"),
                           total_buy_qty=tick.total_buy_quantity, total_sell_qty=tick.total_sell_quantity)
    return tick


class NorenStreamingAdapter(FeedCallbacks):
    def __init__(self, broker: str, feed_url: str, uid: str, actid: str, token: str, maps: NorenMaps, *,
                 heartbeat: float = 30.0, ping_interval: float = 30.0, ping_timeout: float = 10.0,
                 idle_timeout: float = 120.0, batch: int = SUBSCRIBE_BATCH) -> None:
        self.broker = broker
        self.url = feed_url
        self._login = {"t": "a", "uid": uid, "actid": actid or uid, "source": "API", "accesstoken": token}
        self.maps = maps
        self.heartbeat, self.ping_interval, self.ping_timeout = heartbeat, ping_interval, ping_timeout
        self.idle_timeout = idle_timeout
        self.batch = batch
        self._subs: dict[str, tuple[Instrument, set[FeedMode]]] = {}  # "<e>|<tk>" → modes
        self._cache: dict[str, dict[str, Any]] = {}
        super().__init__(f"{broker} feed")
        self._ws: ClientConnection | None = None
        self._tasks: list[asyncio.Task] = []
        self._closing = False

    # --- the StreamingAdapter contract --------------------------------------------------------
    async def connect(self) -> None:
        try:
            ws = await connect(self.url, open_timeout=10, close_timeout=2, ping_interval=self.ping_interval,
                               ping_timeout=self.ping_timeout, max_size=2**22)
        except InvalidStatus as exc:
            if exc.response.status_code in (401, 403):
                raise SessionExpired(self.broker, "market-data feed refused the token; log in again") from None
            raise BrokerUnavailable(self.broker, f"market-data feed answered HTTP {exc.response.status_code}") from None
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise BrokerUnavailable(self.broker, f"cannot reach the market-data feed ({type(exc).__name__})") from None
        try:
            await ws.send(json.dumps(self._login))
            async with asyncio.timeout(10):
                while True:
                    answer = json.loads(await ws.recv())
                    if answer.get("t") == "ak":
                        break
        except (ConnectionClosed, TimeoutError, ValueError) as exc:
            await ws.close()
            raise BrokerUnavailable(self.broker, f"market-data feed login failed ({type(exc).__name__})") from None
        if str(answer.get("s", "")).upper() != "OK":
            await ws.close()
            # An auth nack means the token is dead: no point retrying.
            raise SessionExpired(self.broker, "market-data feed refused the token; log in again")
        self._ws, self._closing = ws, False
        self._tasks = [asyncio.create_task(self._read(ws), name=f"{self.broker}-feed-reader"),
                       asyncio.create_task(self._beat(ws), name=f"{self.broker}-feed-heartbeat")]
        touch = [k for k, (_, modes) in self._subs.items() if modes & TOUCHLINE]
        depth = [k for k, (_, modes) in self._subs.items() if FeedMode.DEPTH in modes]
        await self._send_keys("t", touch)
        await self._send_keys("d", depth)

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        mode = FeedMode(mode)
        new = []
        for instrument in instruments:
            key = self.key(instrument)
            _, modes = self._subs.setdefault(key, (instrument, set()))
            # LTP and QUOTE share one touchline subscription per scrip.
            had = bool(modes & TOUCHLINE) if mode in TOUCHLINE else FeedMode.DEPTH in modes
            modes.add(mode)
            if not had:
                new.append(key)
        await self._send_keys("t" if mode in TOUCHLINE else "d", new)

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        mode = FeedMode(mode)
        gone = []
        for instrument in instruments:
            key = self.key(instrument)
            entry = self._subs.get(key)
            if entry is None or mode not in entry[1]:
                continue
            entry[1].discard(mode)
            still = bool(entry[1] & TOUCHLINE) if mode in TOUCHLINE else FeedMode.DEPTH in entry[1]
            if not still:
                gone.append(key)
            if not entry[1]:
                del self._subs[key]
                self._cache.pop(key, None)
        await self._send_keys("u" if mode in TOUCHLINE else "ud", gone)

    async def close(self) -> None:
        self._closing = True
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    # --- wire --------------------------------------------------------------------------------
    def key(self, instrument: Instrument) -> str:
        return f"{wire_exchange(self.maps, instrument.exchange)}|{instrument.token}"

    @property
    def subscriptions(self) -> dict[str, set[FeedMode]]:
        return {key: set(modes) for key, (_, modes) in self._subs.items()}

    async def _send_keys(self, kind: str, keys: list[str]) -> None:
        if self._ws is None:
            return  # sent on connect
        for start in range(0, len(keys), self.batch):
            try:
                await self._ws.send(json.dumps({"t": kind, "k": "#".join(keys[start:start + self.batch])}))
            except ConnectionClosed as exc:
                raise BrokerUnavailable(self.broker, "market-data feed connection closed") from exc

    async def _beat(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(self.heartbeat)
                await ws.send('{"t":"h"}')

    async def _read(self, ws: ClientConnection) -> None:
        reason = "connection lost"
        try:
            while True:
                async with asyncio.timeout(self.idle_timeout):
                    text = await ws.recv()
                try:
                    message = json.loads(text)
                except ValueError:
                    continue
                if isinstance(message, dict):
                    await self._dispatch(message)
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            reason = f"no data for {self.idle_timeout:.0f}s"
            await ws.close()
        except ConnectionClosed as exc:
            reason = f"closed by the broker (code {exc.rcvd.code if exc.rcvd else 'none'})"
        except Exception as exc:  # a decoding bug must still surface as a disconnect
            log.exception("%s feed reader failed", self.broker)
            reason = f"reader failed: {type(exc).__name__}"
            await ws.close()
        if not self._closing:
            self._ws = None
            for task in self._tasks:
                if task is not asyncio.current_task():
                    task.cancel()
            self._emit_disconnect(reason)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("t")
        if kind not in ("tk", "tf", "dk", "df"):
            return  # acks (hk, uk, udk) and order updates
        key = f"{message.get('e')}|{message.get('tk')}"
        entry = self._subs.get(key)
        if entry is None:
            return
        snapshot = self._cache.setdefault(key, {})
        if kind in ("tk", "dk"):
            snapshot.update(message)
        else:
            merge(snapshot, message)
        instrument, modes = entry
        wanted = sorted(modes & TOUCHLINE) if kind in ("tk", "tf") else [m for m in modes if m == FeedMode.DEPTH]
        now_ms = int(time.time() * 1000)
        for mode in wanted:
            tick = to_tick(snapshot, instrument, mode, now_ms)
            await self._emit_tick(tick)
