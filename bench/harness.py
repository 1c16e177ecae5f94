"""Start a real server, drive it from a separate load process, read its RSS and open descriptors."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    data_dir: Path
    env: dict[str, str]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The server process and its workers (uvicorn forks workers when --workers > 1)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def rss_mb(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except FileNotFoundError:
                pass
        return round(total / 1024, 1)

    def cpu_seconds(self) -> float:
        """User + system CPU the server and its workers have used (robust to a busy machine, unlike
        wall time: other processes stretch the wall clock, not our CPU)."""
        total = 0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (FileNotFoundError, IndexError):
                pass
        return round(total / tick, 2)

    def open_fds(self) -> int:
        return sum(len(os.listdir(f"/proc/{pid}/fd")) for pid in self.pids() if Path(f"/proc/{pid}").exists())


BYTECODE_CACHE = Path(tempfile.gettempdir()) / "algogate-bench-pycache"


def bytecode_env(cached: bool) -> dict[str, str]:
    """Start-up with or without compiled bytecode. An installed deployment has its .pyc files;
    a checkout run with PYTHONDONTWRITEBYTECODE=1 (as in CI sandboxes) compiles ~1,300 modules
    from source on every launch. The cache lives outside the tree (PYTHONPYCACHEPREFIX)."""
    if cached:
        return {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(BYTECODE_CACHE)}
    return {"PYTHONDONTWRITEBYTECODE": "1"}


@contextmanager
def running_server(workers: int = 1, extra_env: dict[str, str] | None = None, data_dir: Path | None = None):
    """`data_dir`: reuse a previous run's data (a restart) instead of a fresh directory."""
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="algogate-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "APP_KEY": secrets.token_hex(32),
        "API_KEY_PEPPER": secrets.token_hex(32),
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "WEBSOCKET_PORT": "0",
        **(extra_env or {}),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=data_dir, env=env, stdout=subprocess.DEVNULL, stderr=open(data_dir / "server.log", "wb"),
    )
    server = Server(port, process, data_dir, env)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError((data_dir / "server.log").read_text())
            try:
                if httpx.get(f"{server.base_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        server.startup_seconds = round(time.perf_counter() - started, 2)  # type: ignore[attr-defined]
        server.startup_cpu_seconds = server.cpu_seconds()  # type: ignore[attr-defined]
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def load(server: Server, *, path: str, method: str = "GET", bodies: list[dict] | None = None,
         concurrency: int = 1, requests: int = 1000) -> dict:
    command = [sys.executable, "-m", "bench.loadgen", "--port", str(server.port), "--path", path,
               "--method", method, "--concurrency", str(concurrency), "--requests", str(requests)]
    if bodies:
        command += ["--bodies", json.dumps(bodies)]
    cpu_before = server.cpu_seconds()
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    row = json.loads(output)
    # Server CPU per request: unlike latency, it barely moves when other processes share the cores.
    row["cpu_ms"] = round((server.cpu_seconds() - cpu_before) * 1000 / max(row["requests"], 1), 3)
    return row


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(f"{'conc':>5} {'requests':>9} {'rps':>9} {'min ms':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'cpu ms/req':>10}  statuses")
    for row in rows:
        print(f"{row['concurrency']:>5} {row['requests']:>9} {row['rps']:>9.1f} {row['min_ms']:>8.2f} "
              f"{row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['max_ms']:>8.2f} {row.get('cpu_ms', 0):>10.3f}  "
              f"{row['statuses']}")
