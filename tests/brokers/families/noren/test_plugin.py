"""Capabilities and rate limits per member, and that calls land in the right endpoint group."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokers.contract import Action, BrokerConfig, Exchange, FeedMode, OrderRequest, PriceType, RateLimit
from brokers.families.noren.plugin import NorenPlugin
from tests.brokers.families.noren.conftest import MEMBERS, member_config


@pytest.mark.parametrize("name", MEMBERS)
async def test_capabilities(name):
    plugin = NorenPlugin(member_config(name), BrokerConfig())
    try:
        caps = plugin.capabilities
        assert caps.depth_levels == (5,) and caps.feed_modes == frozenset(FeedMode) and caps.gtt is False
        assert caps.max_instruments_per_subscribe == 100
        assert (Exchange.BSE_INDEX in caps.exchanges) is (name != "zebu")
        assert caps.basket_margin is (name != "zebu")
        assert set(caps.history_max_days) == set(caps.intervals) and caps.history_max_days["1m"] == 5
        assert caps.history_max_days["D"] == 730
        assert set(caps.rate_limits) == {"orders", "quotes", "history", "other"}
    finally:
        await plugin.close()


async def test_shared_budget_members_use_one_bucket():
    for name, limit in (("tradesmart", RateLimit(110, 60, 8)), ("flattrade", RateLimit(190, 60, 38))):
        plugin = NorenPlugin(member_config(name), BrokerConfig())
        try:
            assert plugin.capabilities.rate_limits["orders"] == limit
            buckets = plugin.http.limiter.buckets
            assert len({id(b) for b in buckets.values()}) == 1 and set(buckets) == {"orders", "quotes", "history",
                                                                                     "other"}
        finally:
            await plugin.close()
    plugin = NorenPlugin(member_config("shoonya"), BrokerConfig())
    try:
        assert len({id(b) for b in plugin.http.limiter.buckets.values()}) == 4
        assert plugin.capabilities.rate_limits["orders"] == RateLimit(10, 1)
    finally:
        await plugin.close()


async def test_calls_use_their_endpoint_group(fake, plugin, execution, data, lookup, monkeypatch):
    groups: list[str] = []
    original = plugin.http.limiter.acquire

    async def spy(group: str) -> float:
        groups.append(group)
        return await original(group)

    monkeypatch.setattr(plugin.http.limiter, "acquire", spy)
    await data.quote(lookup.get("NSE", "SBIN"))
    assert groups == ["quotes"]
    groups.clear()
    await execution.cancel_order((await _resting(execution)).orderid)
    assert groups[-2] == "orders"  # CancelOrder, then the OrderBook read ("other")
    assert groups[-1] == "other"


async def _resting(execution):
    return await execution.place_order(OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1, PriceType.LIMIT,
                                                    price=Decimal("700")))
