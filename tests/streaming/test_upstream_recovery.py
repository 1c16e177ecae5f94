"""Upstream connections that drop or go silent are rebuilt and resubscribed; a fake broker feed
over a real socket drops connections and refuses reconnects."""

from __future__ import annotations

import asyncio

from brokers.contract import Capabilities, FeedMode, Tick
from streaming.config import HubConfig
from tests.fakes.feed_server import FakeFeedServer, FeedServerUpstream
from tests.fixtures.streaming import MemoryUpstream, make_instrument, running_hub, wait_until

SBIN = {"exchange": "NSE", "symbol": "SBIN"}
FAST_RECONNECT = HubConfig(throttle_ms=0, reconnect_initial_seconds=0.05, reconnect_max_seconds=0.2)


def is_tick(message: dict) -> bool:
    return message.get("type") == "market_data"


async def fake_feed() -> FakeFeedServer:
    server = FakeFeedServer()
    await server.start()
    return server


class TestReconnect:
    async def test_dropped_feed_is_reconnected_and_everything_resubscribed(self):
        server = await fake_feed()
        upstream = FeedServerUpstream(server)
        try:
            async with running_hub(FAST_RECONNECT, upstream=upstream) as harness:
                client = await harness.client()
                symbols = [SBIN, {"exchange": "NSE", "symbol": "TCS"}]
                await client.request({"action": "subscribe", "symbols": symbols, "mode": 2})
                await wait_until(lambda: server.subscribed() == {"NSE:SBIN": 2, "NSE:TCS": 2})
                await server.push("NSE:SBIN", 1.0)
                assert (await client.next(is_tick))["data"]["ltp"] == 1.0

                server.refuse = True  # the broker is down for a while: several failed attempts
                await server.drop_all()
                await wait_until(lambda: harness.hub.health()["upstream"]["simulator"]["connections"][0]
                                 ["last_error"].startswith("reconnect attempt 2"))
                server.refuse = False
                await wait_until(lambda: server.subscribed() == {"NSE:SBIN": 2, "NSE:TCS": 2})
                await server.push("NSE:TCS", 2.0)
                tick = await client.next(is_tick)
                assert (tick["symbol"], tick["data"]["ltp"]) == ("TCS", 2.0)
                health = harness.hub.health()
                assert health["upstream"]["simulator"]["connections"][0]["reconnects"] == 1
                assert health["recoveries"] >= 1 and len(server.connections) == 1
        finally:
            await server.stop()

    async def test_each_pooled_connection_recovers_its_own_symbols(self):
        server = await fake_feed()
        upstream = FeedServerUpstream(server, Capabilities(max_symbols_per_connection=2))
        try:
            async with running_hub(FAST_RECONNECT, upstream=upstream) as harness:
                client = await harness.client()
                symbols = [{"exchange": "NSE", "symbol": s} for s in ("A", "B", "C")]
                await client.request({"action": "subscribe", "symbols": symbols, "mode": 1})
                await wait_until(lambda: len(server.subscribed()) == 3)
                assert len(server.connections) == 2
                await server.drop_all()
                await wait_until(lambda: len(server.connections) == 2 and len(server.subscribed()) == 3)
                for symbol in ("A", "B", "C"):
                    await server.push(f"NSE:{symbol}", 3.0)
                got = {(await client.next(is_tick))["symbol"] for _ in range(3)}
                assert got == {"A", "B", "C"}
        finally:
            await server.stop()


class TestWatchdog:
    async def test_silent_connection_is_rebuilt_and_served_from_rest_meanwhile(self):
        server = await fake_feed()
        upstream = FeedServerUpstream(server)
        fetched: list[list[str]] = []

        async def rest_quotes(account, instruments):
            fetched.append([i.symbol for i in instruments])
            return [Tick(exchange=str(i.exchange), symbol=i.symbol, mode=FeedMode.LTP, ltp=99.0, timestamp_ms=1)
                    for i in instruments]

        config = HubConfig(throttle_ms=0, watchdog_interval_seconds=0.05, stale_connection_seconds=0.3,
                           stale_symbol_seconds=60, rest_fallback_interval_seconds=0.05,
                           reconnect_initial_seconds=0.05)
        try:
            async with running_hub(config, upstream=upstream, quote_fetcher=rest_quotes) as harness:
                client = await harness.client()
                await client.request({"action": "subscribe", **SBIN, "mode": 1})
                await wait_until(lambda: server.subscribed() == {"NSE:SBIN": 1})
                server.silent = True  # connected, but nothing arrives
                rest_tick = await client.next(lambda m: is_tick(m) and m["data"]["ltp"] == 99.0)
                assert rest_tick["symbol"] == "SBIN" and fetched
                await wait_until(lambda: server.accepted >= 2)  # the watchdog reconnected
                await wait_until(lambda: server.subscribed() == {"NSE:SBIN": 1})
                server.silent = False
                await server.push("NSE:SBIN", 5.0)
                assert (await client.next(lambda m: is_tick(m) and m["data"]["ltp"] == 5.0))
                health = harness.hub.health()
                assert health["recoveries"] >= 1 and health["rest_fallback_quotes"] >= 1
                assert any("silent" in r["recovery"] for r in health["recent_recoveries"])
        finally:
            await server.stop()

    async def test_one_silent_symbol_is_resubscribed(self):
        config = HubConfig(throttle_ms=0, watchdog_interval_seconds=0.05, stale_connection_seconds=60,
                           stale_symbol_seconds=0.3)
        async with running_hub(config) as harness:
            await harness.hub.subscribe_internal(make_instrument("NSE", "SBIN"), FeedMode.LTP, lambda t: None)
            await harness.hub.subscribe_internal(make_instrument("NSE", "TCS"), FeedMode.LTP, lambda t: None)
            for _ in range(30):  # TCS keeps ticking, SBIN is silent
                harness.upstream.emit("NSE", "TCS", 1.0)
                await asyncio.sleep(0.03)
            await wait_until(lambda: ("unsub", ("NSE", "SBIN"), 1) in harness.upstream.log)
            assert ("unsub", ("NSE", "TCS"), 1) not in harness.upstream.log
            assert harness.upstream.subscribe_calls[("NSE", "SBIN")] >= 2
            assert harness.hub.health()["stale_symbols"] >= 1

    async def test_closed_market_is_not_a_stall(self):
        config = HubConfig(watchdog_interval_seconds=0.05, stale_connection_seconds=0.1, stale_symbol_seconds=0.1)
        async with running_hub(config, market_open=lambda exchange: False) as harness:
            await harness.hub.subscribe_internal(make_instrument("NSE", "SBIN"), FeedMode.LTP, lambda t: None)
            await asyncio.sleep(0.5)
            assert harness.hub.health()["recoveries"] == 0 and len(harness.upstream.adapters) == 1


class TestConnectFailure:
    async def test_upstream_that_cannot_connect_fails_the_symbol_clearly(self):
        upstream = MemoryUpstream()
        upstream.fail_connect = True
        async with running_hub(upstream=upstream) as harness:
            client = await harness.client()
            ack = await client.request({"action": "subscribe", **SBIN, "mode": 1})
            assert ack["status"] == "error"
            assert ack["subscriptions"][0]["message"].startswith("Broker connection failed")
            upstream.fail_connect = False
            ack = await client.request({"action": "subscribe", **SBIN, "mode": 1})
            assert ack["status"] == "success"
