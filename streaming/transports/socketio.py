"""Socket.IO for the web UI (python-socketio, ASGI, same port as the app, path `/socket.io`).

- Connect is authenticated by the web session (the `SessionAuthenticator` the backend passes to
  the hub); refused without one. The browser never receives an API key.
- Each socket joins the room `user:<id>`; `hub.publish_user_event(user_id, event, payload)`
  emits only to that room, so every event reaches only its owner's sockets (OpenAlgo broadcast
  every user's events to everybody).
- Watchlist ticks: `subscribe_market_data` `{"symbols": [{"exchange", "symbol"}], "mode": 1|2}`
  joins a room per instrument and mode; the bridge holds one in-app hub subscription per room and
  emits `market_data` (the feed protocol's message shape) to the room at most once per throttle
  interval, coalesced to the latest tick. `unsubscribe_market_data` (or disconnecting) leaves.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from brokers.contract import FeedMode
from streaming.auth import FeedPrincipal
from streaming.messages import MODE_LABELS, ProtocolError, now_ms, parse_mode, tick_data

if TYPE_CHECKING:
    import socketio

log = logging.getLogger("algogate.streaming.socketio")

Room = tuple[int, str, str, str]  # (mode, feed_account, exchange, symbol)


def user_room(user_id: str) -> str:
    return f"user:{user_id}"


def _room_name(room: Room) -> str:
    return "md:" + "|".join(map(str, room))


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    return {name[5:].lower().replace("_", "-"): value for name, value in environ.items()
            if name.startswith("HTTP_") and isinstance(value, str)}


class SocketIOBridge:
    def __init__(self, hub, cors_allowed_origins: list[str] | str | None = None) -> None:
        self.hub = hub
        # None = same origin only. ([] would turn the origin check off, letting any site open a
        # socket with the user's session cookie.)
        self._cors_allowed_origins = cors_allowed_origins or None
        self.server: socketio.AsyncServer | None = None  # built by the first Socket.IO request
        self._app: socketio.ASGIApp | None = None
        self._room_members: dict[Room, set[str]] = {}
        self._room_subscriptions: dict[Room, Any] = {}
        self._sid_rooms: dict[str, set[Room]] = {}
        self._latest: dict[Room, Any] = {}
        self._outbox: asyncio.Queue[tuple[str, Any, str]] = asyncio.Queue()
        self._tasks: list[asyncio.Task] = []
        hub.add_user_event_sink(self._user_event)

    @property
    def app(self) -> socketio.ASGIApp:
        """The Socket.IO ASGI app, built on the first request. Importing python-socketio also
        imports its client side (aiohttp, redis, cryptography: ~20 MB of RSS and ~0.15 s), which an
        API-only deployment, with no browser open, never needs."""
        if self._app is None:
            import socketio

            server = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=self._cors_allowed_origins,
                                          ping_interval=25, ping_timeout=60)
            server.on("connect", self._connect)
            server.on("disconnect", self._disconnect)
            server.on("subscribe_market_data", self._subscribe)
            server.on("unsubscribe_market_data", self._unsubscribe)
            self.server, self._app = server, socketio.ASGIApp(server, socketio_path="socket.io")
        return self._app

    async def broadcast(self, event: str, payload: Any) -> None:
        """Emit to every connected socket (none before the first connection)."""
        if self.server is not None:
            await self.server.emit(event, payload)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._emit_events(), name="socketio-events"),
                       loop.create_task(self._emit_ticks(), name="socketio-ticks")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for room in list(self._room_subscriptions):
            await self._release(room)
        for sid in list(self._sid_rooms):
            await self.server.disconnect(sid)

    # --- connection -----------------------------------------------------------------------------

    async def _connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        sessions = self.hub.sessions
        principal = None
        if sessions is not None:
            principal = await sessions.authenticate_session(_headers(environ), auth if isinstance(auth, dict) else None)
        if principal is None:
            from socketio.exceptions import ConnectionRefusedError as Refused  # loaded with the server

            raise Refused("authentication required")
        await self.server.save_session(sid, {"principal": principal})
        await self.server.enter_room(sid, user_room(principal.user_id))
        self._sid_rooms[sid] = set()

    async def _disconnect(self, sid: str, *args: Any) -> None:
        for room in list(self._sid_rooms.pop(sid, ())):
            await self._leave(sid, room)

    async def _principal(self, sid: str) -> FeedPrincipal:
        return (await self.server.get_session(sid))["principal"]

    # --- watchlist ticks ------------------------------------------------------------------------

    async def _subscribe(self, sid: str, data: Any) -> dict[str, Any]:
        principal = await self._principal(sid)
        try:
            mode = parse_mode((data or {}).get("mode"), FeedMode.QUOTE)
        except ProtocolError as exc:
            return {"status": "error", "code": exc.code, "message": exc.message}
        results = []
        for item in _symbols(data):
            exchange, symbol = item
            entry = {"exchange": exchange, "symbol": symbol}
            if len(self._sid_rooms.get(sid, ())) >= self.hub.config.max_subscriptions_per_client:
                results.append({**entry, "status": "error", "message": "Subscription limit reached"})
                continue
            instrument = await self.hub._resolve(principal, exchange, symbol)
            if instrument is None:
                results.append({**entry, "status": "error", "message": "Symbol not found"})
                continue
            room: Room = (int(mode), principal.feed_account, exchange, symbol)
            try:
                await self._join(sid, room, instrument)
            except Exception as exc:
                results.append({**entry, "status": "error", "message": str(exc)})
                continue
            results.append({**entry, "status": "success", "mode": MODE_LABELS[mode]})
        if not results:
            return {"status": "error", "code": "INVALID_PARAMETERS", "message": "At least one symbol must be specified"}
        ok = all(r["status"] == "success" for r in results)
        return {"status": "success" if ok else "partial", "subscriptions": results}

    async def _unsubscribe(self, sid: str, data: Any) -> dict[str, Any]:
        principal = await self._principal(sid)
        wanted = set(_symbols(data))
        for room in list(self._sid_rooms.get(sid, ())):
            if room[1] == principal.feed_account and (room[2], room[3]) in wanted:
                await self._leave(sid, room)
        return {"status": "success"}

    async def _join(self, sid: str, room: Room, instrument) -> None:
        if room not in self._room_subscriptions:
            self._room_subscriptions[room] = None  # reserve while subscribing
            try:
                self._room_subscriptions[room] = await self.hub.subscribe_internal(
                    instrument, FeedMode(room[0]), lambda tick, room=room: self._latest.__setitem__(room, tick),
                    feed_account=room[1])
            except Exception:
                del self._room_subscriptions[room]
                raise
        self._room_members.setdefault(room, set()).add(sid)
        self._sid_rooms.setdefault(sid, set()).add(room)
        await self.server.enter_room(sid, _room_name(room))

    async def _leave(self, sid: str, room: Room) -> None:
        self._sid_rooms.get(sid, set()).discard(room)
        members = self._room_members.get(room, set())
        members.discard(sid)
        try:
            await self.server.leave_room(sid, _room_name(room))
        except Exception:
            pass  # the socket is already gone
        if not members:
            await self._release(room)

    async def _release(self, room: Room) -> None:
        self._room_members.pop(room, None)
        self._latest.pop(room, None)
        subscription = self._room_subscriptions.pop(room, None)
        if subscription is not None:
            await subscription.close()

    async def _emit_ticks(self) -> None:
        interval = max(self.hub.config.throttle_seconds, 0.01)
        while True:
            await asyncio.sleep(interval)
            if not self._latest:
                continue
            latest, self._latest = self._latest, {}
            received = now_ms()
            for room, tick in latest.items():
                mode = FeedMode(room[0])
                message = {"type": "market_data", "symbol": room[3], "exchange": room[2], "mode": int(mode),
                           "data": tick_data(tick, min(mode, tick.mode), 5, received)}
                try:
                    await self.server.emit("market_data", message, room=_room_name(room))
                except Exception:
                    log.exception("emitting ticks failed")

    # --- user events ------------------------------------------------------------------------------

    def _user_event(self, user_id: str, event: str, payload: Any) -> None:
        self._outbox.put_nowait((user_id, payload, event))

    async def _emit_events(self) -> None:
        """One task, so a user's events are emitted in the order they were published."""
        while True:
            user_id, payload, event = await self._outbox.get()
            if self.server is None:
                continue  # no socket has ever connected, so nobody is in the user's room
            try:
                await self.server.emit(event, payload, room=user_room(user_id))
            except Exception:
                log.exception("emitting %s failed", event)


def _symbols(data: Any) -> list[tuple[str, str]]:
    raw = (data or {}).get("symbols") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return []
    found = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("exchange"), str) and isinstance(item.get("symbol"), str):
            found.append((item["exchange"].strip().upper(), item["symbol"].strip()))
    return found


async def socketio_asgi(scope, receive, send) -> None:
    """ASGI app to mount at `/socket.io`: forwards to the running hub's bridge (created in the
    lifespan, after routes are mounted)."""
    app = scope.get("app")
    bridge = getattr(getattr(getattr(app, "state", None), "hub", None), "socketio", None)
    if bridge is None:
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 503, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"streaming hub not running"})
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1013})
        return
    await bridge.app(scope, receive, send)
