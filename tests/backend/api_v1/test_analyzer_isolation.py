"""With analyzer mode on, no call of any kind reaches the live broker's execution side; with it
off, orders go to the broker. A missing or expired broker login is a clear error, not a call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.domains.trading.service import set_broker
from brokers.contract import BrokerSession
from tests.backend.api_v1.conftest import ORDER
from tests.fakes.broker_plugin import RecordingBroker
from tests.fixtures.accounts import make_user


async def live_user(app, username: str, *, logged_in: bool = True):
    broker = RecordingBroker()
    app.state.brokers.manifests["fakelive"] = broker.manifest
    app.state.brokers.plugins["fakelive"] = broker
    user_id, key = await make_user(app, username)
    async with app.state.db.sessions() as session:
        await set_broker(session, user_id, "fakelive", "simulator")
        if logged_in:
            expires = datetime.now(UTC) + timedelta(hours=6)
            await app.state.broker_sessions.save(session, user_id, BrokerSession("fakelive", "tok", expires))
        await session.commit()
    app.state.gateways.forget(user_id)
    return broker, key


async def test_analyzer_mode_never_reaches_the_broker(app, client):
    broker, key = await live_user(app, "livetrader")
    assert (await client.post("/api/v1/analyzer/toggle", json={"apikey": key, "mode": True})).status_code == 200
    for endpoint, body in [("placeorder", ORDER), ("placesmartorder", {**ORDER, "position_size": "3"}),
                           ("splitorder", {**ORDER, "quantity": "4", "splitsize": "2"}),
                           ("basketorder", {"strategy": "t", "orders": [{k: ORDER[k] for k in (
                               "symbol", "exchange", "action", "quantity")}]}),
                           ("orderbook", {}), ("tradebook", {}), ("positionbook", {}), ("holdings", {}),
                           ("funds", {}), ("cancelallorder", {"strategy": "t"}), ("closeposition", {"strategy": "t"})]:
        response = await client.post(f"/api/v1/{endpoint}", json={**body, "apikey": key})
        assert response.status_code == 200, (endpoint, response.text)
        assert response.json().get("mode") == "analyze", endpoint
    assert broker.calls == []  # not one call, not even building the execution client
    book = (await client.post("/api/v1/orderbook", json={"apikey": key})).json()["data"]["orders"]
    assert len(book) >= 4 and all(len(o["orderid"]) == 14 for o in book)  # paper orders


async def test_live_mode_sends_orders_to_the_broker(app, client):
    broker, key = await live_user(app, "livetrader2")
    placed = (await client.post("/api/v1/placeorder", json={**ORDER, "apikey": key})).json()
    assert placed == {"status": "success", "orderid": "LIVE1"}
    assert broker.calls.count("place_order") == 1
    funds = (await client.post("/api/v1/funds", json={"apikey": key})).json()["data"]
    assert funds["availablecash"] == "50000.00"  # live funds are 2-decimal strings, as OpenAlgo's


async def test_no_broker_login_is_a_clear_error(app, client):
    broker, key = await live_user(app, "notloggedin", logged_in=False)
    response = await client.post("/api/v1/placeorder", json={**ORDER, "apikey": key})
    assert response.status_code == 403
    assert "log in" in response.json()["message"].lower()
    assert broker.calls == []
