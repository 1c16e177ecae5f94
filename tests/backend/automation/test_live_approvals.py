"""Two people approve the same pending order at the same moment, against the real server over
real sockets: on SQLite (one worker) and on PostgreSQL with two worker processes, where the two
requests may land in different processes. The order executes exactly once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.backend.automation.conftest import ORDER
from tests.backend.sandbox.test_crash import cli
from tests.conftest import _truncate_postgres, run_in_thread, start_live_server, stop_live_server
from tests.fixtures.accounts import TEST_PASSWORD

ROUNDS = 6


async def signed_in(base_url: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=30)
    response = await client.post("/auth/login", json={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["data"]["csrf_token"]
    return client


async def approve_twice_each(tmp_path, env: dict[str, str], workers: int) -> None:
    server = start_live_server(tmp_path, extra_env=env, workers=workers)
    try:
        cli(server, "user", "create", "--username", "approver", "--password-stdin", stdin=f"{TEST_PASSWORD}\n")
        apikey = cli(server, "apikey", "show", "--username", "approver")
        first, second = [await signed_in(server.base_url, "approver") for _ in range(2)]  # two browsers
        try:
            assert (await first.put("/web/action-center/mode", json={"mode": "semi_auto"})).status_code == 200
            for _ in range(ROUNDS):
                queued = await first.post("/api/v1/placeorder", json={"apikey": apikey, **ORDER})
                pending_id = queued.json()["pending_order_id"]
                url = f"/web/action-center/orders/{pending_id}/approve"
                answers = await asyncio.gather(first.post(url), second.post(url))
                assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
            book = (await first.post("/api/v1/orderbook", json={"apikey": apikey})).json()["data"]["orders"]
            assert len(book) == ROUNDS
            history = (await second.get("/web/action-center/orders", params={"status": "all"})).json()["data"]
            assert history["statistics"]["total_approved"] == ROUNDS
        finally:
            await first.aclose()
            await second.aclose()
    finally:
        stop_live_server(server)
    assert "Traceback" not in server.log, server.log


async def test_simultaneous_approvals_execute_once_sqlite(tmp_path):
    await approve_twice_each(tmp_path, {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"}, workers=1)


@pytest.mark.postgres
async def test_simultaneous_approvals_execute_once_postgres_two_workers(tmp_path, postgres_database, redis_prefix,
                                                                        redis_url):
    env = {"DATABASE_URL": postgres_database, "REDIS_URL": redis_url, "RATE_LIMIT_KEY_PREFIX": redis_prefix + "rl"}
    try:
        await approve_twice_each(tmp_path, env, workers=2)
    finally:
        run_in_thread(lambda: _truncate_postgres(postgres_database))  # as the database_url fixture does
