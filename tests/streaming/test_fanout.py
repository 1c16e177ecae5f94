"""Throttled, coalescing fan-out: at most one message per client and symbol per interval, always the
newest, never twice or out of order; slow clients are bounded and never hold up anybody else."""

from __future__ import annotations

import asyncio
import contextlib
import time

from streaming.config import HubConfig
from streaming.fanout import CLOSE_SLOW_CONSUMER, ClientSink, FeedClient, FlushClock
from streaming.messages import EncodedMessage
from tests.fixtures.streaming import running_hub, wait_until

SBIN = {"exchange": "NSE", "symbol": "SBIN"}


def is_tick(message: dict) -> bool:
    return message.get("type") == "market_data"


class RecordingSink(ClientSink):
    """The transport end of a client: records what was written and when; backlog is settable."""

    writes_may_block = False

    def __init__(self) -> None:
        self.writes: list[tuple[float, list[bytes]]] = []
        self.backlog = 0
        self.closed_with: tuple[int, str] | None = None

    async def send_messages(self, messages):
        self.write_nowait(messages)

    def write_nowait(self, messages):
        self.writes.append((time.monotonic(), [m.data for m in messages]))

    def buffered_bytes(self) -> int:
        return self.backlog

    async def close(self, code, reason):
        self.closed_with = (code, reason)

    def payloads(self) -> list[bytes]:
        return [data for _, batch in self.writes for data in batch]


class TestThrottleOverASocket:
    async def test_throttled_stream_is_coalesced_in_order_without_duplicates(self):
        async with running_hub(HubConfig(throttle_ms=50)) as harness:
            client = await harness.client()
            await client.request({"action": "subscribe", **SBIN, "mode": 1})
            emitted = 300
            started = time.monotonic()
            for i in range(1, emitted + 1):
                harness.upstream.emit("NSE", "SBIN", float(i))
                await asyncio.sleep(0.003)
            received = [(await client.next(is_tick))["data"]["ltp"]]
            while received[-1] != float(emitted):
                received.append((await client.next(is_tick))["data"]["ltp"])
            elapsed = time.monotonic() - started
            assert received == sorted(set(received)), "a tick arrived twice or out of order"
            assert received[-1] == float(emitted), "the newest tick must be delivered"
            # At most one message per 50 ms window (+1 for the leading edge), however loaded the machine.
            assert 2 <= len(received) <= elapsed / 0.050 + 2, (len(received), elapsed)
            assert len(received) < emitted / 2

    async def test_zero_interval_forwards_every_tick_in_order(self):
        async with running_hub(HubConfig(throttle_ms=0)) as harness:
            client = await harness.client()
            await client.request({"action": "subscribe", **SBIN, "mode": 1})
            for i in range(1, 501):
                harness.upstream.emit("NSE", "SBIN", float(i))
                if i % 50 == 0:
                    await asyncio.sleep(0)
            received = [(await client.next(is_tick))["data"]["ltp"] for _ in range(500)]
            assert received == [float(i) for i in range(1, 501)]

    async def test_each_symbol_is_throttled_separately(self):
        async with running_hub(HubConfig(throttle_ms=200)) as harness:
            client = await harness.client()
            await client.request({"action": "subscribe", "mode": 1,
                                  "symbols": [SBIN, {"exchange": "NSE", "symbol": "TCS"}]})
            harness.upstream.emit("NSE", "SBIN", 1.0)
            harness.upstream.emit("NSE", "TCS", 2.0)
            first, second = await client.next(is_tick), await client.next(is_tick)
            assert {first["symbol"], second["symbol"]} == {"SBIN", "TCS"}


@contextlib.asynccontextmanager
async def channel(sink: RecordingSink, config: HubConfig):
    """A client with its own flush clock, as the hub would run it."""
    clock = FlushClock(config.throttle_seconds)
    clock.start()
    client = FeedClient(sink, config, clock=clock)
    client.start()
    try:
        yield client
    finally:
        await client.stop()
        await clock.stop()


