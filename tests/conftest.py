"""Shared fixtures: settings, databases (SQLite and PostgreSQL), Redis, app clients, a live server.

PostgreSQL and Redis tests skip with a reason on a laptop without them, and fail under CI=true.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from backend.core.db import Base, LogBase
from backend.core.settings import Settings
from backend.main import create_app

pytest_plugins = ["tests.fixtures.accounts", "tests.fixtures.symbols", "tests.fixtures.sandbox",
                  "tests.fixtures.streaming"]

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

TEST_SECRETS = {"app_key": "k" * 40, "api_key_pepper": "p" * 40}


def service_missing(what: str, why: str) -> None:
    """Skip on a laptop without the service; fail in CI, where it is mandatory."""
    message = f"{what} not reachable ({why}); start it or set TEST_POSTGRES_URL / TEST_REDIS_URL"
    if IN_CI:
        pytest.fail(f"CI requires {message}", pytrace=False)
    pytest.skip(message)


def make_settings(tmp_path: Path, **overrides) -> Settings:
    values = {**TEST_SECRETS, "data_dir": tmp_path, "environment": "test", "log_level": "WARNING",
              "websocket_port": 0}
    values.update(overrides)
    return Settings(_env_file=None, **values)


# --- PostgreSQL: one throw-away database per test run ---------------------------------------


def run_in_thread(coro_factory):
    """Run a coroutine to completion on a private loop (usable from sync and async fixtures alike)."""
    result: dict = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro_factory())
        except BaseException as exc:  # re-raised in the caller
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    name = f"algogate_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def admin(statement: str) -> None:
        engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(statement))
        finally:
            await engine.dispose()

    try:
        run_in_thread(lambda: admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        service_missing("PostgreSQL", f"{type(exc).__name__}: {exc}".splitlines()[0])
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    run_in_thread(lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate_postgres(url: str) -> None:
    """Empty every table of ours that exists (models can be ahead of migrations mid-change)."""
    engine = create_async_engine(url)
    ours = {t.name for t in [*Base.metadata.sorted_tables, *LogBase.metadata.sorted_tables]}
    async with engine.begin() as conn:
        rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        tables = sorted(ours & {row[0] for row in rows})
        if tables:
            names = ", ".join(f'"{t}"' for t in tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> Iterator[str]:
    """Runs the test once on a fresh SQLite file and once on PostgreSQL (tables emptied after)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'algogate.db'}"
        return
    url = request.getfixturevalue("postgres_database")
    yield url
    run_in_thread(lambda: _truncate_postgres(url))


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return make_settings(tmp_path, database_url=database_url)


@pytest.fixture
async def app(settings) -> AsyncIterator:
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=30):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def db(app):
    return app.state.db


# --- Redis: a key prefix of our own per test run ---------------------------------------------


@pytest.fixture(scope="session")
async def redis_url() -> AsyncIterator[str]:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_TEST_URL)
    try:
        await asyncio.wait_for(client.ping(), timeout=2)
    except Exception as exc:
        await client.aclose()
        service_missing("Redis", f"{type(exc).__name__}: {exc}")
    yield REDIS_TEST_URL
    await client.aclose()


@pytest.fixture
async def redis_prefix(redis_url) -> AsyncIterator[str]:
    import redis.asyncio as redis

    prefix = f"algogate-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.from_url(redis_url)
    async for key in client.scan_iter(match=f"{prefix}*"):
        await client.delete(key)
    await client.aclose()


# --- A real server process on an ephemeral port ----------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, base_url: str, process: subprocess.Popen, env: dict[str, str], log_path: Path):
        self.base_url = base_url
        self.process = process
        self.env = env
        self.log_path = log_path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_live_server(tmp_path: Path, extra_env: dict[str, str] | None = None, workers: int = 1) -> LiveServer:
    port = free_port()
    env = {
        **os.environ,
        "APP_KEY": TEST_SECRETS["app_key"],
        "API_KEY_PEPPER": TEST_SECRETS["api_key_pepper"],
        "DATA_DIR": str(tmp_path / "data"),
        "ENVIRONMENT": "test",
        "WEBSOCKET_PORT": "0",
        **(extra_env or {}),
    }
    log_path = tmp_path / f"server-{port}.log"
    command = [sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return LiveServer(base_url, process, env, log_path)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start:\n{log_path.read_text()}")


def stop_live_server(server: LiveServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path)
    yield server
    stop_live_server(server)
