"""Traffic and API logs: off the request path, batched, redacted, complete after a burst and a
clean shutdown; per-user views; retention."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import func, select, update

from backend.api.deps import ApiUser
from backend.core.clock import utcnow
from backend.core.db import Database
from backend.domains.monitoring.models import ApiLog, TrafficLog
from backend.domains.monitoring.writer import LogWriter
from tests.conftest import make_settings
from tests.fixtures.accounts import make_user

BURST = 2000


def add_probe(app) -> None:
    @app.post("/api/v1/_burst")
    async def burst(user: ApiUser) -> dict:
        return {"status": "success", "data": {"user": user.username}}


async def fire(client, key: str, count: int, concurrency: int = 50) -> list[float]:
    """`count` API calls, `concurrency` at a time; returns each call's latency in ms."""
    latencies: list[float] = []

    async def one() -> None:
        started = time.perf_counter()
        response = await client.post("/api/v1/_burst", json={"apikey": key})
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200

    for start in range(0, count, concurrency):
        await asyncio.gather(*(one() for _ in range(min(concurrency, count - start))))
    return latencies


async def count_rows(settings, model) -> int:
    db = Database.from_settings(settings)
    try:
        async with db.log_sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model)))
    finally:
        await db.dispose()


class TestBurst:
    async def test_burst_loses_nothing_and_shutdown_flushes(self, custom_app):
        async with custom_app() as (app, client):
            add_probe(app)
            _, key = await make_user(app, "burster")
            await fire(client, key, BURST)
            settings = app.state.settings
            writer = app.state.log_writer
        # The lifespan has ended: everything queued must be in the store, nothing dropped.
        assert writer.dropped == 0 and writer.failed == 0
        assert await count_rows(settings, ApiLog) == BURST
        assert await count_rows(settings, TrafficLog) == BURST

    async def test_a_stalled_log_store_does_not_stall_requests(self, custom_app):
        """Lock the log table so every insert waits; requests must still answer at full speed,
        and once the lock goes every row arrives. (p99 with vs without logging: bench/bench_logging.py.)"""
        async with custom_app(sqlite_busy_timeout_ms=30_000) as (app, client):
            add_probe(app)
            _, key = await make_user(app, "staller")
            await fire(client, key, 5)
            await app.state.log_writer.flush()
            async with app.state.db.logs_engine.connect() as blocker:
                if blocker.dialect.name == "sqlite":
                    await blocker.exec_driver_sql("BEGIN EXCLUSIVE")
                else:
                    await blocker.exec_driver_sql("BEGIN")
                    await blocker.exec_driver_sql("LOCK TABLE traffic_logs, api_logs IN ACCESS EXCLUSIVE MODE")
                started = time.perf_counter()
                latencies = await fire(client, key, 300, concurrency=10)
                elapsed = time.perf_counter() - started
                await asyncio.sleep(app.state.log_writer.linger * 3)  # the writer is now stuck on the lock
                assert app.state.log_writer.written["api"] == 5  # nothing got past the lock yet
                await blocker.rollback()
            await app.state.log_writer.flush()
            writer = app.state.log_writer
            assert writer.written["api"] == 305 and writer.dropped == 0 and writer.failed == 0
        # Nothing waited for the lock: had logging been on the request path, each call would
        # have blocked until the rollback.
        assert max(latencies) < 2000 and elapsed < 10


