"""Deep market depth: DEPTH subscriptions asking for more levels than the main feed carries go to
a second group of upstream connections, opened on demand and retired with their last symbol."""

from __future__ import annotations

import asyncio
import time

import pytest

from brokers.contract import Capabilities, DeepDepth, Depth, DepthLevel, Exchange, FeedMode, Quote, Tick
from streaming.backplane.redis import demand_text, parse_demand
from streaming.config import HubConfig
from streaming.index import Demand, SubscriptionIndex
from streaming.pool import UpstreamError, UpstreamPool
from tests.fixtures.streaming import MemoryAdapter, MemoryUpstream, make_instrument, running_hub, wait_until

SBIN = {"exchange": "NSE", "symbol": "SBIN"}
TCS = {"exchange": "NSE", "symbol": "TCS"}
DEEP = DeepDepth(levels=(20,), exchanges=frozenset({Exchange.NSE, Exchange.NFO}), max_symbols_per_connection=2,
                 max_connections=1)
FAST_RECONNECT = HubConfig(throttle_ms=0, reconnect_initial_seconds=0.05, reconnect_max_seconds=0.2)


def caps(**changes) -> Capabilities:
    return Capabilities(**{"max_connections_per_user": 3, "deep_depth": DEEP, **changes})


def is_tick(message: dict) -> bool:
    return message.get("type") == "market_data"


class DeepUpstream(MemoryUpstream):
    """Memory adapters; deep ones (opened with `depth_levels`) send book-only ticks, like Dhan's
    and Fyers' deep sockets (no LTP)."""

    async def open_adapter(self, feed_account: str, depth_levels: int | None = None) -> MemoryAdapter:
        adapter = await super().open_adapter(feed_account)
        adapter.depth_levels = depth_levels
        return adapter

    def main(self) -> list[MemoryAdapter]:
        return [a for a in self.live() if a.depth_levels is None]

    def deep(self) -> list[MemoryAdapter]:
        return [a for a in self.live() if a.depth_levels is not None]

    def quote_tick(self, exchange: str, symbol: str, ltp: float) -> None:
        """A main-feed DEPTH tick: quote fields and a 5-level book (prices 1xx)."""
        for adapter in self.main():
            if (exchange, symbol) in adapter.subscribed:
                book = Depth(Quote(ltp=ltp), [DepthLevel(100 + i, 1, 1) for i in range(5)],
                             [DepthLevel(200 + i, 1, 1) for i in range(5)])
                adapter._tick(Tick(exchange, symbol, adapter.subscribed[(exchange, symbol)], ltp,
                                   int(time.time() * 1000), volume=7, open=ltp - 1, high=ltp + 1, low=ltp - 2,
                                   close=ltp - 0.5, depth=book))

    def book_tick(self, exchange: str, symbol: str) -> None:
        """A deep-feed tick: only the 20-level book (prices 3xx bids, 4xx asks)."""
        for adapter in self.deep():
            if (exchange, symbol) in adapter.subscribed:
                rows = adapter.depth_levels
                book = Depth(Quote(ltp=0.0), [DepthLevel(300 + i, 2, 1) for i in range(rows)],
                             [DepthLevel(400 + i, 2, 1) for i in range(rows)])
                adapter._tick(Tick(exchange, symbol, FeedMode.DEPTH, 0.0, int(time.time() * 1000), depth=book))


def upstream_with(**changes) -> DeepUpstream:
    return DeepUpstream(caps(**changes))


