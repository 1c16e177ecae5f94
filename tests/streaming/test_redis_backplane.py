"""Two hub instances (as two workers would run) over real Redis: each serves its own clients, one
upstream subscription per symbol across both, and ownership moves when the owner goes away."""

from __future__ import annotations

import contextlib

import pytest

from streaming.backplane.redis import RedisBackplane
from streaming.config import HubConfig
from tests.fixtures.streaming import ORDER_UPDATE, MemoryUpstream, running_hub, wait_until

pytestmark = pytest.mark.redis

SBIN = {"exchange": "NSE", "symbol": "SBIN"}
CONFIG = HubConfig(throttle_ms=0, lease_ttl_seconds=1.0)


def is_tick(message: dict) -> bool:
    return message.get("type") == "market_data"


class DeepMemoryUpstream(MemoryUpstream):
    async def open_adapter(self, feed_account: str, depth_levels: int | None = None):
        adapter = await super().open_adapter(feed_account)
        adapter.depth_levels = depth_levels
        return adapter

    def deep_adapters(self) -> list:
        return [a for a in self.live() if getattr(a, "depth_levels", None)]


@contextlib.asynccontextmanager
async def two_workers(redis_url: str, prefix: str):
    shared_broker = MemoryUpstream()  # both workers talk to the same broker: count its subscriptions
    async with running_hub(CONFIG, upstream=shared_broker,
                           backplane=RedisBackplane(redis_url, prefix, CONFIG.lease_ttl_seconds)) as a:
        async with running_hub(CONFIG, upstream=shared_broker,
                               backplane=RedisBackplane(redis_url, prefix, CONFIG.lease_ttl_seconds)) as b:
            yield a, b, shared_broker


