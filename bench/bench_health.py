"""`/health` latency and throughput at several concurrencies, and leak check over 10,000 requests."""

from __future__ import annotations

from bench.harness import load, print_table, running_server

CONCURRENCIES = (1, 8, 32)


def run(workers: int = 1) -> None:
    with running_server(workers=workers) as server:
        print(f"\n== /health, {workers} worker(s); first answer {server.startup_seconds} s after launch")
        load(server, path="/health", concurrency=8, requests=500)  # warm-up
        rows = [load(server, path="/health", concurrency=c, requests=3000 if c == 1 else 6000)
                for c in CONCURRENCIES]
        print_table("GET /health", rows)
        fds_before, rss_before = server.open_fds(), server.rss_mb()
        load(server, path="/health", concurrency=32, requests=10_000)
        fds_after, rss_after = server.open_fds(), server.rss_mb()
        print(f"\nresources over 10,000 requests: open fds {fds_before} -> {fds_after}, "
              f"RSS {rss_before} MB -> {rss_after} MB")


def main() -> None:
    run(workers=1)
    run(workers=2)


if __name__ == "__main__":
    main()
