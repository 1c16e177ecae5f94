"""A fake broker market-data feed over WebSocket, for reconnect and staleness tests.

Wire format (ours, broker-like): the client sends `{"op": "sub"|"unsub", "mode": 1|2|3,
"tokens": ["NSE:SBIN", …]}`; the server pushes `{"token", "ltp", "ts", "mode"}` for subscribed
tokens. Tests control it: `push()` a tick, `drop_all()` connections, `refuse` new connections,
`silent` (stay connected, send nothing — a silent stall).

`FeedServerAdapter` is the broker-side client adapter for it (a `StreamingAdapter` with the
optional `on_disconnect` hook), and `FeedServerUpstream` the provider the hub is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from brokers.contract import Capabilities, FeedMode, Instrument, Tick


class FakeFeedServer:
    def __init__(self) -> None:
        self.server: Server | None = None
        self.port = 0
        self.connections: dict[ServerConnection, dict[str, int]] = {}
        self.refuse = False
        self.silent = False
        self.accepted = 0
        self.subscribe_counts: Counter[str] = Counter()
        self.connected = asyncio.Event()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.server = await serve(self._handle, "127.0.0.1", 0, compression=None,
                                  process_request=self._gate)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def _gate(self, connection, request):
        if self.refuse:
            return connection.respond(503, "feed down\n")
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        self.connections[connection] = {}
        self.accepted += 1
        self.connected.set()
        try:
            async for raw in connection:
                request = orjson.loads(raw)
                tokens = self.connections[connection]
                for token in request["tokens"]:
                    if request["op"] == "sub":
                        tokens[token] = request["mode"]
                        self.subscribe_counts[token] += 1
                    else:
                        tokens.pop(token, None)
        except ConnectionClosed:
            pass
        finally:
            self.connections.pop(connection, None)

    def subscribed(self) -> dict[str, int]:
        merged: dict[str, int] = {}
        for tokens in self.connections.values():
            merged.update(tokens)
        return merged

    async def push(self, token: str, ltp: float) -> int:
        """Send a tick to every connection subscribed to `token`; returns how many got it."""
        if self.silent:
            return 0
        sent = 0
        for connection, tokens in list(self.connections.items()):
            if token in tokens:
                with contextlib.suppress(ConnectionClosed):
                    await connection.send(orjson.dumps({"token": token, "ltp": ltp, "ts": int(time.time() * 1000),
                                                        "mode": tokens[token]}).decode())
                    sent += 1
        return sent

    async def drop_all(self) -> None:
        self.connected.clear()
        for connection in list(self.connections):
            await connection.close(1011, "feed restarting")


class FeedServerAdapter:
    def __init__(self, url: str) -> None:
        self.url = url
        self._socket: ClientConnection | None = None
        self._reader: asyncio.Task | None = None
        self._tick_handler = None
        self._disconnect_handler = None
        self._closing = False

    def on_tick(self, handler) -> None:
        self._tick_handler = handler

    def on_disconnect(self, handler) -> None:
        self._disconnect_handler = handler

    async def connect(self) -> None:
        self._socket = await connect(self.url, open_timeout=5)
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self._socket:
                data = orjson.loads(raw)
                exchange, symbol = data["token"].split(":", 1)
                self._tick_handler(Tick(exchange=exchange, symbol=symbol, mode=FeedMode(data["mode"]),
                                        ltp=data["ltp"], timestamp_ms=data["ts"]))
        except ConnectionClosed:
            pass
        if not self._closing and self._disconnect_handler:
            self._disconnect_handler("feed closed the connection")

    async def _send(self, op: str, instruments, mode: FeedMode) -> None:
        tokens = [f"{i.exchange}:{i.symbol}" for i in instruments]
        await self._socket.send(orjson.dumps({"op": op, "mode": int(mode), "tokens": tokens}).decode())

    async def subscribe(self, instruments, mode: FeedMode) -> None:
        await self._send("sub", list(instruments), mode)

    async def unsubscribe(self, instruments, mode: FeedMode) -> None:
        await self._send("unsub", list(instruments), mode)

    async def close(self) -> None:
        self._closing = True
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()


class FeedServerUpstream:
    def __init__(self, server: FakeFeedServer, capabilities: Capabilities | None = None) -> None:
        self.server = server
        self.caps = capabilities or Capabilities()
        self.opened = 0

    def capabilities(self, feed_account: str) -> Capabilities:
        return self.caps

    async def open_adapter(self, feed_account: str) -> FeedServerAdapter:
        self.opened += 1
        return FeedServerAdapter(self.server.url)


def token_of(instrument: Instrument) -> str:
    return f"{instrument.exchange}:{instrument.symbol}"
