"""Helpers for the GTT tests: the API helpers of the v1 tests, request bodies, and a way to move
the simulated market (a tick through the streaming hub, as a broker feed would deliver it)."""

from __future__ import annotations

import asyncio
import time

from brokers.contract import FeedMode, Tick
from tests.backend.api_v1.conftest import eventually, post  # noqa: F401  (fixtures for this package)

SINGLE = {"strategy": "gtt", "trigger_type": "SINGLE", "exchange": "NSE", "symbol": "SBIN", "action": "BUY",
          "product": "CNC", "quantity": "2", "pricetype": "MARKET", "price": "0", "triggerprice_sl": "0",
          "triggerprice_tg": "0"}
OCO = {**SINGLE, "trigger_type": "OCO", "action": "SELL"}


async def ltp(send, symbol: str = "SBIN", exchange: str = "NSE") -> float:
    return (await send("quotes", symbol=symbol, exchange=exchange)).json()["data"]["ltp"]


def rupees(value: float) -> str:
    return f"{round(value):.2f}"  # whole rupees: a multiple of every equity tick size


async def tick(app, price: float, symbol: str = "SBIN", exchange: str = "NSE", *, wait: bool = True) -> None:
    """Deliver one market tick at `price`, by default once the GTT monitor has subscribed the
    instrument (`wait=False` after the last GTT went: the feed may already be dropped)."""
    monitor = app.state.gtt_monitor
    key = f"{exchange}:{symbol}"
    if wait:
        assert await eventually(lambda: asyncio.sleep(0, ("simulator", key) in monitor.subscriptions)), \
            "the monitor subscribed"
    app.state.hub.deliver_tick((app.state.hub.default_feed_account, exchange, symbol), Tick(
        exchange=exchange, symbol=symbol, mode=FeedMode.QUOTE, ltp=price, timestamp_ms=int(time.time() * 1000),
        bid=price - 0.05, ask=price, open=price, high=price, low=price, close=price))


async def book(send) -> list[dict]:
    response = await send("gttorderbook")
    assert response.status_code == 200, response.text
    return response.json()["data"]
