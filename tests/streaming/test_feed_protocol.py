"""The OpenAlgo feed protocol over a real socket, with raw `websockets` clients."""

from __future__ import annotations

import asyncio

from brokers.contract import Capabilities
from streaming.config import HubConfig
from tests.fixtures.streaming import MemoryUpstream, running_hub, wait_until

SBIN = {"exchange": "NSE", "symbol": "SBIN"}


def is_tick(message: dict) -> bool:
    return message.get("type") == "market_data"


class TestAuthentication:
    async def test_valid_key_gets_the_openalgo_auth_reply(self, feed_hub):
        client = await feed_hub.client(api_key=None)
        reply = await client.login("key-alice")
        assert reply == {"type": "auth", "status": "success", "message": "Authentication successful",
                         "broker": "simulator", "user_id": "alice",
                         "supported_features": {"ltp": True, "quote": True, "depth": True}}

    async def test_invalid_key_is_answered_and_the_socket_stays_usable(self, feed_hub):
        client = await feed_hub.client(api_key=None)
        reply = await client.request({"action": "auth", "apikey": "wrong"})
        assert reply["type"] == "auth" and reply["status"] == "error"
        assert reply["code"] == "AUTHENTICATION_ERROR" and reply["message"] == "Invalid API key"
        assert (await client.login("key-alice"))["status"] == "success"

    async def test_subscribe_before_auth_is_refused(self, feed_hub):
        client = await feed_hub.client(api_key=None)
        reply = await client.request({"action": "subscribe", **SBIN, "mode": 1})
        assert reply == {"type": "error", "status": "error", "code": "NOT_AUTHENTICATED",
                         "message": "You must authenticate first"}
        assert feed_hub.upstream.subscribe_calls == {}

    async def test_socket_that_never_authenticates_is_closed_with_4401(self):
        async with running_hub(HubConfig(auth_grace_seconds=0.2)) as harness:
            client = await harness.client(api_key=None)
            await asyncio.wait_for(client.socket.wait_closed(), timeout=10)
            assert client.socket.close_code == 4401
            assert client.socket.close_reason == "auth timeout"

    async def test_ping_needs_no_auth_and_echoes(self, feed_hub):
        client = await feed_hub.client(api_key=None)
        reply = await client.request({"type": "ping", "timestamp": 123, "_pingId": "p1"})
        assert reply["type"] == "pong" and reply["client_timestamp"] == 123 and reply["_pingId"] == "p1"
        assert isinstance(reply["server_timestamp"], int)


class TestSubscribe:
    async def test_ack_then_ticks_in_the_subscribed_mode(self, feed_hub):
        client = await feed_hub.client()
        ack = await client.request({"action": "subscribe", "symbols": [SBIN], "mode": "ltp", "request_id": 7})
        assert ack["type"] == "subscribe" and ack["status"] == "success" and ack["request_id"] == 7
        assert ack["subscriptions"] == [{"symbol": "SBIN", "exchange": "NSE", "status": "success",
                                         "mode": "LTP", "depth": 5, "broker": "simulator"}]
        feed_hub.upstream.emit("NSE", "SBIN", 812.5)
        tick = await client.next(is_tick)
        assert tick["symbol"] == "SBIN" and tick["exchange"] == "NSE" and tick["mode"] == 1
        assert tick["broker"] == "simulator"
        assert tick["data"]["ltp"] == 812.5 and set(tick["data"]) == {
            "symbol", "exchange", "mode", "ltp", "ltt", "timestamp"}

    async def test_quote_and_depth_payloads(self, feed_hub):
        quote_client = await feed_hub.client()
        depth_client = await feed_hub.client("key-bob")
        await quote_client.request({"action": "subscribe", **SBIN, "mode": 2})
        ack = await depth_client.request({"action": "subscribe", **SBIN, "mode": 3, "depth": 20})
        assert ack["subscriptions"][0]["depth"] == 5  # the broker only offers 5 levels
        await wait_until(lambda: feed_hub.upstream.upstream_modes().get(("NSE", "SBIN")) == 3)
        feed_hub.upstream.emit("NSE", "SBIN", 100.0)
        quote = (await quote_client.next(is_tick))["data"]
        depth = await depth_client.next(is_tick)
        assert quote["mode"] == 2 and "depth" not in quote
        for field in ("open", "high", "low", "close", "volume", "last_trade_quantity", "avg_trade_price",
                      "change", "change_percent"):
            assert field in quote
        assert depth["mode"] == 3 and len(depth["data"]["depth"]["buy"]) == 5
        assert depth["data"]["depth"]["sell"][0] == {"price": 100.05, "quantity": 10, "orders": 1}

    async def test_twenty_levels_when_the_broker_offers_them(self):
        feed_of_20 = Capabilities(depth_levels=(5, 20), feed_depth_levels=20)
        async with running_hub(upstream=MemoryUpstream(feed_of_20)) as harness:
            client = await harness.client()
            ack = await client.request({"action": "subscribe", **SBIN, "mode": "Depth", "depth": 20})
            assert ack["subscriptions"][0]["depth"] == 20
            harness.upstream.emit("NSE", "SBIN", 100.0)
            assert len((await client.next(is_tick))["data"]["depth"]["buy"]) == 20

    async def test_unknown_symbol_fails_only_that_symbol(self, feed_hub):
        client = await feed_hub.client()
        ack = await client.request({"action": "subscribe", "mode": 1,
                                    "symbols": [SBIN, {"exchange": "NSE", "symbol": "BADSYM"}]})
        assert ack["status"] == "partial"
        assert ack["subscriptions"][1] == {"symbol": "BADSYM", "exchange": "NSE", "status": "error",
                                           "message": "Symbol not found", "broker": "simulator"}
        everything_bad = await client.request({"action": "subscribe", "symbol": "BADX", "exchange": "NSE"})
        assert everything_bad["status"] == "error"

    async def test_empty_symbol_list_is_invalid(self, feed_hub):
        client = await feed_hub.client()
        reply = await client.request({"action": "subscribe", "symbols": [{"symbol": "X"}], "mode": 1})
        assert reply["code"] == "INVALID_PARAMETERS"

    async def test_subscription_limit_per_client(self):
        async with running_hub(HubConfig(max_subscriptions_per_client=2)) as harness:
            client = await harness.client()
            symbols = [{"exchange": "NSE", "symbol": s} for s in ("A", "B", "C")]
            ack = await client.request({"action": "subscribe", "symbols": symbols, "mode": 1})
            assert [s["status"] for s in ack["subscriptions"]] == ["success", "success", "error"]
            assert "Subscription limit reached" in ack["subscriptions"][2]["message"]
            assert set(harness.upstream.upstream_modes()) == {("NSE", "A"), ("NSE", "B")}

    async def test_upstream_capacity_exhausted_is_reported_per_symbol(self):
        caps = Capabilities(max_symbols_per_connection=2, max_connections_per_user=2)
        async with running_hub(upstream=MemoryUpstream(caps)) as harness:
            client = await harness.client()
            symbols = [{"exchange": "NSE", "symbol": f"S{i}"} for i in range(5)]
            ack = await client.request({"action": "subscribe", "symbols": symbols, "mode": 1})
            statuses = [s["status"] for s in ack["subscriptions"]]
            assert statuses == ["success"] * 4 + ["error"]
            assert ack["subscriptions"][4]["message"].startswith("Maximum capacity reached")
            assert len(harness.upstream.live()) == 2  # opened on demand, within the limit


