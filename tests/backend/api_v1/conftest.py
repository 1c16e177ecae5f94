"""Helpers for the OpenAlgo-compatible API tests: post with a key, find instruments in the master."""

from __future__ import annotations

import asyncio
import time

import pytest


@pytest.fixture
def post(client, api_key):
    """`await post("placeorder", symbol=...)` → response; the caller's key is filled in unless given."""

    async def send(endpoint: str, **body):
        body.setdefault("apikey", api_key)
        return await client.post(f"/api/v1/{endpoint}", json=body)

    return send


@pytest.fixture
def future(app):
    """A NIFTY future from the simulator's master (its lot size is > 1)."""
    matches = [i for i in app.state.symbols.search("NIFTY", exchange="NFO", instrumenttype="FUT")
               if i.name == "NIFTY" or i.symbol.startswith("NIFTY") and i.symbol[5].isdigit()]
    assert matches, "the simulator lists NIFTY futures"
    return sorted(matches, key=lambda i: i.expiry)[0]


ORDER = {"strategy": "test", "symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": "1",
         "pricetype": "MARKET", "product": "MIS", "price": "0", "trigger_price": "0", "disclosed_quantity": "0"}


async def resting_buy_price(post, symbol: str = "SBIN", exchange: str = "NSE", fraction: float = 0.85) -> str:
    """A BUY limit inside the price band but well below the market, so the order rests open."""
    ltp = (await post("quotes", symbol=symbol, exchange=exchange)).json()["data"]["ltp"]
    return f"{round(ltp * fraction):.2f}"  # whole rupees: a multiple of every equity tick size


async def eventually(check, within: float = 5.0):
    """Poll the async `check` until it returns something truthy (returned) or `within` seconds pass."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.02)
