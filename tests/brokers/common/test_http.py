"""BrokerHttp against a real loopback server: retries reads, never retries orders, maps errors."""

import asyncio
import time

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from brokers.common.http import BrokerHttp
from brokers.common.ratelimit import TokenBucket
from brokers.contract import BrokerUnavailable, RateLimit, SessionExpired
from tests.fakes.http_server import serve_app


def flaky_broker():
    calls = {"quote": 0, "order": 0}

    async def quote(request):
        calls["quote"] += 1
        if calls["quote"] < 3:
            return JSONResponse({"error": "busy"}, status_code=503)
        return JSONResponse({"ltp": 100.5})

    async def order(request):
        calls["order"] += 1
        return JSONResponse({"error": "gateway"}, status_code=502)

    async def expired(request):
        return JSONResponse({"message": "token expired"}, status_code=401)

    async def rejected(request):
        return JSONResponse({"message": "insufficient funds"}, status_code=400)

    app = Starlette(routes=[Route("/quote", quote), Route("/order", order, methods=["POST"]),
                            Route("/expired", expired), Route("/rejected", rejected, methods=["POST"])])
    return app, calls


class TestBrokerHttp:
    async def test_idempotent_read_is_retried_until_it_succeeds(self):
        app, calls = flaky_broker()
        async with serve_app(app) as url:
            http = BrokerHttp("fakebroker", url, read_retries=2)
            response = await http.request("GET", "/quote")
            await http.close()
        assert response.json() == {"ltp": 100.5}
        assert calls["quote"] == 3

    async def test_order_is_never_retried(self):
        app, calls = flaky_broker()
        async with serve_app(app) as url:
            http = BrokerHttp("fakebroker", url, read_retries=5)
            with pytest.raises(BrokerUnavailable) as info:
                await http.request("POST", "/order", group="orders", json={"symbol": "SBIN"})
            await http.close()
        assert calls["order"] == 1
        assert info.value.broker == "fakebroker" and "502" in info.value.message

    async def test_rejected_token_is_session_expired(self):
        app, _ = flaky_broker()
        async with serve_app(app) as url:
            http = BrokerHttp("fakebroker", url)
            with pytest.raises(SessionExpired):
                await http.request("GET", "/expired")
            await http.close()

    async def test_client_errors_are_returned_for_the_plugin_to_map(self):
        app, _ = flaky_broker()
        async with serve_app(app) as url:
            http = BrokerHttp("fakebroker", url)
            response = await http.request("POST", "/rejected", group="orders")
            await http.close()
        assert response.status_code == 400

    async def test_unreachable_broker_is_unavailable(self):
        http = BrokerHttp("fakebroker", "http://127.0.0.1:9", read_retries=0)
        with pytest.raises(BrokerUnavailable):
            await http.request("GET", "/quote")
        await http.close()


class TestTokenBucket:
    async def test_waits_instead_of_exceeding_the_rate(self):
        bucket = TokenBucket(RateLimit(rate=20, per_seconds=1, burst=5))
        started = time.monotonic()
        await asyncio.gather(*(bucket.acquire() for _ in range(15)))
        elapsed = time.monotonic() - started
        # 5 burst tokens free, 10 more at 20/s need at least 0.5 s.
        assert elapsed >= 0.45