class TestContents:
    async def test_rows_carry_user_status_and_redacted_bodies(self, app, client, api_key):
        add_probe(app)
        await client.post("/api/v1/_burst", json={"apikey": api_key, "password": "Hunter-2-xyz",
                                                  "nested": {"access_token": "tok-123"}})
        await client.post("/api/v1/_burst", json={"apikey": "0" * 64})
        await app.state.log_writer.flush()
        async with app.state.db.log_sessions() as session:
            rows = list(await session.scalars(select(ApiLog).order_by(ApiLog.id)))
            traffic = list(await session.scalars(select(TrafficLog).order_by(TrafficLog.id)))
        assert [r.status for r in rows] == [200, 403]
        assert rows[0].user_id is not None and rows[1].user_id is None
        stored = rows[0].request_body + rows[0].response_body + rows[1].request_body
        for secret in (api_key, "Hunter-2-xyz", "tok-123", "0" * 64):
            assert secret not in stored
        assert '"apikey":"***"' in rows[0].request_body and '"user":"trader1"' in rows[0].response_body
        assert [(t.method, t.path, t.status) for t in traffic] == [("POST", "/api/v1/_burst", 200),
                                                                   ("POST", "/api/v1/_burst", 403)]
        assert traffic[0].client_ip == "127.0.0.1" and traffic[0].duration_ms > 0 and traffic[0].request_id

    async def test_non_json_body_is_redacted_by_pattern(self, app, client, api_key):
        add_probe(app)
        await client.post("/api/v1/_burst", content=f"apikey={api_key}".encode(),
                          headers={"content-type": "text/plain", "x-api-key": api_key})
        await app.state.log_writer.flush()
        async with app.state.db.log_sessions() as session:
            row = (await session.scalars(select(ApiLog))).one()
        assert api_key not in row.request_body

    async def test_health_probes_are_not_logged(self, app, client):
        await client.get("/health")
        await app.state.log_writer.flush()
        async with app.state.db.log_sessions() as session:
            assert await session.scalar(select(func.count()).select_from(TrafficLog)) == 0


class TestViews:
    async def test_users_see_only_their_own_rows(self, app, web_client, client):
        add_probe(app)
        _, other_key = await make_user(app, "other1")
        mine = (await web_client.get("/web/apikey")).json()["data"]["api_key"]
        await client.post("/api/v1/_burst", json={"apikey": mine})
        await client.post("/api/v1/_burst", json={"apikey": other_key})
        await app.state.log_writer.flush()
        api_rows = (await web_client.get("/web/logs/api")).json()["data"]
        assert len(api_rows) == 1 and "webuser1" in api_rows[0]["response"]
        traffic = (await web_client.get("/web/logs/traffic")).json()["data"]
        assert traffic and all(r["user_id"] == traffic[0]["user_id"] for r in traffic)
        assert (await web_client.get("/web/logs/traffic", params={"all_users": "true"})).status_code == 403

    async def test_admin_sees_all_traffic(self, app, admin_client):
        await admin_client.get("/nothing-here.php")
        await app.state.log_writer.flush()
        rows = (await admin_client.get("/web/logs/traffic", params={"all_users": "true"})).json()["data"]
        assert "/nothing-here.php" in [r["path"] for r in rows]

    async def test_bad_paging_is_400(self, web_client):
        assert (await web_client.get("/web/logs/api", params={"limit": 0})).status_code == 400
        assert (await web_client.get("/web/logs/traffic", params={"limit": "x"})).status_code == 400

    async def test_logs_need_a_session(self, client):
        assert (await client.get("/web/logs/api")).status_code == 401


class TestWriter:
    async def test_full_queue_drops_and_counts_instead_of_blocking(self, tmp_path):
        writer = LogWriter(make_settings(tmp_path, log_queue_size=100))
        writer._closed = False  # accepting, but nobody drains: the store is "down"
        accepted = [writer.submit("traffic", {}) for _ in range(150)]
        assert accepted.count(True) == 100 and writer.dropped == 50

    async def test_retention_prunes_old_rows(self, app, client):
        await client.get("/auth/session")
        await client.get("/auth/session")
        await app.state.log_writer.flush()
        async with app.state.db.log_sessions() as session:
            first = await session.scalar(select(func.min(TrafficLog.id)))
            await session.execute(update(TrafficLog).where(TrafficLog.id == first)
                                  .values(created_at=utcnow() - timedelta(days=31)))
            await session.commit()
        assert await app.state.log_writer.prune() == 1
        async with app.state.db.log_sessions() as session:
            assert await session.scalar(select(func.count()).select_from(TrafficLog)) == 1
