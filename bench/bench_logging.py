"""Traffic/API logging cost: `/api/v1/ping` p50/p99 with the log writer on and off, same run.

The writer is off the request path (bounded queue, batched inserts), so the two rows should
match within noise; the run alternates on/off twice so machine drift hits both equally.
"""

from __future__ import annotations

import subprocess
import sys

from bench.harness import load, print_table, running_server

REQUESTS = 4000
CONCURRENCY = 16


def api_key_for(server) -> str:
    def cli(*args: str, stdin: str | None = None) -> str:
        result = subprocess.run([sys.executable, "-m", "backend.cli", *args], cwd=server.data_dir, env=server.env,
                                input=stdin, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"algogate {args[0]} failed: {result.stderr.strip()}")
        return result.stdout.strip()

    cli("user", "create", "--username", "bench", "--password-stdin", stdin="Load-Test-2026\n")
    return cli("apikey", "show", "--username", "bench")


def measure(enabled: bool) -> dict:
    env = {"TRAFFIC_LOG_ENABLED": "true" if enabled else "false", "RATE_LIMIT_ENABLED": "false"}
    with running_server(extra_env=env) as server:
        body = [{"apikey": api_key_for(server)}]
        load(server, path="/api/v1/ping", method="POST", bodies=body, concurrency=8, requests=500)  # warm-up
        row = load(server, path="/api/v1/ping", method="POST", bodies=body, concurrency=CONCURRENCY,
                   requests=REQUESTS)
    row["concurrency"] = f"{'on' if enabled else 'off'}/{CONCURRENCY}"
    return row


def main() -> None:
    rows = [measure(enabled) for enabled in (False, True, False, True)]
    print_table("POST /api/v1/ping, traffic+API logging off vs on (alternating)", rows)


if __name__ == "__main__":
    main()
