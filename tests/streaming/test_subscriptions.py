"""Reference-counted upstream subscriptions, mode hierarchy, account scoping, in-app consumers and
order updates."""

from __future__ import annotations

import asyncio

from brokers.contract import FeedMode
from tests.fixtures.streaming import make_instrument, wait_until

SBIN = {"exchange": "NSE", "symbol": "SBIN"}
KEY = ("simulator", "NSE", "SBIN")


def is_tick(message: dict) -> bool:
    return message.get("type") == "market_data"


class TestReferenceCounting:
    async def test_one_upstream_subscription_however_many_clients(self, feed_hub):
        clients = [await feed_hub.client(k) for k in ("key-alice", "key-bob", "key-alice")]
        for client in clients:
            await client.request({"action": "subscribe", **SBIN, "mode": 1})
        assert feed_hub.upstream.subscribe_calls[("NSE", "SBIN")] == 1
        await clients[0].request({"action": "unsubscribe", **SBIN, "mode": 1})
        await clients[1].close()
        await wait_until(lambda: len(feed_hub.hub.clients) == 2)
        assert feed_hub.upstream.upstream_modes() == {("NSE", "SBIN"): 1}
        await clients[2].close()
        await wait_until(lambda: feed_hub.upstream.upstream_modes() == {})
        assert feed_hub.hub.index.get(KEY) is None and feed_hub.hub.pools["simulator"].symbol_count == 0

    async def test_vanished_clients_leak_nothing(self, feed_hub):
        for _round in range(3):
            clients = [await feed_hub.client() for _ in range(5)]
            for i, client in enumerate(clients):
                await client.request({"action": "subscribe", "mode": 1 + i % 3,
                                      "symbols": [SBIN, {"exchange": "NSE", "symbol": f"X{i}"}]})
            for client in clients:
                client.socket.transport.abort()  # no close handshake
            await wait_until(lambda: not feed_hub.hub.clients)
            await wait_until(lambda: feed_hub.upstream.upstream_modes() == {})
            assert feed_hub.hub.index.stats()["upstream_keys"] == 0
            assert feed_hub.hub._pushed_demand == {}
            feed_hub.connections.clear()

    async def test_highest_mode_is_subscribed_and_downgraded_when_it_leaves(self, feed_hub):
        ltp = await feed_hub.client()
        depth = await feed_hub.client("key-bob")
        await ltp.request({"action": "subscribe", **SBIN, "mode": 1})
        await depth.request({"action": "subscribe", **SBIN, "mode": 3})
        assert feed_hub.upstream.upstream_modes() == {("NSE", "SBIN"): 3}
        feed_hub.upstream.emit("NSE", "SBIN", 10.0)
        assert (await ltp.next(is_tick))["mode"] == 1  # trimmed to what this client asked for
        await depth.request({"action": "unsubscribe", **SBIN, "mode": 3})
        assert feed_hub.upstream.upstream_modes() == {("NSE", "SBIN"): 1}
        assert feed_hub.upstream.log[-2:] == [("unsub", ("NSE", "SBIN"), 3), ("sub", ("NSE", "SBIN"), 1)]

    async def test_one_message_per_tick_for_a_client_holding_several_modes(self, feed_hub):
        client = await feed_hub.client()
        await client.request({"action": "subscribe", **SBIN, "mode": 1})
        await client.request({"action": "subscribe", **SBIN, "mode": 2})
        feed_hub.upstream.emit("NSE", "SBIN", 5.0)
        feed_hub.upstream.emit("NSE", "TCS", 6.0)  # not subscribed: never delivered
        await asyncio.sleep(0.2)
        feed_hub.upstream.emit("NSE", "SBIN", 7.0)
        first, second = await client.next(is_tick), await client.next(is_tick)
        assert (first["data"]["ltp"], first["mode"]) == (5.0, 2)
        assert second["data"]["ltp"] == 7.0

    async def test_ticks_never_cross_feed_accounts(self, feed_hub):
        alice = await feed_hub.client("key-alice")
        carol = await feed_hub.client("key-carol")  # a different broker account
        await alice.request({"action": "subscribe", **SBIN, "mode": 1})
        await carol.request({"action": "subscribe", **SBIN, "mode": 1})
        assert feed_hub.upstream.subscribe_calls[("NSE", "SBIN")] == 2  # one per account
        feed_hub.upstream.emit("NSE", "SBIN", 1.0, account="zerodha:carol")
        tick = await carol.next(is_tick)
        assert tick["broker"] == "zerodha"
        feed_hub.upstream.emit("NSE", "SBIN", 2.0, account="simulator")
        assert (await alice.next(is_tick))["data"]["ltp"] == 2.0
        assert [m for m in alice.drain() if is_tick(m)] == []


