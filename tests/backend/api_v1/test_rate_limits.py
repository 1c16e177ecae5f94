"""Order and API endpoints are rate limited per endpoint, as OpenAlgo's limits are."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager

from backend.main import create_app
from tests.backend.api_v1.conftest import ORDER
from tests.conftest import make_settings
from tests.fixtures.accounts import make_user


@pytest.fixture
async def limited_client(tmp_path):
    settings = make_settings(tmp_path, rate_limit_enabled=True, order_rate_limit="2 per minute",
                             api_rate_limit="3 per minute")
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60):
        _, key = await make_user(app, "limited")
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40001))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http, key


async def test_third_order_in_the_window_is_429(limited_client):
    http, key = limited_client
    statuses = [(await http.post("/api/v1/placeorder", json={**ORDER, "apikey": key})).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = await http.post("/api/v1/placeorder", json={**ORDER, "apikey": key})
    assert refused.json()["status"] == "error" and int(refused.headers["Retry-After"]) > 0
    # another endpoint has its own counter
    assert (await http.post("/api/v1/orderbook", json={"apikey": key})).status_code == 200
    book = (await http.post("/api/v1/orderbook", json={"apikey": key})).json()["data"]["orders"]
    assert len(book) == 2  # the refused orders changed nothing