class TestOnDemand:
    async def test_no_deep_connection_until_a_client_asks_for_deep_depth(self):
        upstream = upstream_with()
        async with running_hub(FAST_RECONNECT, upstream=upstream) as harness:
            client = await harness.client()
            ack = await client.request({"action": "subscribe", **SBIN, "mode": 3, "depth": 5})
            assert ack["subscriptions"][0]["depth"] == 5
            assert upstream.deep() == [] and len(upstream.main()) == 1

            ack = await client.request({"action": "subscribe", **TCS, "mode": 3, "depth": 20})
            assert ack["subscriptions"][0]["depth"] == 20
            (deep,) = upstream.deep()
            assert deep.depth_levels == 20 and deep.subscribed == {("NSE", "TCS"): FeedMode.DEPTH}
            # the main feed keeps the symbol too, for its quote fields
            assert upstream.main()[0].subscribed == {("NSE", "SBIN"): FeedMode.DEPTH,
                                                     ("NSE", "TCS"): FeedMode.DEPTH}
            health = harness.hub.health()["upstream"]["simulator"]
            assert [c["group"] for c in health["connections"]] == ["main", "depth-20"]
            assert health["depth_symbols"] == 1 and health["limits"]["depth"]["symbols_per_connection"] == 2

            await client.request({"action": "unsubscribe", **TCS, "mode": 3})
            assert upstream.deep() == [] and not deep.connected  # retired with its last symbol
            health = harness.hub.health()["upstream"]["simulator"]
            assert [c["group"] for c in health["connections"]] == ["main"]

    async def test_unsupported_exchange_falls_back_to_five_levels(self):
        upstream = upstream_with()
        async with running_hub(upstream=upstream) as harness:
            client = await harness.client()
            ack = await client.request({"action": "subscribe", "symbol": "SBIN", "exchange": "BSE", "mode": 3,
                                        "depth": 20})
            assert ack["subscriptions"][0]["status"] == "success" and ack["subscriptions"][0]["depth"] == 5
            assert upstream.deep() == []
            upstream.quote_tick("BSE", "SBIN", 10.0)
            tick = await client.next(is_tick)
            assert len(tick["data"]["depth"]["buy"]) == 5

    async def test_levels_between_are_clamped_down_and_without_deep_depth_stay_at_five(self):
        async with running_hub(upstream=upstream_with()) as harness:
            client = await harness.client()
            ack = await client.request({"action": "subscribe", **SBIN, "mode": 3, "depth": 30})
            assert ack["subscriptions"][0]["depth"] == 20
        plain = DeepUpstream(Capabilities(depth_levels=(5, 20)))  # REST depth of 20 is not a streamed one
        async with running_hub(upstream=plain) as harness:
            client = await harness.client()
            ack = await client.request({"action": "subscribe", **SBIN, "mode": 3, "depth": 20})
            assert ack["subscriptions"][0]["depth"] == 5 and plain.deep() == []


class TestMixedAudiences:
    async def test_depth_20_and_depth_5_clients_on_one_symbol(self):
        upstream = upstream_with()
        async with running_hub(HubConfig(throttle_ms=0), upstream=upstream) as harness:
            deep_client = await harness.client()
            five_client = await harness.client("key-bob")
            quote_client = await harness.client("key-bob")
            await deep_client.request({"action": "subscribe", **SBIN, "mode": 3, "depth": 20})
            await five_client.request({"action": "subscribe", **SBIN, "mode": 3, "depth": 5})
            await quote_client.request({"action": "subscribe", **SBIN, "mode": 2})

            upstream.book_tick("NSE", "SBIN")  # a bare book before any price: held back
            upstream.quote_tick("NSE", "SBIN", 812.5)
            deep_tick, five_tick = (await deep_client.next(is_tick))["data"], (await five_client.next(is_tick))["data"]
            quote = (await quote_client.next(is_tick))["data"]
            assert deep_tick["ltp"] == five_tick["ltp"] == quote["ltp"] == 812.5
            assert deep_tick["volume"] == 7 and "depth" not in quote
            assert [row["price"] for row in deep_tick["depth"]["buy"]] == [300 + i for i in range(20)]
            assert [row["price"] for row in five_tick["depth"]["buy"]] == [300 + i for i in range(5)]
            assert [row["price"] for row in five_tick["depth"]["sell"]] == [400 + i for i in range(5)]

            upstream.book_tick("NSE", "SBIN")  # a new book alone: the latest price with the new book
            deep_tick = (await deep_client.next(is_tick))["data"]
            assert deep_tick["ltp"] == 812.5 and len(deep_tick["depth"]["sell"]) == 20

    async def test_upgrade_and_downgrade_move_the_symbol_between_groups(self):
        upstream = upstream_with()
        async with running_hub(HubConfig(throttle_ms=0), upstream=upstream) as harness:
            five_client = await harness.client()
            deep_client = await harness.client("key-bob")
            await five_client.request({"action": "subscribe", **SBIN, "mode": 3})
            assert upstream.deep() == []
            await deep_client.request({"action": "subscribe", **SBIN, "mode": 3, "depth": 20})
            assert [a.subscribed for a in upstream.deep()] == [{("NSE", "SBIN"): FeedMode.DEPTH}]
            await deep_client.request({"action": "unsubscribe", **SBIN, "mode": 3})
            assert upstream.deep() == []
            assert upstream.upstream_modes() == {("NSE", "SBIN"): 3}
            upstream.quote_tick("NSE", "SBIN", 10.0)
            tick = (await five_client.next(is_tick))["data"]
            assert [row["price"] for row in tick["depth"]["buy"]] == [100 + i for i in range(5)]

            # the same client re-subscribing at 20, then back at 5
            await five_client.request({"action": "subscribe", **SBIN, "mode": 3, "depth": 20})
            assert len(upstream.deep()) == 1
            await five_client.request({"action": "subscribe", **SBIN, "mode": 3, "depth": 5})
            assert upstream.deep() == []
            await five_client.request({"action": "unsubscribe", **SBIN, "mode": 3})
            assert upstream.upstream_modes() == {} and harness.hub.health()["upstream"]["simulator"]["connections"] == []


