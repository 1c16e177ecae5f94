"""Resting paper orders are filled from the streaming hub's ticks, and feeds are dropped when no
longer needed."""

from __future__ import annotations

import asyncio
import time

from brokers.contract import FeedMode, Tick
from tests.backend.api_v1.conftest import ORDER, eventually, resting_buy_price


async def test_a_tick_through_the_limit_fills_the_resting_order(app, post):
    price = await resting_buy_price(post)
    orderid = (await post("placeorder", **{**ORDER, "pricetype": "LIMIT", "price": price})).json()["orderid"]
    feed = app.state.paper_feed
    assert await eventually(lambda: asyncio.sleep(0, ("simulator", "NSE:SBIN") in feed.subscriptions))
    low = float(price) - 1
    tick = Tick(exchange="NSE", symbol="SBIN", mode=FeedMode.QUOTE, ltp=low, timestamp_ms=int(time.time() * 1000),
                bid=low - 0.1, ask=low, open=low, high=float(price) * 1.2, low=low - 1, close=float(price))
    app.state.hub.deliver_tick((app.state.hub.default_feed_account, "NSE", "SBIN"), tick)

    async def filled():
        status = (await post("orderstatus", strategy="t", orderid=orderid)).json()["data"]
        return status["order_status"] == "complete" and status

    status = await eventually(filled)
    assert status, "the order filled from the tick"
    assert status["average_price"] == float(price)  # a resting LIMIT fills at its own price


async def test_feed_is_dropped_when_the_last_order_goes(app, post):
    price = await resting_buy_price(post, symbol="INFY")
    orderid = (await post("placeorder", **{**ORDER, "symbol": "INFY", "pricetype": "LIMIT",
                                          "price": price})).json()["orderid"]
    feed = app.state.paper_feed
    assert await eventually(lambda: asyncio.sleep(0, ("simulator", "NSE:INFY") in feed.subscriptions))
    await post("cancelorder", strategy="t", orderid=orderid)
    assert await eventually(lambda: asyncio.sleep(0, ("simulator", "NSE:INFY") not in feed.subscriptions))
