"""A small HTTP/1.1 keep-alive load generator on raw asyncio streams.

Runs as its own process (`python -m bench.loadgen`) so the server under test never shares an
interpreter with the client. Prints one JSON object: per-request latencies summarised, errors, rps.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import orjson


def build_request(method: str, path: str, host: str, body: bytes | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def worker(host: str, port: int, requests: list[bytes], counter: list[int], total: int,
                 latencies: list[int], statuses: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while counter[0] < total:
            index = counter[0]
            counter[0] += 1
            payload = requests[index % len(requests)]
            started = time.perf_counter_ns()
            writer.write(payload)
            status = await read_response(reader)
            latencies.append(time.perf_counter_ns() - started)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


def percentile(sorted_values: list[int], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index] / 1e6


async def run(host: str, port: int, method: str, path: str, bodies: list[bytes | None], concurrency: int,
              total: int) -> dict:
    requests = [build_request(method, path, f"{host}:{port}", body) for body in bodies]
    latencies: list[int] = []
    statuses: dict[int, int] = {}
    counter = [0]
    started = time.perf_counter()
    await asyncio.gather(*(worker(host, port, requests, counter, total, latencies, statuses)
                           for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "concurrency": concurrency, "requests": len(latencies), "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "min_ms": percentile(latencies, 0), "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99), "max_ms": percentile(latencies, 1.0),
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--path", default="/health")
    parser.add_argument("--bodies", help="JSON list of request bodies (objects), used round-robin")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    bodies: list[bytes | None] = [None]
    if args.bodies:
        bodies = [orjson.dumps(body) for body in json.loads(args.bodies)]
    result = asyncio.run(run(args.host, args.port, args.method, args.path, bodies, args.concurrency,
                             args.requests))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
