"""The load side of `bench_feed`: N feed clients on raw asyncio sockets, run as its own process.

A minimal WebSocket client (handshake, masked text frames out, unmasked frames in, pong) that
counts `market_data` messages and reads each message's `ltt` (upstream emit time, ms) to build a
latency histogram, cheaply enough that one process can take a few hundred thousand messages/s.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import time

import orjson

LTT = b'"ltt":'


def client_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    size = len(payload)
    if size < 126:
        header = bytes((0x80 | opcode, 0x80 | size))
    else:
        header = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    return header + b"\0\0\0\0" + payload  # a zero mask leaves the payload as is


class Stats:
    def __init__(self) -> None:
        self.measuring = False
        self.messages = 0
        self.bytes = 0
        self.histogram = [0] * 10_001  # latency in ms, last bucket = 10 s or more
        self.acks = 0
        self.errors = 0
        self.closed = 0


class FeedClientProtocol(asyncio.Protocol):
    def __init__(self, stats: Stats, requests: list[bytes], host: str) -> None:
        self.stats = stats
        self.requests = requests
        self.host = host
        self.buffer = b""
        self.upgraded = False
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET / HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())

    def connection_lost(self, exc) -> None:
        self.stats.closed += 1

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            if b" 101 " not in buffer[:20]:
                self.stats.errors += 1
                self.transport.close()
                return
            self.upgraded = True
            buffer = buffer[end + 4:]
            for request in self.requests:
                self.transport.write(client_frame(request))
        stats = self.stats
        pos = 0
        size = len(buffer)
        while size - pos >= 2:
            length = buffer[pos + 1] & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length = int.from_bytes(buffer[pos + 2:pos + 4], "big")
                head = 4
            elif length == 127:
                if size - pos < 10:
                    break
                length = int.from_bytes(buffer[pos + 2:pos + 10], "big")
                head = 10
            if size - pos < head + length:
                break
            opcode = buffer[pos] & 0x0F
            start = pos + head
            pos = start + length
            if opcode == 0x1:
                at = buffer.find(LTT, start, pos)
                if at < 0:
                    stats.acks += 1
                    continue
                if stats.measuring:
                    end = buffer.find(b",", at, pos)
                    latency = time.time_ns() // 1_000_000 - int(buffer[at + 6:end])
                    stats.messages += 1
                    stats.bytes += length
                    stats.histogram[min(max(latency, 0), 10_000)] += 1
            elif opcode == 0x9:
                self.transport.write(client_frame(buffer[start:pos], 0xA))
            elif opcode == 0x8:
                self.transport.close()
        self.buffer = buffer[pos:]


def percentile(histogram: list[int], fraction: float) -> int:
    total = sum(histogram)
    if not total:
        return -1
    target = total * fraction
    running = 0
    for value, count in enumerate(histogram):
        running += count
        if running >= target:
            return value
    return len(histogram) - 1


async def run(args) -> dict:
    stats = Stats()
    loop = asyncio.get_running_loop()
    rng = random.Random(7)
    universe = [f"SYM{i:04d}" for i in range(args.universe)]
    transports = []
    auth = orjson.dumps({"action": "authenticate", "api_key": "bench"})
    for index in range(args.clients):
        symbols = rng.sample(universe, args.symbols)
        subscribe = orjson.dumps({"action": "subscribe", "mode": args.mode,
                                  "symbols": [{"exchange": "NSE", "symbol": s} for s in symbols]})
        transport, _ = await loop.create_connection(
            lambda subscribe=subscribe: FeedClientProtocol(stats, [auth, subscribe], f"127.0.0.1:{args.port}"),
            "127.0.0.1", args.port)
        transports.append(transport)
        if index % 50 == 49:
            await asyncio.sleep(0.01)
    connected_at = time.monotonic()
    while stats.acks < 2 * args.clients and time.monotonic() - connected_at < 60:  # noqa: ASYNC110 (polls a counter)
        await asyncio.sleep(0.1)
    await asyncio.sleep(args.warmup)
    print("MEASURE_START", flush=True)
    stats.measuring = True
    cpu_before, started = time.process_time(), time.monotonic()
    await asyncio.sleep(args.duration)
    stats.measuring = False
    elapsed = time.monotonic() - started
    print("MEASURE_END", flush=True)
    load_cpu = (time.process_time() - cpu_before) / elapsed
    for transport in transports:
        transport.close()
    return {"clients": args.clients, "acks": stats.acks, "errors": stats.errors, "closed_early": stats.closed,
            "messages": stats.messages, "seconds": round(elapsed, 2),
            "messages_per_second": round(stats.messages / elapsed),
            "mean_bytes": round(stats.bytes / stats.messages) if stats.messages else 0,
            "latency_ms": {"p50": percentile(stats.histogram, 0.50), "p90": percentile(stats.histogram, 0.90),
                           "p99": percentile(stats.histogram, 0.99), "max": percentile(stats.histogram, 1.0)},
            "load_process_cpu_cores": round(load_cpu, 2)}


def raise_fd_limit() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main() -> None:
    raise_fd_limit()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--symbols", type=int, default=10, help="symbols per client")
    parser.add_argument("--universe", type=int, default=100, help="distinct symbols across all clients")
    parser.add_argument("--mode", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    try:
        import uvloop
        result = uvloop.run(run(args))
    except ImportError:
        result = asyncio.run(run(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
