"""The hub inside the real app: `/ws` on the main port and the extra feed port authenticate real
API keys; Socket.IO authenticates the web session and delivers each user's events only to them."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.conftest import free_port, make_settings
from tests.fixtures.accounts import make_user, sign_in
from tests.fixtures.streaming import FeedClientConnection, MiniSocketIO, served_app, wait_until


@pytest.fixture
async def live_app(tmp_path):
    settings = make_settings(tmp_path, websocket_port=free_port(), rate_limit_enabled=False)
    async with served_app(settings) as (app, port):
        yield app, port, settings.websocket_port


async def feed(url: str) -> FeedClientConnection:
    return FeedClientConnection(await connect(url))


class TestFeedEndpoints:
    async def test_real_api_keys_on_ws_path_and_on_the_feed_port(self, live_app):
        app, port, feed_port = live_app
        _, key = await make_user(app, "feeduser")
        for url in (f"ws://127.0.0.1:{port}/ws", f"ws://127.0.0.1:{feed_port}"):
            client = await feed(url)
            bad = await client.login("0" * 64)
            assert bad["status"] == "error" and bad["code"] == "AUTHENTICATION_ERROR"
            good = await client.login(key)
            assert good["status"] == "success" and good["user_id"] == "feeduser"
            reply = await client.request({"action": "subscribe", "symbol": "NOSUCHSYM", "exchange": "NSE",
                                          "mode": 1})
            assert reply["subscriptions"][0] == {"symbol": "NOSUCHSYM", "exchange": "NSE", "status": "error",
                                                 "message": "Symbol not found", "broker": "simulator"}
            await client.send("{oops")
            assert (await client.next())["code"] == "INVALID_JSON"
            await client.close()

    async def test_simulator_ticks_reach_a_feed_client(self, live_app):
        app, port, feed_port = live_app
        _, key = await make_user(app, "tickuser")
        symbol = next(i for i in app.state.symbols.index.instruments if i.exchange == "NSE").symbol
        client = await feed(f"ws://127.0.0.1:{feed_port}")
        await client.login(key)
        ack = await client.request({"action": "subscribe", "symbol": symbol, "exchange": "NSE", "mode": 2})
        assert ack["status"] == "success", ack
        tick = await client.next(lambda m: m.get("type") == "market_data", timeout=20)
        assert tick["symbol"] == symbol and tick["data"]["ltp"] > 0 and tick["broker"] == "simulator"
        await client.close()
        await wait_until(lambda: app.state.hub.index.get(("simulator", "NSE", symbol)) is None)

    async def test_order_updates_over_ws_path(self, live_app):
        app, port, _ = live_app
        _, key = await make_user(app, "orders1")
        client = await feed(f"ws://127.0.0.1:{port}/ws")
        await client.login(key)
        await client.request({"action": "subscribe_orders"})
        await app.state.hub.publish_order_update("orders1", {"orderid": "9", "order_status": "open"})
        update = await client.next(lambda m: m.get("type") == "order_update")
        assert update == {"type": "order_update", "user_id": "orders1", "orderid": "9", "order_status": "open"}
        await client.close()

    async def test_readiness_reports_the_hub(self, live_app):
        _, port, feed_port = live_app
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            body = (await http.get("/health/ready")).json()
        hub = body["components"]["hub"]
        assert hub["status"] == "ok" and f"127.0.0.1:{feed_port}" in hub["detail"]["feed_listeners"]


class TestSocketIO:
    async def test_session_required_and_events_only_reach_their_owner(self, live_app):
        app, port, _ = live_app
        await make_user(app, "webalice")
        await make_user(app, "webbob")
        refused, message = await MiniSocketIO.connect(port)
        assert refused is None and message == "authentication required"

        cookies = {}
        for name in ("webalice", "webbob"):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                await sign_in(http, name)
                cookies[name] = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        alice, _ = await MiniSocketIO.connect(port, cookie=cookies["webalice"])
        bob, _ = await MiniSocketIO.connect(port, cookie=cookies["webbob"])
        assert alice is not None and bob is not None

        hub = app.state.hub
        await hub.publish_user_event("webalice", "order_event", {"orderid": "1", "mode": "live"})
        await hub.publish_user_event("webbob", "analyzer_update", {"request": {}, "response": {}})
        assert await alice.next_event("order_event") == {"orderid": "1", "mode": "live"}
        assert await bob.next_event("analyzer_update") == {"request": {}, "response": {}}
        await asyncio.sleep(0.2)
        assert alice.events.empty() and bob.events.empty()  # nothing crossed users
        await alice.close()
        await bob.close()

    async def test_other_sites_cannot_open_a_socket_with_the_users_cookie(self, live_app):
        app, port, _ = live_app
        await make_user(app, "webcarol")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            await sign_in(http, "webcarol")
            cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        with pytest.raises(InvalidStatus):
            await MiniSocketIO.connect(port, cookie=cookie, origin="https://evil.example")
        same_site, _ = await MiniSocketIO.connect(port, cookie=cookie, origin=f"http://127.0.0.1:{port}")
        assert same_site is not None
        await same_site.close()
