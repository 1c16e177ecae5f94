"""Launch to first answer, and idle RSS, for one worker (issue 5: under 2 s, under 150 MB).

Three launches, each repeated (medians reported):
- fresh data directory, no bytecode cache (a checkout with PYTHONDONTWRITEBYTECODE=1);
- fresh data directory, bytecode cached (an installed deployment's first start: migrations run);
- restart on that data directory, bytecode cached (the everyday case: nothing to migrate).
Wall time stretches when other processes share the cores; the server's CPU seconds up to the
first answer do not, so both are shown. RSS is read at the first answer, again once start-up's
background work (option chains, the master write) is done, and once more after the first Socket.IO
handshake (the web app's socket: the Socket.IO server and its libraries load on first use).

    uv run python -m bench startup          (BENCH_REPEATS=5 for more repeats)
"""

from __future__ import annotations

import os
import statistics
import time

import httpx

from bench.harness import bytecode_env, running_server

SETTLE_SECONDS = 8.0


def launch(cached: bool, data_dir=None, settle: bool = False) -> dict:
    env = {"RATE_LIMIT_ENABLED": "false", **bytecode_env(cached)}
    with running_server(extra_env=env, data_dir=data_dir) as server:
        row = {"wall": server.startup_seconds, "cpu": server.startup_cpu_seconds, "rss": server.rss_mb(),
               "data_dir": server.data_dir}
        if settle:
            time.sleep(SETTLE_SECONDS)
            row["rss_settled"] = server.rss_mb()
            handshake = httpx.get(f"{server.base_url}/socket.io/?EIO=4&transport=polling", timeout=10)
            handshake.raise_for_status()
            time.sleep(1.0)
            row["rss_socketio"] = server.rss_mb()
    return row


def main() -> None:
    repeats = int(os.environ.get("BENCH_REPEATS", "3"))
    launch(cached=True)  # fill the bytecode cache
    kinds = {"fresh, no bytecode cache": [], "fresh, bytecode cached": [], "restart, bytecode cached": []}
    for _ in range(repeats):
        kinds["fresh, no bytecode cache"].append(launch(cached=False))
        fresh = launch(cached=True)
        kinds["fresh, bytecode cached"].append(fresh)
        kinds["restart, bytecode cached"].append(launch(cached=True, data_dir=fresh["data_dir"], settle=True))
    print(f"\nStart-up, 1 worker, medians of {repeats}")
    print(f"{'launch':<28} {'first answer s':>15} {'CPU s':>7} {'RSS MB':>8} {'RSS settled MB':>15} "
          f"{'+ Socket.IO MB':>15}")
    for name, rows in kinds.items():
        settled = [r["rss_settled"] for r in rows if "rss_settled" in r]
        socketio = [r["rss_socketio"] for r in rows if "rss_socketio" in r]
        print(f"{name:<28} {statistics.median(r['wall'] for r in rows):>15.2f} "
              f"{statistics.median(r['cpu'] for r in rows):>7.2f} {statistics.median(r['rss'] for r in rows):>8.1f} "
              f"{(statistics.median(settled) if settled else float('nan')):>15.1f} "
              f"{(statistics.median(socketio) if socketio else float('nan')):>15.1f}")


if __name__ == "__main__":
    main()