class TestChannel:
    async def test_gaps_between_flushes_are_at_least_the_interval(self):
        sink = RecordingSink()
        async with channel(sink, HubConfig(throttle_ms=40)) as client:
            for i in range(200):
                client.offer("k", EncodedMessage(str(i).encode()))
                await asyncio.sleep(0.002)
            await wait_until(lambda: sink.payloads() and sink.payloads()[-1] == b"199")
        times = [t for t, _ in sink.writes]
        assert all(later - earlier >= 0.040 * 0.9 for earlier, later in zip(times, times[1:], strict=False))
        values = [int(p) for p in sink.payloads()]
        assert values == sorted(set(values)) and values[-1] == 199

    async def test_backlogged_client_keeps_only_the_newest_value_per_symbol(self):
        sink = RecordingSink()
        async with channel(sink, HubConfig(throttle_ms=10, client_write_buffer_bytes=1000,
                                           stuck_client_seconds=30)) as client:
            sink.backlog = 10_000  # the socket is not draining
            for i in range(5000):
                client.offer(("a", i % 3), EncodedMessage(f"{i % 3}:{i}".encode()))
            await asyncio.sleep(0.1)
            assert sink.writes == [] and len(client._pending) == 3  # bounded by the symbols held
            sink.backlog = 0
            await wait_until(lambda: len(sink.payloads()) == 3)
            assert sorted(sink.payloads()) == [b"0:4998", b"1:4999", b"2:4997"]

    async def test_client_stuck_over_the_bound_is_closed_with_a_reason(self):
        sink = RecordingSink()
        async with channel(sink, HubConfig(throttle_ms=10, client_write_buffer_bytes=1000,
                                           stuck_client_seconds=0.3)) as client:
            sink.backlog = 10_000
            client.offer("k", EncodedMessage(b"x"))
            await wait_until(lambda: sink.closed_with is not None)
        assert sink.closed_with[0] == CLOSE_SLOW_CONSUMER and "slow consumer" in sink.closed_with[1]

    async def test_unthrottled_queue_overflow_closes_instead_of_growing(self):
        sink = RecordingSink()
        async with channel(sink, HubConfig(throttle_ms=0, max_queued_messages=100)) as client:
            for i in range(150):  # no await: the writer cannot run in between
                client.offer("k", EncodedMessage(b"%d" % i))
            await wait_until(lambda: sink.closed_with is not None)
        assert "more than 100 messages queued" in sink.closed_with[1]


async def open_and_never_read(port: int):
    """A WebSocket client that completes the handshake and then never reads a byte."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    await reader.readuntil(b"\r\n\r\n")
    auth = b'{"action":"authenticate","api_key":"key-bob"}'
    subscribe = b'{"action":"subscribe","symbol":"SBIN","exchange":"NSE","mode":3,"depth":5}'
    for payload in (auth, subscribe):  # masked client frames (mask of zeros)
        writer.write(bytes((0x81, 0x80 | len(payload))) + b"\0\0\0\0" + payload)
    await writer.drain()
    return reader, writer


class TestSlowClientOverASocket:
    async def test_stuck_socket_is_dropped_and_never_delays_a_healthy_client(self):
        config = HubConfig(throttle_ms=0, client_write_buffer_bytes=32_768, stuck_client_seconds=1.0,
                           max_queued_messages=1_000_000)
        async with running_hub(config) as harness:
            healthy = await harness.client()
            await healthy.request({"action": "subscribe", **SBIN, "mode": 3})
            _, stuck_writer = await open_and_never_read(harness.listener.port)
            await wait_until(lambda: len(harness.hub.clients) == 2
                             and len(harness.hub.index.get(("simulator", "NSE", "SBIN")).client_modes) == 2)
            emitted = 0
            deadline = time.monotonic() + 30
            while not any(c.close_reason for c in harness.hub.clients) and time.monotonic() < deadline:
                for _ in range(100):
                    emitted += 1
                    harness.upstream.emit("NSE", "SBIN", float(emitted))
                await asyncio.sleep(0.01)
            reasons = [c.close_reason for c in harness.hub.clients if c.close_reason]
            assert reasons and reasons[0].startswith("slow consumer"), reasons
            received = [(await healthy.next(is_tick))["data"]["ltp"] for _ in range(emitted)]
            assert received == [float(i) for i in range(1, emitted + 1)]
            stuck_writer.close()


class PeerWaitingSink(RecordingSink):
    """A sink whose writes wait for the peer (like an ASGI websocket); `release` lets them finish."""

    writes_may_block = True

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def send_messages(self, messages):
        await self.release.wait()
        self.write_nowait(messages)


class TestSinksThatWait:
    async def test_writes_in_flight_coalesce_what_follows(self):
        sink = PeerWaitingSink()
        async with channel(sink, HubConfig(throttle_ms=10, stuck_client_seconds=30)) as client:
            client.offer("k", EncodedMessage(b"1"))
            await asyncio.sleep(0.05)  # "1" is in flight, waiting on the peer
            for i in range(2, 100):
                client.offer("k", EncodedMessage(b"%d" % i))
            await asyncio.sleep(0.05)
            sink.release.set()
            await wait_until(lambda: sink.payloads() and sink.payloads()[-1] == b"99")
            assert sink.payloads() == [b"1", b"99"]

    async def test_a_write_blocked_too_long_closes_the_client(self):
        sink = PeerWaitingSink()
        async with channel(sink, HubConfig(throttle_ms=10, stuck_client_seconds=0.3)) as client:
            client.offer("k", EncodedMessage(b"1"))
            await wait_until(lambda: sink.closed_with is not None)
            assert sink.closed_with[0] == CLOSE_SLOW_CONSUMER and "blocked" in sink.closed_with[1]
