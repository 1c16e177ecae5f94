"""The OpenAlgo-compatible API under load: ping, quotes, multiquotes (50 symbols) and placeorder in
analyzer mode, at concurrency 1, 8 and 32, on one and two workers; plus RSS when idle and the time
from launch to the first answer. `/health` is measured in the same run as the framework's floor.

Start-up is reported as wall time and as the server's CPU time (the latter holds on a busy
machine); each table has the server's CPU per request next to latency.

Rate limits are switched off for the run (RATE_LIMIT_ENABLED=false), as a load test must.
OpenAlgo 2.0.2.1 on this machine kind (issue 5): ping p50 6.1 ms, 160–230 req/s; a paper
placeorder ≈ 15 orders/s per core; RSS 400–470 MB; 7–12 s to first answer.
"""

from __future__ import annotations

import subprocess
import sys
import time

import httpx

from bench.harness import load, print_table, running_server

CONCURRENCIES = (1, 8, 32)
SETTLE_SECONDS = 8.0  # the search arrays and the master write (3 s delay) finish in the background


def create_user(server) -> str:
    def cli(*args: str, stdin: str = "") -> str:
        return subprocess.run([sys.executable, "-m", "backend.cli", *args], input=stdin, capture_output=True,
                              text=True, check=True, cwd=server.data_dir, env=server.env).stdout.strip()

    cli("user", "create", "--username", "bench", "--password-stdin", stdin="Load-Test-Pass-2026\n")
    return cli("apikey", "show", "--username", "bench")


def fifty_symbols(server, key: str) -> list[dict]:
    rows = httpx.get(f"{server.base_url}/api/v1/instruments", params={"apikey": key, "exchange": "NSE"},
                     timeout=30).json()["data"]
    equities = [row["symbol"] for row in rows if row.get("instrumenttype") in ("EQ", "")]
    return [{"symbol": symbol, "exchange": "NSE"} for symbol in equities[:50]]


def run(workers: int, requests: int) -> None:
    with running_server(workers=workers, extra_env={"RATE_LIMIT_ENABLED": "false"}) as server:
        print(f"\n== API v1, {workers} worker(s): first answer {server.startup_seconds} s after launch "
              f"({server.startup_cpu_seconds} s of CPU), RSS {server.rss_mb()} MB at first answer")
        time.sleep(SETTLE_SECONDS)
        print(f"RSS idle {server.rss_mb()} MB once start-up's background work is done ({SETTLE_SECONDS:.0f} s later)")
        key = create_user(server)
        order = {"apikey": key, "strategy": "bench", "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
                 "quantity": "1", "pricetype": "MARKET", "product": "MIS"}
        sell = {**order, "action": "SELL"}
        httpx.post(f"{server.base_url}/api/v1/analyzer/toggle", json={"apikey": key, "mode": True}, timeout=10)
        cases = [
            ("GET /health (floor)", "/health", "GET", None),
            ("POST /api/v1/ping", "/api/v1/ping", "POST", [{"apikey": key}]),
            ("POST /api/v1/quotes", "/api/v1/quotes", "POST", [{"apikey": key, "symbol": "SBIN", "exchange": "NSE"}]),
            ("POST /api/v1/multiquotes (50 symbols)", "/api/v1/multiquotes", "POST",
             [{"apikey": key, "symbols": fifty_symbols(server, key)}]),
            ("POST /api/v1/placeorder (analyzer, MARKET, fills)", "/api/v1/placeorder", "POST", [order, sell]),
        ]
        for title, path, method, bodies in cases:
            load(server, path=path, method=method, bodies=bodies, concurrency=4, requests=200)  # warm-up
            rows = [load(server, path=path, method=method, bodies=bodies, concurrency=c,
                         requests=requests if c > 1 else requests // 2) for c in CONCURRENCIES]
            print_table(title, rows)
        fds_before, rss_before = server.open_fds(), server.rss_mb()
        load(server, path="/api/v1/ping", method="POST", bodies=[{"apikey": key}], concurrency=32, requests=10_000)
        print(f"\nresources over 10,000 pings: open fds {fds_before} -> {server.open_fds()}, "
              f"RSS {rss_before} MB -> {server.rss_mb()} MB")


def main() -> None:
    run(workers=1, requests=3000)
    run(workers=2, requests=3000)


if __name__ == "__main__":
    main()
