"""Per-client outbound channels: throttled, coalescing, bounded, never blocking the hub.

Each connected feed client has one channel and one writer task. The hub only *offers* encoded
messages (a dict store and an event set; it never awaits a client). The writer flushes at most
once per throttle interval, so every (client, symbol) pair receives at most one message per
interval, always the newest; a message is popped exactly once, and a newer tick can only replace
an older one that has not been sent, so nothing is delivered twice or out of order.

Slow clients: while a socket's unsent bytes exceed the bound, the writer stops writing and the
pending dict keeps only the newest message per symbol (bounded by the subscription count). A
client that stays over the bound for `stuck_client_seconds` is closed with a reason. With a 0 ms
throttle every tick is queued; more than `max_queued_messages` pending closes the client.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Hashable
from typing import Any

from streaming.auth import FeedPrincipal
from streaming.config import HubConfig
from streaming.messages import EncodedMessage

log = logging.getLogger("algogate.streaming.fanout")

CLOSE_SLOW_CONSUMER = 4408  # application close code: the client did not keep up

_client_ids = itertools.count(1)


class ClientSink(ABC):
    """The transport side of a feed client (a raw websockets connection, an ASGI websocket…)."""

    # Sinks whose writes can wait on the peer get a timeout around each write; raw transport
    # writes never wait (backpressure is read from `buffered_bytes`), so they skip that cost.
    writes_may_block = True

    @abstractmethod
    async def send_messages(self, messages: list[EncodedMessage]) -> None:
        """Write in order. Raw sinks write synchronously into the transport buffer."""

    @abstractmethod
    def buffered_bytes(self) -> int:
        """Bytes accepted but not yet sent to the network (0 when the transport cannot tell)."""

    @abstractmethod
    async def close(self, code: int, reason: str) -> None: ...


class FeedClient:
    """A connected client of the feed protocol, as the hub sees it."""

    def __init__(self, sink: ClientSink, config: HubConfig, remote: str = "") -> None:
        self.id = next(_client_ids)
        self.sink = sink
        self.remote = remote
        self.principal: FeedPrincipal | None = None
        self.wants_order_updates = False
        self.closed = False
        self.close_reason = ""
        self._config = config
        self._interval = config.throttle_seconds
        self._pending: dict[Hashable, EncodedMessage] = {}
        self._queue: deque[EncodedMessage] = deque()
        self._wake = asyncio.Event()
        self._writer: asyncio.Task | None = None
        self.delivered = 0
        self.coalesced = 0

    def __repr__(self) -> str:
        user = self.principal.user_id if self.principal else "-"
        return f"<FeedClient {self.id} {user} {self.remote}>"

    def start(self) -> None:
        self._writer = asyncio.get_running_loop().create_task(self._write_loop(), name=f"feed-writer-{self.id}")

    async def stop(self) -> None:
        self.closed = True
        if self._writer is not None and self._writer is not asyncio.current_task():
            self._writer.cancel()
            try:
                await self._writer
            except (asyncio.CancelledError, Exception):
                pass

    # --- called by the hub (never awaits) ---------------------------------------------------

    def offer(self, key: Hashable, message: EncodedMessage) -> None:
        if self.closed:
            return
        if self._interval > 0:
            if key in self._pending:
                self.coalesced += 1
            self._pending[key] = message
        else:
            self._queue.append(message)
            if len(self._queue) > self._config.max_queued_messages:
                self._queue.clear()
                self._schedule_close(f"slow consumer: more than {self._config.max_queued_messages} "
                                     "messages queued")
                return
        self._wake.set()

    async def send_now(self, message: dict[str, Any] | EncodedMessage) -> None:
        """Acks, errors and order updates: immediate, never coalesced."""
        if self.closed:
            return
        encoded = message if isinstance(message, EncodedMessage) else EncodedMessage.of(message)
        try:
            await self.sink.send_messages([encoded])
        except Exception as exc:  # the connection is gone; the transport's loop will notice
            log.debug("send to %r failed: %s", self, exc)

    # --- the writer -----------------------------------------------------------------------------

    def _schedule_close(self, reason: str) -> None:
        if not self.closed:
            self.closed = True
            self.close_reason = reason
            log.warning("closing feed client %r: %s", self, reason)
            asyncio.get_running_loop().create_task(self.sink.close(CLOSE_SLOW_CONSUMER, reason))

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        limit = self._config.client_write_buffer_bytes
        stuck_after = self._config.stuck_client_seconds
        backoff = max(self._interval, 0.02)
        last_flush = -1e9
        over_limit_since: float | None = None
        try:
            while not self.closed:
                await self._wake.wait()
                if self._interval > 0:
                    delay = last_flush + self._interval - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                self._wake.clear()
                if self.sink.buffered_bytes() > limit:
                    now = loop.time()
                    over_limit_since = over_limit_since or now
                    if now - over_limit_since >= stuck_after:
                        self._schedule_close(f"slow consumer: send buffer over {limit} bytes "
                                             f"for {stuck_after:g} s")
                        return
                    self._wake.set()  # keep coalescing; retry shortly
                    await asyncio.sleep(backoff)
                    continue
                over_limit_since = None
                if self._interval > 0:
                    batch = list(self._pending.values())
                    self._pending = {}
                else:
                    batch = list(self._queue)
                    self._queue.clear()
                last_flush = loop.time()
                if not batch:
                    continue
                try:
                    if self.sink.writes_may_block:
                        await asyncio.wait_for(self.sink.send_messages(batch), timeout=stuck_after)
                    else:
                        await self.sink.send_messages(batch)
                except TimeoutError:
                    self._schedule_close(f"slow consumer: a send blocked for {stuck_after:g} s")
                    return
                self.delivered += len(batch)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # connection lost mid-write: the transport loop cleans up
            log.debug("writer of %r stopped: %s", self, exc)
