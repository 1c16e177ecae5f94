"""Analyzer mode on a live broker matches against that broker's market, end to end: a Zerodha user
(the fake Kite: REST quotes and a ticker WebSocket whose prices the test sets) places paper orders
next to a simulator user. Simulator ticks never fill the Zerodha user's orders, the broker's own
feed does, positions are marked at the broker's price, and without a broker session the orders
wait — no fallback to the simulator — until the user logs in again."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from backend.domains.sandbox.service import SandboxService
from backend.domains.trading.market_sources import MarketSources
from brokers.contract import FeedMode, Tick
from tests.backend.api_v1.conftest import eventually
from tests.brokers.zerodha.fake import FakeKite
from tests.conftest import make_settings
from tests.fixtures.accounts import make_user, sign_in

LIMIT_ORDER = {"strategy": "paper", "symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": "1",
               "pricetype": "LIMIT", "product": "CNC"}


@pytest.fixture
async def kite():
    fake = FakeKite()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def settings(tmp_path, database_url, kite):
    return make_settings(tmp_path, database_url=database_url, enabled_brokers="simulator,zerodha",
                         broker_urls={"zerodha": kite.urls}, host_server="https://algo.example.in")


async def api(client, key: str, endpoint: str, **body) -> dict:
    response = await client.post(f"/api/v1/{endpoint}", json={**body, "apikey": key})
    assert response.status_code == 200, response.text
    return response.json()


async def log_in_to_kite(client, kite) -> None:
    started = await client.post("/web/broker/zerodha/login", json={"params": {}})
    assert started.status_code == 200, started.text
    params = await kite.login_params(started.json()["data"]["redirect"])
    back = await client.get(f"/zerodha/callback?{urlencode(params)}")
    assert "login=success" in back.headers["location"], back.headers["location"]


async def kite_analyzer_user(app, client, kite) -> tuple[int, str]:
    """A user on Zerodha (logged in through the OAuth round trip) with analyzer mode on."""
    user_id, key = await make_user(app, "kitetrader")
    await sign_in(client, "kitetrader")
    assert (await client.put("/web/trading/broker", json={"broker": "zerodha"})).status_code == 200
    assert (await client.put("/web/broker/zerodha/credentials", json={"values": kite.credentials})).status_code == 200
    await log_in_to_kite(client, kite)
    assert (await client.put("/web/trading/analyzer", json={"mode": True})).status_code == 200

    async def master_loaded():
        return (await client.get("/web/master-contract")).json()["data"]["status"] == "success"

    assert await eventually(master_loaded, within=20)
    return user_id, key


def simulator_tick(app, ltp: float) -> None:
    """A tick on the simulator's shared feed, as its upstream would deliver it."""
    tick = Tick(exchange="NSE", symbol="SBIN", mode=FeedMode.QUOTE, ltp=ltp, timestamp_ms=int(time.time() * 1000),
                bid=ltp - 0.05, ask=ltp, open=ltp, high=ltp, low=ltp, close=ltp)
    app.state.hub.deliver_tick(("simulator", "NSE", "SBIN"), tick)


async def order_status(client, key: str, orderid: str) -> str:
    return (await api(client, key, "orderstatus", strategy="paper", orderid=orderid))["data"]["order_status"]


async def subscribed(feed, *keys) -> bool:
    return all(key in feed.subscriptions for key in keys)


async def test_orders_fill_and_mark_on_the_brokers_market_never_the_simulators(app, client, kite):
    kite_id, kite_key = await kite_analyzer_user(app, client, kite)
    _, sim_key = await make_user(app, "simtrader")
    sim_ltp = (await api(client, sim_key, "quotes", symbol="SBIN", exchange="NSE"))["data"]["ltp"]
    broker_ltp = round(sim_ltp * 2)  # far above anything the simulator quotes
    kite.set_price("NSE:SBIN", str(broker_ltp))
    limit = broker_ltp - 20  # rests on the broker's market; the simulator's price is far below it
    placed = await api(client, kite_key, "placeorder", **LIMIT_ORDER, price=str(limit))
    assert placed["mode"] == "analyze", placed
    sim_limit = round(sim_ltp * 0.85)
    sim_placed = await api(client, sim_key, "placeorder", **LIMIT_ORDER, price=str(sim_limit))
    source = f"zerodha:{kite_id}"
    feed = app.state.paper_feed
    assert await eventually(lambda: subscribed(feed, (source, "NSE:SBIN"), ("simulator", "NSE:SBIN")), within=10)

    simulator_tick(app, sim_limit - 1)  # crosses both limits
    assert await eventually(lambda: _is(client, sim_key, sim_placed["orderid"], "complete"))
    quotes_before = kite.calls.count(("GET", "/quote"))
    await app.state.sandbox.poll()  # the safety poll quotes the broker for this order, not the simulator
    assert kite.calls.count(("GET", "/quote")) > quotes_before
    assert await order_status(client, kite_key, placed["orderid"]) == "open"

    kite.set_price("NSE:SBIN", str(limit - 2))  # the broker's own feed crosses the limit
    assert await eventually(lambda: _is(client, kite_key, placed["orderid"], "complete"), within=10)
    status = (await api(client, kite_key, "orderstatus", strategy="paper", orderid=placed["orderid"]))["data"]
    assert status["average_price"] == float(limit)

    kite.set_price("NSE:SBIN", str(limit + 7))

    async def marked_at_the_broker():
        [position] = (await api(client, kite_key, "positionbook"))["data"]
        return position["ltp"] == float(limit + 7) and position

    position = await eventually(marked_at_the_broker, within=10)
    assert position and position["pnl"] == 7.0, position
    simulator_tick(app, sim_ltp)
    [still] = (await api(client, kite_key, "positionbook"))["data"]
    assert still["ltp"] == float(limit + 7)  # a simulator tick marks simulator accounts only