class TestInternalConsumers:
    async def test_in_app_consumer_shares_the_upstream_and_gets_every_tick(self, feed_hub):
        seen: list[float] = []
        seen_async: list[float] = []

        async def slow_consumer(tick):
            await asyncio.sleep(0)
            seen_async.append(tick.ltp)

        instrument = make_instrument("NSE", "SBIN")
        sub = await feed_hub.hub.subscribe_internal(instrument, FeedMode.LTP, lambda t: seen.append(t.ltp))
        sub_async = await feed_hub.hub.subscribe_internal(instrument, FeedMode.QUOTE, slow_consumer)
        client = await feed_hub.client()
        await client.request({"action": "subscribe", **SBIN, "mode": 1})
        assert feed_hub.upstream.subscribe_calls[("NSE", "SBIN")] == 2  # LTP, then upgraded to Quote
        assert feed_hub.upstream.upstream_modes() == {("NSE", "SBIN"): 2}
        for i in range(100):
            feed_hub.upstream.emit("NSE", "SBIN", float(i))
        await wait_until(lambda: len(seen_async) == 100)
        assert seen == seen_async == [float(i) for i in range(100)]
        await sub.close()
        await sub_async.close()
        assert feed_hub.upstream.upstream_modes() == {("NSE", "SBIN"): 1}
        await client.close()
        await wait_until(lambda: feed_hub.upstream.upstream_modes() == {})


ORDER = {"mode": "analyze", "broker": "sandbox", "orderid": "1", "symbol": "SBIN", "exchange": "NSE",
         "action": "BUY", "quantity": 1, "price": 0.0, "trigger_price": 0.0, "pricetype": "MARKET",
         "product": "MIS", "order_status": "complete", "filled_quantity": 1, "pending_quantity": 0,
         "average_price": 812.5, "rejection_reason": ""}


class TestOrderUpdates:
    async def test_order_updates_reach_only_their_owner_after_subscribe_orders(self, feed_hub):
        alice = await feed_hub.client("key-alice")
        alice_unsubscribed = await feed_hub.client("key-alice")
        bob = await feed_hub.client("key-bob")
        ack = await alice.request({"action": "subscribe_orders", "request_id": "orders-1"})
        assert ack == {"type": "subscribe_orders", "status": "success", "message": "Subscribed to order updates",
                       "request_id": "orders-1"}
        await bob.request({"action": "subscribe_orders"})
        await feed_hub.hub.publish_order_update("alice", ORDER)
        update = await alice.next(lambda m: m.get("type") == "order_update")
        assert update == {"type": "order_update", "user_id": "alice", **ORDER}
        await feed_hub.hub.publish_order_update("bob", {**ORDER, "orderid": "2"})
        assert (await bob.next(lambda m: m.get("type") == "order_update"))["orderid"] == "2"
        ping = await alice_unsubscribed.request({"action": "ping"})
        assert ping["type"] == "pong" and alice_unsubscribed.drain() == []
        assert [m for m in alice.drain() if m.get("orderid") == "2"] == []
        reply = await alice.request({"action": "unsubscribe_orders"})
        assert reply["type"] == "unsubscribe_orders" and reply["status"] == "success"
