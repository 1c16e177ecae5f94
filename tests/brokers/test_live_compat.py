"""Every real broker plugin, end to end, as a user meets it: a server process with the broker
enabled and pointed at that broker's fake (`tests/brokers/<name>/fake.py`), the broker chosen,
credentials saved and a login made through the SPA's routes (OAuth round trip through the fake's
login page and our `/{broker}/callback`, or the credential form), then the `openalgo` SDK
trading through it unchanged — and the broker killing the token mid-day.

The fake runs on its own event loop in a thread, because the SDK runs as a blocking subprocess.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.compat.sdk import ensure_sdk, run_sdk
from tests.conftest import start_live_server, stop_live_server

pytestmark = pytest.mark.compat
PASSWORD = "Live-Broker-2026"
BROKERS_DIR = Path(__file__).parent


def fake_brokers() -> list[str]:
    return sorted(info.name for info in pkgutil.iter_modules([str(BROKERS_DIR)])
                  if info.ispkg and (BROKERS_DIR / info.name / "fake.py").exists())


def fake_class(name: str):
    module = importlib.import_module(f"tests.brokers.{name}.fake")
    found = [cls for _, cls in inspect.getmembers(module, inspect.isclass)
             if cls.__module__ == module.__name__ and hasattr(cls, "login_params") and hasattr(cls, "expire_tokens")]
    assert len(found) == 1, f"tests/brokers/{name}/fake.py must define exactly one FakeBroker, found {found}"
    return found[0]


class FakeLoop:
    """The fake brokers, served from one private event loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="fake-brokers")
        self.thread.start()

    def run(self, coroutine, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def call(self, function, *args):
        """Run a plain method on the fakes' loop (fakes may touch loop-bound state)."""
        async def wrapper():
            return function(*args)
        return self.run(wrapper())

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def cli(server, *args: str, stdin: str = "") -> str:
    result = subprocess.run([sys.executable, "-m", "backend.cli", *args], input=stdin, capture_output=True,
                            text=True, cwd=server.log_path.parent, env=server.env, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def eventually(check, timeout: float = 30, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def signed_in(base_url: str, username: str) -> httpx.Client:
    web = httpx.Client(base_url=base_url, timeout=30)
    answer = web.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    web.headers["X-CSRF-Token"] = answer.json()["data"]["csrf_token"]
    return web


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[dict]:
    """Every fake broker, and one server offering all of them (`ENABLED_BROKERS=simulator,*`)."""
    ensure_sdk()
    loop = FakeLoop()
    fakes = {name: fake_class(name)() for name in fake_brokers()}
    started = []
    try:
        for fake in fakes.values():
            loop.run(fake.start())
            started.append(fake)
        server = start_live_server(tmp_path_factory.mktemp("live-brokers"), extra_env={
            "ENABLED_BROKERS": "simulator,*", "BROKER_URLS": json.dumps({n: f.urls for n, f in fakes.items()}),
            "LOGIN_RATE_LIMIT": "1000 per minute"})  # one sign-in per broker user
        try:
            cli(server, "user", "create", "--username", "admin", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
            with closing(signed_in(server.base_url, "admin")) as admin:
                yield {"loop": loop, "fakes": fakes, "server": server, "admin": admin}
        finally:
            stop_live_server(server)
    finally:
        for fake in started:
            loop.run(fake.stop())
        loop.close()


@pytest.fixture(scope="module", params=fake_brokers())
def live(request, world) -> Iterator[dict]:
    """One user per broker on the shared server, signed in to the SPA, with an API key."""
    name = request.param
    created = world["admin"].post("/web/admin/users", json={"username": f"user{name}", "password": PASSWORD})
    assert created.status_code == 200, created.text
    with closing(signed_in(world["server"].base_url, f"user{name}")) as web:
        apikey = web.get("/web/apikey").json()["data"]["api_key"]
        yield {"name": name, "fake": world["fakes"][name], "loop": world["loop"], "server": world["server"],
               "web": web, "apikey": apikey}


def log_in(live) -> None:
    """Choose the broker, store its credentials, log in as the SPA does."""
    name, web, fake = live["name"], live["web"], live["fake"]
    assert web.put("/web/trading/broker", json={"broker": name}).status_code == 200
    saved = web.put(f"/web/broker/{name}/credentials", json={"values": fake.credentials})
    assert saved.status_code == 200, saved.text
    assert all(field["stored"] for field in saved.json()["data"]["credential_fields"] if field["required"])
    assert fake.credentials.get(next(iter(fake.credentials))) not in saved.text  # never echoed
    started = web.post(f"/web/broker/{name}/login", json={"params": {}})
    if started.status_code == 400 and "Enter" in started.text:  # credential brokers: the login form
        params = live["loop"].run(fake.login_params(None))
        started = web.post(f"/web/broker/{name}/login", json={"params": dict(params)})
        assert started.status_code == 200, started.text
        return
    assert started.status_code == 200, started.text
    redirect = started.json()["data"].get("redirect")
    if redirect is None:
        return  # logged in at once (API-key brokers)
    params = dict(live["loop"].run(fake.login_params(redirect)))
    back = web.get(f"/{name}/callback?{urlencode(params)}", follow_redirects=False)
    assert back.status_code == 303, back.text
    assert "login=success" in back.headers["location"], back.headers["location"]


# A login within 30 minutes of the broker's daily rollover (03:00 IST for the Noren and XTS members)
# is "expiring" at once: still a working session.
LOGGED_IN = ("connected", "expiring")


def ensure_logged_in(live) -> None:
    state = live["web"].get("/web/trading/broker-session").json()["data"]
    if state["broker"] != live["name"] or state["state"] not in LOGGED_IN:
        log_in(live)
    assert eventually(lambda: live["web"].get("/web/master-contract").json()["data"]["status"] == "success")


def sdk(live, body: str):
    return run_sdk(live["server"].base_url, live["apikey"], body)


def test_login_master_contract_and_trading_through_the_sdk(live):
    name, web = live["name"], live["web"]
    before = web.get("/web/trading/broker-session").json()["data"]
    assert before["broker"] == "simulator"
    log_in(live)
    state = web.get("/web/trading/broker-session").json()["data"]
    assert state["broker"] == name and state["state"] in LOGGED_IN, state
    master = eventually(lambda: (m := web.get("/web/master-contract").json()["data"])["status"] == "success" and m)
    assert master and master["total"] >= 5, web.get("/web/master-contract").json()

    # One SDK process for the whole session (each start costs a second): the calls a strategy makes.
    got = sdk(live, """
result = {"funds": client.funds(), "quote": client.quotes(symbol="SBIN", exchange="NSE"),
          "reliance": client.quotes(symbol="RELIANCE", exchange="NSE")}
placed = client.placeorder(strategy="live", symbol="SBIN", action="BUY", exchange="NSE", price_type="MARKET",
                           product="MIS", quantity=2)
result["placed"] = placed
orderid = placed.get("orderid", "")
result["status"] = client.orderstatus(order_id=orderid, strategy="live")
result["orderbook"] = client.orderbook()
result["positions"] = client.positionbook()
result["trades"] = client.tradebook()
below = round(result["reliance"]["data"]["ltp"] * 0.95, 1)  # rests: well below the market
resting = client.placeorder(strategy="live", symbol="RELIANCE", action="BUY", exchange="NSE", price_type="LIMIT",
                            price=below, product="CNC", quantity=1)
result["resting"] = resting
result["cancelled"] = client.cancelorder(order_id=resting.get("orderid", ""), strategy="live")
result["unknown"] = client.quotes(symbol="NOSUCHSYMBOL", exchange="NSE")
""")
    assert got["funds"]["status"] == "success" and float(got["funds"]["data"]["availablecash"]) > 0, got["funds"]
    assert got["quote"]["status"] == "success" and got["quote"]["data"]["ltp"] > 0, got["quote"]
    assert got["placed"]["status"] == "success", got["placed"]
    orderid = got["placed"]["orderid"]
    assert got["status"]["status"] == "success" and got["status"]["data"]["order_status"] == "complete", got["status"]
    assert any(o["orderid"] == orderid and o["symbol"] == "SBIN" for o in got["orderbook"]["data"]["orders"]), \
        got["orderbook"]
    assert any(p["symbol"] == "SBIN" and int(p["quantity"]) == 2 for p in got["positions"]["data"]), got["positions"]
    assert any(t["orderid"] == orderid for t in got["trades"]["data"]), got["trades"]
    assert got["resting"]["status"] == "success", got["resting"]
    assert got["cancelled"]["status"] == "success", got["cancelled"]
    assert got["unknown"]["status"] == "error" and "not found" in got["unknown"]["message"].lower(), got["unknown"]


def next_message(socket, wanted, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
        if wanted(message):
            return message
    raise AssertionError(f"no matching message within {timeout}s")


def next_tick(socket, symbol: str, timeout: float = 20) -> dict:
    return next_message(socket, lambda m: m.get("type") == "market_data" and m.get("symbol") == symbol, timeout)


def test_live_ticks_reach_a_feed_client_and_survive_a_dropped_broker_socket(live):
    """The hub opens the user's own upstream connection with their broker session, and rebuilds it
    (resubscribing) when the broker drops it."""
    from websockets.sync.client import connect

    fake, name = live["fake"], live["name"]
    ensure_logged_in(live)
    url = live["server"].base_url.replace("http://", "ws://") + "/ws"
    with connect(url, open_timeout=10) as socket:
        socket.send(json.dumps({"action": "authenticate", "api_key": live["apikey"]}))
        assert json.loads(socket.recv(timeout=10))["status"] == "success"
        socket.send(json.dumps({"action": "subscribe", "symbol": "SBIN", "exchange": "NSE", "mode": 2}))
        ack = json.loads(socket.recv(timeout=20))
        assert ack["status"] == "success", ack
        tick = next_tick(socket, "SBIN")
        assert tick["broker"] == name and tick["data"]["ltp"] > 0, tick
        # Orders the broker acknowledges are pushed to the owner's feed and Socket.IO clients.
        socket.send(json.dumps({"action": "subscribe_orders"}))
        placed = httpx.post(f"{live['server'].base_url}/api/v1/placeorder", timeout=30, json={
            "apikey": live["apikey"], "strategy": "feed", "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
            "quantity": 1, "pricetype": "MARKET", "product": "MIS"}).json()
        assert placed["status"] == "success", placed
        update = next_message(socket, lambda m: m.get("type") == "order_update")
        assert (update["orderid"], update["broker"], update["symbol"], update["mode"]) == (
            placed["orderid"], name, "SBIN", "live"), update
        live["loop"].call(fake.drop_feed_connections)
        drain_until = time.monotonic() + 1.0  # throw away what was in flight before the drop
        while time.monotonic() < drain_until:
            try:
                socket.recv(timeout=0.1)
            except TimeoutError:
                pass
        try:
            resumed = next_tick(socket, "SBIN", timeout=30)  # after back-off, reconnect and resubscribe
        except TimeoutError:
            raise AssertionError(f"no tick after the drop; server log:\n{live['server'].log[-4000:]}") from None
        assert resumed["data"]["ltp"] > 0, resumed


def test_a_token_the_broker_rejects_ends_the_session_with_a_clear_message(live):
    web, fake = live["web"], live["fake"]
    ensure_logged_in(live)
    live["loop"].call(fake.expire_tokens)
    got = sdk(live, "result = [client.funds(), client.funds()]")
    failed, again = got
    assert failed["status"] == "error" and "log in again" in failed["message"].lower(), failed
    assert live["name"] in failed["message"].lower()
    state = web.get("/web/trading/broker-session").json()["data"]
    assert state["state"] == "expired", state
    # The second call never reached the broker with the dead token: our own clear refusal.
    assert again["status"] == "error" and "log in" in again["message"].lower(), again