class TestBadInput:
    async def test_every_bad_request_gets_a_clear_error_and_data_keeps_flowing(self, feed_hub):
        victim = await feed_hub.client()
        bystander = await feed_hub.client("key-bob")
        await victim.request({"action": "subscribe", **SBIN, "mode": 1})
        await bystander.request({"action": "subscribe", **SBIN, "mode": 1})
        cases = [
            ("{not json", "INVALID_JSON"),
            ("[1, 2]", "INVALID_JSON"),
            ({"action": "launch"}, "INVALID_ACTION"),
            ({"action": "subscribe", **SBIN, "mode": 7}, "INVALID_MODE"),
            ({"action": "subscribe", **SBIN, "mode": True}, "INVALID_MODE"),
            ({"action": "subscribe", **SBIN, "mode": "candles"}, "INVALID_MODE"),
            ({"action": "unsubscribe"}, "INVALID_PARAMETERS"),
        ]
        for request, code in cases:
            await victim.send(request)
            reply = await victim.next(lambda m: not is_tick(m))
            assert reply["status"] == "error" and reply["code"] == code, (request, reply)
            assert reply["message"]
        feed_hub.upstream.emit("NSE", "SBIN", 1.5)
        assert (await victim.next(is_tick))["data"]["ltp"] == 1.5
        assert (await bystander.next(is_tick))["data"]["ltp"] == 1.5


class TestUnsubscribe:
    async def test_unsubscribe_by_mode_and_unsubscribe_all(self, feed_hub):
        client = await feed_hub.client()
        await client.request({"action": "subscribe", "symbols": [SBIN, {"exchange": "NSE", "symbol": "TCS"}],
                              "mode": 2})
        reply = await client.request({"action": "unsubscribe", "symbols": [{**SBIN, "mode": 2}],
                                      "request_id": "u1"})
        assert reply["type"] == "unsubscribe" and reply["status"] == "success" and reply["request_id"] == "u1"
        assert reply["successful"] == [{"symbol": "SBIN", "exchange": "NSE", "broker": "simulator",
                                        "status": "success"}]
        assert set(feed_hub.upstream.upstream_modes()) == {("NSE", "TCS")}
        wrong_mode = await client.request({"action": "unsubscribe", "symbol": "TCS", "exchange": "NSE",
                                           "mode": 1})
        assert wrong_mode["status"] == "error" and wrong_mode["failed"][0]["message"].startswith("Not subscribed")
        everything = await client.request({"action": "unsubscribe_all"})
        assert everything["status"] == "success" and len(everything["successful"]) == 1
        assert feed_hub.upstream.upstream_modes() == {}

    async def test_omitted_mode_removes_every_mode_of_the_symbol(self, feed_hub):
        client = await feed_hub.client()
        await client.request({"action": "subscribe", **SBIN, "mode": 1})
        await client.request({"action": "subscribe", **SBIN, "mode": 3})
        reply = await client.request({"action": "unsubscribe", "symbols": [SBIN]})
        assert reply["status"] == "success"
        assert feed_hub.upstream.upstream_modes() == {}


class TestOtherVerbs:
    async def test_broker_info_and_supported_brokers(self, feed_hub):
        feed_hub.hub.supported_brokers = ["simulator", "zerodha"]
        client = await feed_hub.client()
        info = await client.request({"action": "get_broker_info"})
        assert info == {"type": "broker_info", "status": "success", "broker": "simulator",
                        "adapter_status": "disconnected", "user_id": "alice"}
        await client.request({"action": "subscribe", **SBIN, "mode": 1})
        assert (await client.request({"action": "get_broker_info"}))["adapter_status"] == "connected"
        brokers = await client.request({"type": "get_supported_brokers"})
        assert brokers == {"type": "supported_brokers", "status": "success",
                           "brokers": ["simulator", "zerodha"], "count": 2}