class TestLimits:
    async def test_full_deep_group_fails_the_symbol_clearly(self):
        upstream = upstream_with()  # 1 deep connection × 2 symbols
        async with running_hub(upstream=upstream) as harness:
            client = await harness.client()
            ack = await client.request({"action": "subscribe", "mode": 3, "depth": 20, "symbols": [
                SBIN, TCS, {"exchange": "NSE", "symbol": "INFY"}]})
            assert [s["status"] for s in ack["subscriptions"]] == ["success", "success", "error"]
            assert ack["subscriptions"][2]["message"] == (
                "Maximum capacity reached for 20-level depth: 1 connection(s) × 2 symbols are in use for "
                "this broker account")
            # nothing of the failed symbol is left upstream, on either group
            assert ("NSE", "INFY") not in upstream.upstream_modes()
            assert harness.hub.index.get(("simulator", "NSE", "INFY")) is None
            # a 5-level subscription of the same symbol is still fine
            ack = await client.request({"action": "subscribe", "symbol": "INFY", "exchange": "NSE", "mode": 3})
            assert ack["subscriptions"][0]["status"] == "success"

    async def test_deep_connections_count_toward_the_account_limit(self):
        shared = DeepDepth(levels=(20,), exchanges=frozenset({Exchange.NSE}), max_symbols_per_connection=1,
                           max_connections=5, shares_connection_limit=True)
        upstream = DeepUpstream(caps(max_connections_per_user=2, deep_depth=shared))
        async with running_hub(upstream=upstream) as harness:
            client = await harness.client()
            ack = await client.request({"action": "subscribe", "mode": 3, "depth": 20, "symbols": [SBIN, TCS]})
            assert [s["status"] for s in ack["subscriptions"]] == ["success", "error"]
            assert ack["subscriptions"][1]["message"] == (
                "Maximum capacity reached: all 2 connections of this broker account (market feed and depth) "
                "are in use")
            assert len(upstream.live()) == 2

    async def test_separate_limit_when_deep_sockets_do_not_share_it(self):
        apart = DeepDepth(levels=(20,), exchanges=frozenset({Exchange.NSE}), max_symbols_per_connection=1,
                          max_connections=2, shares_connection_limit=False)
        upstream = DeepUpstream(caps(max_connections_per_user=1, deep_depth=apart))
        async with running_hub(upstream=upstream) as harness:
            client = await harness.client()
            ack = await client.request({"action": "subscribe", "mode": 3, "depth": 20, "symbols": [SBIN, TCS]})
            assert [s["status"] for s in ack["subscriptions"]] == ["success", "success"]
            assert len(upstream.deep()) == 2 and len(upstream.main()) == 1


