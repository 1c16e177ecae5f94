"""The feed protocol over WebSocket: a `websockets` listener on WEBSOCKET_PORT (what the openalgo
SDK connects to) and an ASGI endpoint for `/ws` on the main port.

On the listener the hub writes pre-built frames straight into each connection's transport: a
tick is serialised and framed once per audience and the same bytes go to every client (server
frames are unmasked; compression is not negotiated, so frames are identical for everyone).
Measured on this machine: 87k vs 64k frames/s for `connection.send()` per client, with the
receiving clients in the same process (see docs/streaming.md). Writes never block: backpressure is read from the transport's
buffer size.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from streaming.fanout import ClientSink
from streaming.messages import EncodedMessage
from streaming.session import FeedSession

log = logging.getLogger("algogate.streaming.ws")

MAX_CLIENT_MESSAGE_BYTES = 1_048_576


class RawConnectionSink(ClientSink):
    writes_may_block = False

    def __init__(self, connection: ServerConnection) -> None:
        self._connection = connection

    async def send_messages(self, messages: list[EncodedMessage]) -> None:
        self.write_nowait(messages)

    def write_nowait(self, messages: list[EncodedMessage]) -> None:
        if self._connection.state is not State.OPEN:
            raise ConnectionError("connection is closing")
        transport = self._connection.transport
        if len(messages) == 1:
            transport.write(messages[0].frame)
        else:
            transport.writelines([m.frame for m in messages])

    def buffered_bytes(self) -> int:
        return self._connection.transport.get_write_buffer_size()

    async def close(self, code: int, reason: str) -> None:
        try:
            await self._connection.close(code, reason)
        except Exception as exc:
            log.debug("close failed: %s", exc)


async def run_session(hub, sink: ClientSink, remote: str, messages) -> None:
    """Drive one socket: register with the hub, handle requests until it closes, clean up."""
    client = hub.connect_client(sink, remote)
    session = FeedSession(hub, client)
    deadline = asyncio.get_running_loop().create_task(session.auth_deadline())
    try:
        async for raw in messages:
            await session.handle(raw)
    except (ConnectionClosed, WebSocketDisconnect):
        pass
    finally:
        deadline.cancel()
        await hub.disconnect_client(client)


class FeedListener:
    """The extra listener on WEBSOCKET_HOST:WEBSOCKET_PORT (SO_REUSEPORT, so every worker binds it)."""

    def __init__(self, hub, host: str, port: int) -> None:
        self.hub = hub
        self.host = host
        self.port = port
        self._server: Server | None = None

    async def start(self) -> None:
        config = self.hub.config
        self._server = await serve(
            self._handle, self.host, self.port, compression=None, reuse_port=True,
            ping_interval=config.ping_interval_seconds, ping_timeout=config.ping_timeout_seconds,
            max_size=MAX_CLIENT_MESSAGE_BYTES, max_queue=64,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("feed listener on ws://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            try:
                await asyncio.wait_for(self._server.wait_closed(), timeout=5)
            except TimeoutError:
                log.warning("feed listener did not close in time")

    async def _handle(self, connection: ServerConnection) -> None:
        remote = connection.remote_address
        await run_session(self.hub, RawConnectionSink(connection), f"{remote[0]}:{remote[1]}" if remote else "",
                          connection)


class AsgiWebSocketSink(ClientSink):
    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._lock = asyncio.Lock()

    async def send_messages(self, messages: list[EncodedMessage]) -> None:
        async with self._lock:
            for message in messages:
                await self._websocket.send_text(message.text)

    def buffered_bytes(self) -> int:
        return 0

    async def close(self, code: int, reason: str) -> None:
        try:
            if self._websocket.application_state is WebSocketState.CONNECTED:
                await self._websocket.close(code, reason)
        except Exception as exc:
            log.debug("close failed: %s", exc)


async def _asgi_messages(websocket: WebSocket):
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("text")
        yield data if data is not None else message.get("bytes") or b""


async def feed_endpoint(websocket: WebSocket) -> None:
    """`/ws` on the main port; the hub is the app's `state.hub`."""
    hub = websocket.app.state.hub
    await websocket.accept()
    client = websocket.client
    await run_session(hub, AsgiWebSocketSink(websocket), f"{client.host}:{client.port}" if client else "",
                      _asgi_messages(websocket))
