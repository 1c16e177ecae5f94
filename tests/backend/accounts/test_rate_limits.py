"""Rate limits: login 5/minute, configurable API limits, 429 envelope with Retry-After, Redis storage."""

from __future__ import annotations

import pytest
from fastapi import APIRouter

from backend.core.ratelimit import enabled_limit_names, rate_limit
from tests.conftest import make_settings

WRONG = {"username": "nobody", "password": "Wrong-pass-1"}
LIMITED = {"status": "error", "message": "Rate limit exceeded. Please slow down your requests."}


def probe_router() -> APIRouter:
    router = APIRouter()

    @router.post("/api/v1/_order_probe", dependencies=[rate_limit("order")])
    async def order_probe() -> dict:
        return {"status": "success"}

    @router.post("/api/v1/_other_probe", dependencies=[rate_limit("order")])
    async def other_probe() -> dict:
        return {"status": "success"}

    return router


class TestLogin:
    async def test_sixth_login_in_a_minute_is_429(self, client):
        statuses = [(await client.post("/auth/login", json=WRONG)).status_code for _ in range(6)]
        assert statuses == [401] * 5 + [429]
        response = await client.post("/auth/login", json=WRONG)
        assert response.status_code == 429
        assert response.json() == LIMITED
        assert 1 <= int(response.headers["Retry-After"]) <= 60

    async def test_limit_is_per_client_ip(self, custom_app):
        import httpx

        async with custom_app() as (app, client):
            for _ in range(5):
                await client.post("/auth/login", json=WRONG)
            assert (await client.post("/auth/login", json=WRONG)).status_code == 429
            other_ip = httpx.ASGITransport(app=app, client=("10.1.2.3", 40000))
            async with httpx.AsyncClient(transport=other_ip, base_url="http://testserver") as other:
                assert (await other.post("/auth/login", json=WRONG)).status_code == 401

    async def test_hourly_limit_of_a_compound_setting(self, custom_app):
        async with custom_app(login_rate_limit="100 per minute;3 per hour") as (app, client):
            statuses = [(await client.post("/auth/login", json=WRONG)).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]


class TestApiLimits:
    async def test_order_limit_applies_when_enabled(self, custom_app):
        async with custom_app(rate_limit_enabled=True, order_rate_limit="3 per second") as (app, client):
            app.include_router(probe_router())
            statuses = [(await client.post("/api/v1/_order_probe")).status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            # a separate counter per endpoint, as OpenAlgo
            assert (await client.post("/api/v1/_other_probe")).status_code == 200

    async def test_disabled_entirely(self, custom_app):
        async with custom_app(rate_limit_enabled=False) as (app, client):
            statuses = [(await client.post("/auth/login", json=WRONG)).status_code for _ in range(7)]
        assert 429 not in statuses

    def test_test_environment_keeps_only_the_login_limit(self, tmp_path):
        assert enabled_limit_names(make_settings(tmp_path)) == {"login"}
        assert "order" in enabled_limit_names(make_settings(tmp_path, environment="production"))
        assert enabled_limit_names(make_settings(tmp_path, rate_limit_enabled=False)) == set()

    def test_invalid_limit_string_is_a_settings_error(self, tmp_path):
        from pydantic import ValidationError

        with pytest.raises(ValidationError, match="order_rate_limit"):
            make_settings(tmp_path, order_rate_limit="lots")


@pytest.mark.redis
class TestRedisStorage:
    async def test_limit_holds_across_two_workers(self, custom_app, redis_url, redis_prefix):
        settings = {"redis_url": redis_url, "rate_limit_key_prefix": redis_prefix.rstrip(":")}
        async with custom_app(**settings) as (_, first), custom_app(**settings) as (_, second):
            statuses = []
            for attempt in range(6):
                worker = first if attempt % 2 == 0 else second
                statuses.append((await worker.post("/auth/login", json=WRONG)).status_code)
        assert statuses == [401] * 5 + [429]