class TestReconnect:
    async def test_dropped_deep_connection_is_rebuilt_and_resubscribed(self):
        upstream = upstream_with()
        async with running_hub(FAST_RECONNECT, upstream=upstream) as harness:
            client = await harness.client()
            await client.request({"action": "subscribe", "mode": 3, "depth": 20, "symbols": [SBIN, TCS]})
            upstream.quote_tick("NSE", "SBIN", 10.0)
            upstream.book_tick("NSE", "SBIN")
            await wait_until(lambda: any(m.get("data", {}).get("depth", {}).get("buy", [{}])[0].get("price") == 300
                                         for m in client.drain()))
            (old,) = upstream.deep()
            old.drop()
            # meanwhile: the main feed's 5 levels, not the frozen deep book
            upstream.quote_tick("NSE", "SBIN", 11.0)
            tick = (await client.next(lambda m: is_tick(m) and m["data"]["ltp"] == 11.0))["data"]
            assert [row["price"] for row in tick["depth"]["buy"]][:6] == [100, 101, 102, 103, 104, 0.0]

            await wait_until(lambda: len(upstream.deep()) == 1)
            (new,) = upstream.deep()
            assert new is not old and new.depth_levels == 20
            assert new.subscribed == {("NSE", "SBIN"): FeedMode.DEPTH, ("NSE", "TCS"): FeedMode.DEPTH}
            assert len(upstream.main()) == 1  # the main feed was not touched
            await wait_until(lambda: harness.hub.health()["recoveries"] >= 1)
            upstream.book_tick("NSE", "SBIN")
            tick = (await client.next(lambda m: is_tick(m) and m["data"]["depth"]["buy"][0]["price"] == 300))
            assert tick["data"]["ltp"] == 11.0


    async def test_an_idle_book_is_left_alone_but_a_book_silent_while_the_market_trades_is_rebuilt(self):
        config = HubConfig(throttle_ms=0, watchdog_interval_seconds=0.05, stale_connection_seconds=0.3,
                           stale_symbol_seconds=60, reconnect_initial_seconds=0.05, reconnect_max_seconds=0.2)
        upstream = upstream_with()
        async with running_hub(config, upstream=upstream) as harness:
            client = await harness.client()
            await client.request({"action": "subscribe", "mode": 3, "depth": 20, **SBIN})
            await wait_until(lambda: len(upstream.deep()) == 1 and upstream.deep()[0].subscribed)
            upstream.quote_tick("NSE", "SBIN", 10.0)
            upstream.book_tick("NSE", "SBIN")
            await client.next(lambda m: is_tick(m) and m["data"]["depth"]["buy"][0]["price"] == 300)
            (deep,) = upstream.deep()
            await asyncio.sleep(0.8)  # nothing trades and no book arrives: an idle book, not a stall
            assert upstream.deep() == [deep]
            for price in (10.5, 11.0, 11.5, 12.0):  # the market trades, the deep socket stays silent
                upstream.quote_tick("NSE", "SBIN", price)
                await asyncio.sleep(0.15)
            await wait_until(lambda: upstream.deep() and upstream.deep()[0] is not deep)
            assert upstream.deep()[0].subscribed == {("NSE", "SBIN"): FeedMode.DEPTH}
            assert len(upstream.main()) == 1  # the main feed kept running


class TestPoolDirectly:
    async def test_main_failure_rolls_the_deep_subscription_back(self, monkeypatch):
        upstream = upstream_with()
        ticks: list = []
        pool = UpstreamPool("acct", upstream, HubConfig(), lambda key, tick: ticks.append(tick))
        key = ("acct", "NSE", "SBIN")
        instrument = make_instrument("NSE", "SBIN")
        original = MemoryAdapter.subscribe

        async def refuse_main(adapter, instruments, mode):
            if adapter.depth_levels is None:
                raise ConnectionError("main feed refused")
            await original(adapter, instruments, mode)

        monkeypatch.setattr(MemoryAdapter, "subscribe", refuse_main)
        with pytest.raises(UpstreamError, match="main feed refused"):
            await pool.set_mode(key, instrument, FeedMode.DEPTH, 20)
        monkeypatch.setattr(MemoryAdapter, "subscribe", original)
        assert pool.connections == [] and pool.deep_levels(key) is None and upstream.live() == []
        await pool.set_mode(key, instrument, FeedMode.DEPTH, 20)
        assert pool.deep_levels(key) == 20
        await pool.set_mode(key, instrument, FeedMode.QUOTE)  # below DEPTH: out of the deep group
        assert pool.deep_levels(key) is None and len(pool.connections) == 1
        await pool.close()

    async def test_a_full_book_from_a_deep_socket_needs_no_main_tick(self):
        upstream = upstream_with()
        ticks: list[Tick] = []
        pool = UpstreamPool("acct", upstream, HubConfig(), lambda key, tick: ticks.append(tick))
        await pool.set_mode(("acct", "NSE", "SBIN"), make_instrument("NSE", "SBIN"), FeedMode.DEPTH, 20)
        (deep,) = upstream.deep()
        book = Depth(Quote(ltp=5.0), [DepthLevel(5, 1)] * 20, [DepthLevel(6, 1)] * 20)
        deep._tick(Tick("NSE", "SBIN", FeedMode.DEPTH, 5.0, 1, depth=book))
        deep._tick(Tick("NSE", "TCS", FeedMode.DEPTH, 5.0, 1, depth=book))  # not subscribed: ignored
        assert [len(t.depth.bids) for t in ticks] == [20]
        await pool.close()
        await asyncio.sleep(0)