class TestTwoWorkers:
    async def test_clients_on_both_workers_share_one_upstream_subscription(self, redis_url, redis_prefix):
        async with two_workers(redis_url, redis_prefix) as (a, b, broker):
            on_a = await a.client()
            on_b = await b.client("key-bob")
            assert (await on_a.request({"action": "subscribe", **SBIN, "mode": 1}))["status"] == "success"
            assert (await on_b.request({"action": "subscribe", **SBIN, "mode": 1}))["status"] == "success"
            assert broker.subscribe_calls[("NSE", "SBIN")] == 1
            assert len(broker.live()) == 1
            for i in range(1, 51):
                broker.emit("NSE", "SBIN", float(i))
            expected = [float(i) for i in range(1, 51)]
            assert [(await on_a.next(is_tick))["data"]["ltp"] for _ in range(50)] == expected
            assert [(await on_b.next(is_tick))["data"]["ltp"] for _ in range(50)] == expected

    async def test_cluster_mode_is_the_highest_any_worker_wants(self, redis_url, redis_prefix):
        async with two_workers(redis_url, redis_prefix) as (a, b, broker):
            on_a = await a.client()
            on_b = await b.client("key-bob")
            await on_a.request({"action": "subscribe", **SBIN, "mode": 1})
            await on_b.request({"action": "subscribe", **SBIN, "mode": 3})
            await wait_until(lambda: broker.upstream_modes() == {("NSE", "SBIN"): 3})
            broker.emit("NSE", "SBIN", 10.0)
            assert (await on_b.next(is_tick))["data"]["depth"]["buy"]
            assert (await on_a.next(is_tick))["mode"] == 1
            await on_b.request({"action": "unsubscribe", **SBIN, "mode": 3})
            await wait_until(lambda: broker.upstream_modes() == {("NSE", "SBIN"): 1})
            await on_a.request({"action": "unsubscribe_all"})
            await wait_until(lambda: broker.upstream_modes() == {})

    async def test_a_deep_book_wanted_on_one_worker_is_subscribed_by_the_owner(self, redis_url, redis_prefix):
        from brokers.contract import Capabilities, DeepDepth, Exchange

        deep = DeepDepth(levels=(20,), exchanges=frozenset({Exchange.NSE}))
        shared_broker = DeepMemoryUpstream(Capabilities(deep_depth=deep))
        async with running_hub(CONFIG, upstream=shared_broker,
                               backplane=RedisBackplane(redis_url, redis_prefix, CONFIG.lease_ttl_seconds)) as a, \
                running_hub(CONFIG, upstream=shared_broker,
                            backplane=RedisBackplane(redis_url, redis_prefix, CONFIG.lease_ttl_seconds)) as b:
            on_a = await a.client()
            on_b = await b.client("key-bob")
            await on_a.request({"action": "subscribe", **SBIN, "mode": 3})  # a owns SBIN, at 5 levels
            assert shared_broker.deep_adapters() == []
            ack = await on_b.request({"action": "subscribe", **SBIN, "mode": 3, "depth": 20})
            assert ack["subscriptions"][0]["depth"] == 20
            await wait_until(lambda: len(shared_broker.deep_adapters()) == 1)
            shared_broker.emit("NSE", "SBIN", 10.0)  # every live adapter: 20 rows from the deep one
            assert len((await on_b.next(lambda m: is_tick(m) and m["data"]["depth"]["buy"][19]["quantity"]))
                       ["data"]["depth"]["buy"]) == 20
            assert len((await on_a.next(is_tick))["data"]["depth"]["buy"]) == 5
            await on_b.request({"action": "unsubscribe", **SBIN, "mode": 3})
            await wait_until(lambda: shared_broker.deep_adapters() == [])

    async def test_ownership_moves_when_the_owner_leaves_or_dies(self, redis_url, redis_prefix):
        async with two_workers(redis_url, redis_prefix) as (a, b, broker):
            on_a = await a.client()
            on_b = await b.client("key-bob")
            await on_a.request({"action": "subscribe", **SBIN, "mode": 1})
            await on_b.request({"action": "subscribe", **SBIN, "mode": 1})
            owner, other, other_client = (a, b, on_b) if a.hub.pools else (b, a, on_a)
            assert not other.hub.pools or other.hub.pools["simulator"].symbol_count == 0
            for connection in list(owner.connections):  # the owner's clients leave
                await connection.close()
            await wait_until(lambda: other.hub.pools and other.hub.pools["simulator"].symbol_count == 1)
            assert broker.upstream_modes() == {("NSE", "SBIN"): 1} and len(broker.live()) == 1
            broker.emit("NSE", "SBIN", 42.0)
            assert (await other_client.next(is_tick))["data"]["ltp"] == 42.0

    async def test_user_events_reach_the_owners_sockets_on_any_worker(self, redis_url, redis_prefix):
        async with two_workers(redis_url, redis_prefix) as (a, b, _):
            on_b = await b.client()
            await on_b.request({"action": "subscribe_orders"})
            await a.hub.publish_order_update("alice", ORDER_UPDATE)
            update = await on_b.next(lambda m: m.get("type") == "order_update")
            assert update["orderid"] == ORDER_UPDATE["orderid"] and update["user_id"] == "alice"

    async def test_a_crashed_owner_is_replaced_after_its_lease_expires(self, redis_url, redis_prefix):
        async with two_workers(redis_url, redis_prefix) as (a, b, broker):
            on_a = await a.client()
            on_b = await b.client("key-bob")
            await on_a.request({"action": "subscribe", **SBIN, "mode": 1})
            await on_b.request({"action": "subscribe", **SBIN, "mode": 1})
            owner, survivor_client = (a, on_b) if a.hub.pools else (b, on_a)
            # Crash: the owner stops renewing anything and its broker connection dies with it.
            for task in owner.hub.backplane._tasks:
                task.cancel()
            for adapter in broker.live():
                adapter.connected = False
            await wait_until(lambda: len(broker.live()) == 1, timeout=15)
            assert broker.upstream_modes() == {("NSE", "SBIN"): 1}
            broker.emit("NSE", "SBIN", 7.0)
            assert (await survivor_client.next(is_tick))["data"]["ltp"] == 7.0
