"""GTT place/modify/cancel share OpenAlgo's ORDER limit (per endpoint); the book uses the API limit."""

from __future__ import annotations

from tests.backend.api_v1.test_rate_limits import limited_client  # noqa: F401  (the fixture)
from tests.backend.gtt.conftest import SINGLE

GTT = {**SINGLE, "triggerprice_sl": "1"}


async def test_gtt_endpoints_are_limited_by_their_group(limited_client):  # noqa: F811
    http, key = limited_client

    async def call(endpoint: str, **body) -> int:
        return (await http.post(f"/api/v1/{endpoint}", json={"apikey": key, **body})).status_code

    assert [await call("placegttorder", **GTT) for _ in range(3)] == [200, 200, 429]  # ORDER: 2 per minute
    assert [await call("gttorderbook") for _ in range(4)] == [200, 200, 200, 429]  # API: 3 per minute
    # a separate counter per endpoint, as Flask-Limiter keeps them
    assert await call("cancelgttorder", strategy="x", trigger_id="1") == 404