class TestDemand:
    def test_the_largest_book_wins_and_leaves_with_its_client(self):
        index = SubscriptionIndex()
        key = ("simulator", "NSE", "SBIN")
        instrument = make_instrument("NSE", "SBIN")
        assert index.add("a", key, instrument, FeedMode.DEPTH, 5).after == Demand(FeedMode.DEPTH, 5)
        assert index.add("b", key, instrument, FeedMode.DEPTH, 20).after == Demand(FeedMode.DEPTH, 20)
        assert index.add("b", key, instrument, FeedMode.DEPTH, 5).after == Demand(FeedMode.DEPTH, 5)
        assert index.add("b", key, instrument, FeedMode.DEPTH, 20).changed
        change = index.remove("b", key, FeedMode.DEPTH)
        assert (change.before, change.after) == (Demand(FeedMode.DEPTH, 20), Demand(FeedMode.DEPTH, 5))
        index.add("c", key, instrument, FeedMode.DEPTH, 20)
        assert [c.after for c in index.remove_client("c")] == [Demand(FeedMode.DEPTH, 5)]
        assert max(Demand(FeedMode.DEPTH, 20), Demand(FeedMode.DEPTH), Demand(FeedMode.QUOTE)) == (3, 20)

    def test_redis_form_stays_readable_by_plain_instances(self):
        assert demand_text(Demand(FeedMode.QUOTE)) == "2" and demand_text(Demand(FeedMode.DEPTH, 20)) == "3:20"
        assert parse_demand(b"3") == Demand(FeedMode.DEPTH, 5)
        assert parse_demand(b"3:50") == Demand(FeedMode.DEPTH, 50)


class TestSimulatorEndToEnd:
    """The real app and its simulator: 20-level books on their own upstream connection."""

    async def test_depth_20_and_depth_5_clients_and_the_deep_connection_in_health(self, tmp_path):
        from websockets.asyncio.client import connect

        from tests.conftest import make_settings
        from tests.fixtures.accounts import make_user
        from tests.fixtures.streaming import FeedClientConnection, served_app

        settings = make_settings(tmp_path, websocket_port=0, rate_limit_enabled=False, stream_throttle_ms=0)
        async with served_app(settings) as (app, port):
            _, key = await make_user(app, "deepuser")
            symbol = next(i for i in app.state.symbols.index.instruments
                          if i.exchange == "NSE" and i.instrumenttype == "EQ").symbol
            url = f"ws://127.0.0.1:{port}/ws"
            deep_client = FeedClientConnection(await connect(url))
            five_client = FeedClientConnection(await connect(url))
            for client in (deep_client, five_client):
                await client.login(key)
            ack = await deep_client.request({"action": "subscribe", "symbol": symbol, "exchange": "NSE",
                                             "mode": 3, "depth": 20})
            assert ack["subscriptions"][0]["depth"] == 20, ack
            ack = await five_client.request({"action": "subscribe", "symbol": symbol, "exchange": "NSE",
                                             "mode": 3, "depth": 5})
            assert ack["subscriptions"][0]["depth"] == 5, ack

            def full_book(message: dict) -> bool:
                return is_tick(message) and message["data"]["depth"]["buy"][-1]["quantity"] > 0

            deep = (await deep_client.next(full_book, timeout=20))["data"]["depth"]
            assert len(deep["buy"]) == len(deep["sell"]) == 20
            assert all(row["price"] > 0 and row["quantity"] > 0 for row in deep["buy"] + deep["sell"])
            assert [row["price"] for row in deep["buy"]] == sorted((row["price"] for row in deep["buy"]),
                                                                   reverse=True)
            five = (await five_client.next(is_tick, timeout=20))["data"]["depth"]
            assert len(five["buy"]) == len(five["sell"]) == 5

            pool = app.state.hub.health()["upstream"]["simulator"]
            assert sorted(c["group"] for c in pool["connections"]) == ["depth-20", "main"]
            await deep_client.request({"action": "unsubscribe", "symbol": symbol, "exchange": "NSE", "mode": 3})
            pool = app.state.hub.health()["upstream"]["simulator"]
            assert [c["group"] for c in pool["connections"]] == ["main"] and pool["depth_symbols"] == 0
            for client in (deep_client, five_client):
                await client.close()