async def _is(client, key: str, orderid: str, wanted: str) -> bool:
    return await order_status(client, key, orderid) == wanted


async def test_without_a_broker_session_orders_wait_and_resume_after_the_next_login(app, client, kite, caplog):
    kite_id, kite_key = await kite_analyzer_user(app, client, kite)
    kite.set_price("NSE:SBIN", "800")
    placed = await api(client, kite_key, "placeorder", **LIMIT_ORDER, price="790")
    source, feed = f"zerodha:{kite_id}", app.state.paper_feed
    assert await eventually(lambda: subscribed(feed, (source, "NSE:SBIN")), within=10)

    out = await client.delete("/web/broker/zerodha/session")  # logged out: no feed, no quotes
    assert out.json()["data"]["revoked"] is True
    caplog.set_level("WARNING", logger="algogate.trading.feed")
    for _ in range(3):
        await feed.sync()
    assert (source, "NSE:SBIN") not in feed.subscriptions
    assert len([r for r in caplog.records if source in r.getMessage()]) == 1  # said once, not every sync
    assert ("simulator", "NSE:SBIN") not in feed.subscriptions  # never falls back to the simulator
    simulator_tick(app, 700)
    await app.state.sandbox.poll()  # no session: the source is skipped
    # (the API itself needs a broker login, analyzer mode too: read the paper book directly)
    assert (await app.state.sandbox.order_status(kite_id, placed["orderid"]))["data"]["order_status"] == "open"

    # A restart finds the order's source from the user's profile, and its catch-up skips it too.
    restarted = SandboxService(app.state.db, app.state.settings)
    restarted.use_markets(MarketSources(app.state.gateways))
    await restarted.start()
    assert [(s, c.key) for s, c in restarted.engine.resting_contracts()] == [(source, "NSE:SBIN")]
    assert (await restarted.order_status(kite_id, placed["orderid"]))["data"]["order_status"] == "open"

    kite.set_price("NSE:SBIN", "780")
    await log_in_to_kite(client, kite)
    await feed.sync()  # the periodic resync
    assert (source, "NSE:SBIN") in feed.subscriptions
    assert await eventually(lambda: _is(client, kite_key, placed["orderid"], "complete"), within=10)


async def test_simulated_gtts_trigger_on_the_brokers_feed_never_the_simulators(app, client, kite):
    kite_id, kite_key = await kite_analyzer_user(app, client, kite)
    sim_ltp = (await api(client, kite_key, "quotes", symbol="SBIN", exchange="NSE"))["data"]["ltp"]
    broker_ltp = 900
    kite.set_price("NSE:SBIN", str(broker_ltp))
    trigger = broker_ltp + 50
    placed = await api(client, kite_key, "placegttorder", strategy="gtt", trigger_type="SINGLE", exchange="NSE",
                       symbol="SBIN", action="BUY", product="CNC", quantity="1", pricetype="MARKET", price="0",
                       triggerprice_sl="0", triggerprice_tg=str(trigger))
    trigger_id = placed["trigger_id"]
    source = f"zerodha:{kite_id}"
    monitor = app.state.gtt_monitor
    assert await eventually(lambda: subscribed(monitor, (source, "NSE:SBIN")), within=10)
    assert ("simulator", "NSE:SBIN") not in monitor.subscriptions

    simulator_tick(app, max(sim_ltp, trigger) + 100)  # the simulator crossing the trigger changes nothing

    async def gtt_status() -> str:
        rows = (await api(client, kite_key, "gttorderbook"))["data"]
        return next((row["status"] for row in rows if row["trigger_id"] == trigger_id), "gone")

    assert await gtt_status() == "active"
    kite.set_price("NSE:SBIN", str(trigger + 1))  # the broker's feed crosses it
    assert await eventually(lambda: _gtt_left(client, kite_key, trigger_id), within=10)

    async def child_placed():
        return (await api(client, kite_key, "orderbook"))["data"]["orders"]

    [child] = await eventually(child_placed, within=10)
    assert (child["symbol"], child["action"]) == ("SBIN", "BUY")


async def _gtt_left(client, key: str, trigger_id: str) -> bool:
    rows = (await api(client, key, "gttorderbook"))["data"]
    return all(row["trigger_id"] != trigger_id or row["status"] != "active" for row in rows)
