"""Feed fan-out benchmark: N clients × M symbols, upstream at R ticks/s per symbol.

    uv run python -m bench.bench_feed [--clients 1000 --symbols 10 --universe 100 --rate 20]

Each scenario starts the hub server as its own process(es) (`bench.feed_hub_server`, a synthetic
upstream inside, as a broker adapter would be) and the load as another (`bench.feed_load`, raw
sockets over loopback). Reported: delivered market_data messages/s, tick→receipt latency
p50/p90/p99 (upstream emit time in `ltt`, ms resolution, so it includes the coalescing wait),
server CPU (cores, from /proc over the measurement window) and peak RSS. Scenarios: one worker
with the 50 ms throttle, one worker forwarding every tick (0 ms), and two workers sharing the feed
port (SO_REUSEPORT) over Redis when a Redis server answers at $BENCH_REDIS_URL
(default redis://127.0.0.1:6379/0). Results also go to bench/results/feed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, args, redis_url: str = "", prefix: str = "") -> subprocess.Popen:
    command = [sys.executable, "-m", "bench.feed_hub_server", "--port", str(port), "--rate", str(args.rate),
               "--throttle-ms", str(args.throttle_ms)]
    if redis_url:
        command += ["--redis", redis_url, "--redis-prefix", prefix]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        raise RuntimeError(f"bench server did not start: {line!r}")
    return process


def run_scenario(name: str, args, workers: int = 1, redis_url: str = "") -> dict:
    port = free_port()
    prefix = f"algogate-bench:{uuid.uuid4().hex[:8]}:"
    servers = [start_server(port, args, redis_url, prefix) for _ in range(workers)]
    load = subprocess.Popen(
        [sys.executable, "-m", "bench.feed_load", "--port", str(port), "--clients", str(args.clients),
         "--symbols", str(args.symbols), "--universe", str(args.universe), "--mode", str(args.mode),
         "--warmup", str(args.warmup), "--duration", str(args.duration)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    window: dict[str, object] = {}
    peak_rss = [0] * workers

    def sample_memory() -> None:
        while load.poll() is None:
            for i, server in enumerate(servers):
                peak_rss[i] = max(peak_rss[i], memory_kib(server.pid, "VmRSS"))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    result = None
    for line in load.stdout:
        line = line.strip()
        if line == "MEASURE_START":
            window["start"] = (time.monotonic(), [cpu_seconds(s.pid) for s in servers])
        elif line == "MEASURE_END":
            window["end"] = (time.monotonic(), [cpu_seconds(s.pid) for s in servers])
        elif line.startswith("{"):
            result = json.loads(line)
    load.wait()
    for server in servers:
        server.terminate()
        server.wait(timeout=30)
    if result is None or "start" not in window or "end" not in window:
        raise RuntimeError(f"{name}: the load process failed")
    (t0, cpu0), (t1, cpu1) = window["start"], window["end"]
    result.update(scenario=name, workers=workers, throttle_ms=args.throttle_ms,
                  upstream_ticks_per_second=args.universe * args.rate,
                  server_cpu_cores=[round((b - a) / (t1 - t0), 2) for a, b in zip(cpu0, cpu1, strict=True)],
                  server_peak_rss_mb=[round(kib / 1024) for kib in peak_rss],
                  load_average=os.getloadavg()[0])
    # Contention-independent efficiency: server CPU time per delivered message.
    total_cores = sum(result["server_cpu_cores"])
    result["server_cpu_us_per_message"] = round(total_cores * 1e6 / max(result["messages_per_second"], 1), 2)
    return result


def redis_available(url: str) -> bool:
    import asyncio

    import redis.asyncio as redis

    async def ping() -> bool:
        client = redis.from_url(url)
        try:
            return bool(await asyncio.wait_for(client.ping(), timeout=2))
        except Exception:
            return False
        finally:
            await client.aclose()

    return asyncio.run(ping())


def describe(result: dict) -> str:
    lat = result["latency_ms"]
    return (f"{result['scenario']:<34} {result['messages_per_second']:>9,} msg/s  "
            f"p50 {lat['p50']:>3} ms  p90 {lat['p90']:>3} ms  p99 {lat['p99']:>4} ms  "
            f"server CPU {'+'.join(map(str, result['server_cpu_cores']))} cores  "
            f"({result['server_cpu_us_per_message']} µs CPU/msg)  "
            f"RSS {'+'.join(map(str, result['server_peak_rss_mb']))} MB  "
            f"[load process {result['load_process_cpu_cores']} cores, {result['closed_early']} dropped, "
            f"machine load avg {result['load_average']:.1f}]")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--symbols", type=int, default=10, help="symbols per client")
    parser.add_argument("--universe", type=int, default=100, help="distinct symbols")
    parser.add_argument("--rate", type=float, default=20.0, help="upstream ticks/s per symbol")
    parser.add_argument("--mode", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--only", choices=["throttled", "every-tick", "redis"], action="append")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    wanted = set(args.only or ["throttled", "every-tick", "redis"])
    print(f"{args.clients} clients × {args.symbols} symbols of {args.universe}, {args.rate:g} ticks/s per symbol "
          f"(demand ≈ {args.clients * args.symbols * args.rate:,.0f} msg/s before coalescing), {os.cpu_count()} CPUs")
    results = []
    throttle = 50.0
    if "throttled" in wanted:
        args.throttle_ms = throttle
        results.append(run_scenario("1 worker, 50 ms throttle", args))
        print(describe(results[-1]), flush=True)
    if "every-tick" in wanted:
        args.throttle_ms = 0.0
        results.append(run_scenario("1 worker, every tick (0 ms)", args))
        print(describe(results[-1]), flush=True)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    if "redis" in wanted:
        if redis_available(redis_url):
            args.throttle_ms = throttle
            results.append(run_scenario("2 workers + Redis, 50 ms throttle", args, workers=2, redis_url=redis_url))
            print(describe(results[-1]), flush=True)
        else:
            print(f"2 workers + Redis: skipped, no Redis at {redis_url}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "feed.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
