"""Helpers for the automation tests: a signed-in trader who also holds an API key, a fixed IST
clock for the automation jobs, and strategy creation through the web routes."""

from __future__ import annotations

from datetime import datetime

import pytest

from backend.core.clock import IST
from tests.fixtures.accounts import make_user, sign_in

ORDER = {"strategy": "test", "symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": "2",
         "pricetype": "MARKET", "product": "MIS"}
TEN_AM = datetime(2026, 11, 30, 10, 0, tzinfo=IST)  # a Monday


class Trader:
    def __init__(self, client, user_id: int, apikey: str) -> None:
        self.http = client
        self.id = user_id
        self.apikey = apikey

    async def api(self, endpoint: str, **body):
        return await self.http.post(f"/api/v1/{endpoint}", json={"apikey": self.apikey, **body})

    async def set_mode(self, mode: str) -> None:
        response = await self.http.put("/web/action-center/mode", json={"mode": mode})
        assert response.status_code == 200, response.text

    async def analyzer(self, on: bool) -> None:
        response = await self.http.put("/web/trading/analyzer", json={"mode": on})
        assert response.status_code == 200, response.text

    async def pending(self, status: str = "pending") -> list[dict]:
        response = await self.http.get("/web/action-center/orders", params={"status": status})
        assert response.status_code == 200, response.text
        return response.json()["data"]["orders"]

    async def positions(self) -> dict[str, int]:
        data = (await self.api("positionbook")).json()["data"]
        return {p["symbol"]: int(p["quantity"]) for p in data}

    async def orders(self) -> list[dict]:
        return (await self.api("orderbook")).json()["data"]["orders"]


@pytest.fixture
async def trader(app, client) -> Trader:
    user_id, key = await make_user(app, "auto1")
    await sign_in(client, "auto1")
    return Trader(client, user_id, key)


@pytest.fixture
def clock(app):
    """The automation clock, frozen at 10:00 IST; tests move it with `clock.set(...)`."""

    class Clock:
        now = TEN_AM

        def set(self, moment: datetime) -> None:
            self.now = moment

    fixed = Clock()
    app.state.automation.clock = lambda: fixed.now
    return fixed


STRATEGY = {"name": "Trend", "platform": "tradingview", "trading_mode": "LONG", "is_intraday": True,
            "start_time": "09:20", "end_time": "15:00", "squareoff_time": "15:15", "product": "MIS",
            "symbols": [{"alert_symbol": "SBIN", "exchange": "NSE", "symbol": "SBIN", "quantity": 3, "product": "MIS"}]}


async def create_strategy(trader: Trader, **overrides) -> dict:
    response = await trader.http.post("/web/strategies", json={**STRATEGY, **overrides})
    assert response.status_code == 200, response.text
    return response.json()["data"]
