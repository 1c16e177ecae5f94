"""Client-side token buckets: Kite's documented limits, and each call in its endpoint group."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from brokers.contract import Action, BrokerConfig, Exchange, OrderRequest, PriceType, RateLimit
from brokers.zerodha.plugin import CAPABILITIES, ZerodhaPlugin


def test_declared_limits_match_kites():
    assert CAPABILITIES.rate_limits == {"quotes": RateLimit(1), "history": RateLimit(3), "orders": RateLimit(10),
                                        "other": RateLimit(10)}
    assert CAPABILITIES.history_max_days == {"1m": 60, "3m": 100, "5m": 100, "10m": 100, "15m": 200, "30m": 200,
                                             "1h": 400, "D": 2000}
    assert (CAPABILITIES.max_symbols_per_connection, CAPABILITIES.max_connections_per_user) == (3000, 3)
    assert CAPABILITIES.depth_levels == (5,) and not CAPABILITIES.gtt and CAPABILITIES.basket_margin


async def test_calls_use_their_groups(fake, plugin, session, lookup, monkeypatch):
    groups: list[str] = []
    original = plugin.http.limiter.acquire

    async def spy(group: str) -> float:
        groups.append(group)
        return await original(group)

    monkeypatch.setattr(plugin.http.limiter, "acquire", spy)
    execution = plugin.execution_client(session, lookup)
    data = plugin.data_client(session, lookup)
    order = await execution.place_order(OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1, PriceType.LIMIT,
                                                     price=Decimal("790")))
    assert groups == ["orders", "other"]  # the write, then the order's state
    groups.clear()
    await execution.cancel_order(order.orderid)
    await data.quote(lookup.get("NSE", "SBIN"))
    await data.history(lookup.get("NSE", "SBIN"), "D", date(2025, 11, 24), date(2025, 11, 28))
    await execution.positions()
    assert groups == ["orders", "other", "quotes", "history", "other"]


async def test_real_history_bucket_paces_the_fourth_call(fake, session, lookup):
    plugin = ZerodhaPlugin(BrokerConfig(urls=fake.urls))  # Kite's real limits
    try:
        data = plugin.data_client(session, lookup)
        sbin = lookup.get("NSE", "SBIN")
        started = time.monotonic()
        for _ in range(3):
            await data.history(sbin, "D", date(2025, 11, 27), date(2025, 11, 27))
        burst = time.monotonic() - started
        await data.history(sbin, "D", date(2025, 11, 27), date(2025, 11, 27))
        paced = time.monotonic() - started
        assert burst < 0.25 and paced >= 0.3  # 3 requests/s: the fourth waits for a token
    finally:
        await plugin.close()
