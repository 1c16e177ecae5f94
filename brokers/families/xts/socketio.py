"""A minimal Socket.IO v5 / Engine.IO v4 client over `websockets` (websocket transport only).

python-socketio's AsyncClient needs aiohttp, which this project does not install, and XTS's feed
only needs the receive side: the open handshake, the namespace connect, answering the server's
pings, and decoding `42[...]` events (plus `45x-` binary events, whose attachments follow as
binary frames)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection

EIO_VERSION = "4"


class SocketIOError(Exception):
    pass


@dataclass
class Handshake:
    sid: str
    ping_interval: float  # seconds
    ping_timeout: float


@dataclass
class Event:
    name: str
    args: list[Any] = field(default_factory=list)


class Decoder:
    """Turns websocket messages into events, answering pings on the way. Returns None for
    control traffic; raises SocketIOError when the server disconnects us."""

    def __init__(self) -> None:
        self._pending: tuple[list[Any], int] | None = None  # binary event waiting for attachments
        self._attachments: list[bytes] = []

    def feed(self, message: str | bytes) -> tuple[Event | None, str | None]:
        """(event, reply to send)."""
        if isinstance(message, bytes):
            if self._pending is None:
                return None, None
            self._attachments.append(message)
            data, count = self._pending
            if len(self._attachments) < count:
                return None, None
            self._pending, attachments, self._attachments = None, self._attachments, []
            args = [_fill(item, attachments) for item in data]
            return Event(str(args[0]), args[1:]), None
        if not message:
            return None, None
        kind = message[0]
        if kind == "2":  # Engine.IO ping → pong
            return None, "3" + message[1:]
        if kind == "1":
            raise SocketIOError("server closed the session")
        if kind != "4":  # open (handled by handshake), pong, noop
            return None, None
        packet = message[1:]
        if not packet:
            return None, None
        sio = packet[0]
        if sio == "1":
            raise SocketIOError("server disconnected the socket")
        if sio == "4":
            raise SocketIOError(f"server refused the socket: {packet[1:]}")
        if sio == "2":
            data = json.loads(_strip_namespace_and_id(packet[1:]))
            return (Event(str(data[0]), data[1:]) if data else None), None
        if sio == "5":
            count_text, _, rest = packet[1:].partition("-")
            data = json.loads(_strip_namespace_and_id(rest))
            self._pending, self._attachments = (data, int(count_text)), []
            return None, None
        return None, None


def _strip_namespace_and_id(text: str) -> str:
    if text.startswith("/"):  # a namespace other than "/" comes first, up to a comma
        text = text.partition(",")[2]
    index = 0
    while index < len(text) and text[index].isdigit():  # optional ack id
        index += 1
    return text[index:]


def _fill(item: Any, attachments: list[bytes]) -> Any:
    if isinstance(item, dict):
        if item.get("_placeholder") is True and isinstance(item.get("num"), int):
            return attachments[item["num"]]
        return {key: _fill(value, attachments) for key, value in item.items()}
    if isinstance(item, list):
        return [_fill(value, attachments) for value in item]
    return item


async def handshake(ws: ClientConnection) -> Handshake:
    """Engine.IO open packet, then connect to the default namespace and wait for its ack."""
    opening = await ws.recv()
    if not isinstance(opening, str) or not opening.startswith("0"):
        raise SocketIOError(f"unexpected opening packet {str(opening)[:40]!r}")
    info = json.loads(opening[1:])
    await ws.send("40")
    while True:
        reply = await ws.recv()
        if isinstance(reply, str) and reply.startswith("40"):
            break
        if isinstance(reply, str) and reply.startswith("44"):
            raise SocketIOError(f"server refused the socket: {reply[2:]}")
        if isinstance(reply, str) and reply.startswith("2"):
            await ws.send("3" + reply[1:])
    return Handshake(str(info.get("sid", "")), float(info.get("pingInterval", 25000)) / 1000,
                     float(info.get("pingTimeout", 20000)) / 1000)
