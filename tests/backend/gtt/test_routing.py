"""Where GTT calls go: a live broker without GTT support answers 501, one with it gets the call;
semi-auto mode queues placements and refuses modify/cancel (live mode only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.domains.trading.service import set_broker
from brokers.contract import BrokerSession, Capabilities, Gtt, GttRequest, GttStatus
from tests.backend.gtt.conftest import SINGLE, book, ltp, rupees
from tests.fakes.broker_plugin import PRICE, RecordingBroker, RecordingExecution
from tests.fixtures.accounts import make_user, sign_in


class GttExecution(RecordingExecution):
    """The broker side of a live GTT: keeps what it was sent."""

    def __init__(self, calls: list[str]) -> None:
        super().__init__(calls)
        self.book: dict[str, Gtt] = {}

    async def place_gtt(self, request: GttRequest) -> str:
        self.calls.append("place_gtt")
        trigger_id = str(len(self.book) + 1000)
        self.book[trigger_id] = Gtt(trigger_id, request, GttStatus.ACTIVE, datetime.now(UTC))
        return trigger_id

    async def modify_gtt(self, trigger_id: str, request: GttRequest) -> str:
        self.calls.append("modify_gtt")
        self.book[trigger_id] = Gtt(trigger_id, request, GttStatus.ACTIVE)
        return trigger_id

    async def cancel_gtt(self, trigger_id: str) -> str:
        self.calls.append("cancel_gtt")
        self.book[trigger_id].status = GttStatus.CANCELLED
        return trigger_id

    async def gtts(self) -> list[Gtt]:
        self.calls.append("gtts")
        return list(self.book.values())


class GttBroker(RecordingBroker):
    capabilities = Capabilities(gtt=True)

    def __init__(self) -> None:
        super().__init__()
        self.execution = GttExecution(self.calls)


async def live_user(app, username: str, broker: RecordingBroker) -> str:
    name = broker.manifest.name
    app.state.brokers.manifests[name] = broker.manifest
    app.state.brokers.plugins[name] = broker
    user_id, key = await make_user(app, username)
    async with app.state.db.sessions() as session:
        await set_broker(session, user_id, name, "simulator")
        await app.state.broker_sessions.save(session, user_id,
                                             BrokerSession(name, "tok", datetime.now(UTC) + timedelta(hours=6)))
        await session.commit()
    app.state.gateways.forget(user_id)
    return key


GTT = {**SINGLE, "pricetype": "LIMIT", "triggerprice_sl": "90", "price": "89.5"}


async def test_a_live_broker_without_gtt_answers_501(app, post):
    broker = RecordingBroker()
    key = await live_user(app, "nogtt", broker)
    message = {"status": "error", "message": "GTT orders are not supported for broker 'fakelive' yet"}
    for endpoint, body in (("placegttorder", GTT), ("modifygttorder", {**GTT, "trigger_id": "1"}),
                           ("cancelgttorder", {"strategy": "x", "trigger_id": "1"}), ("gttorderbook", {})):
        response = await post(endpoint, **body, apikey=key)
        assert response.status_code == 501, (endpoint, response.text)
        assert response.json() == message
    assert "place_gtt" not in broker.calls
    # analyzer mode: the simulated book serves the same user, and the broker hears nothing
    assert (await post("analyzer/toggle", mode=True, apikey=key)).status_code == 200
    placed = await post("placegttorder", **GTT, apikey=key)
    assert placed.status_code == 200, placed.text
    assert placed.json()["mode"] == "analyze"
    assert len(await book(lambda endpoint, **b: post(endpoint, **b, apikey=key))) == 1


async def test_a_live_broker_with_gtt_gets_the_calls(app, post):
    broker = GttBroker()
    key = await live_user(app, "withgtt", broker)
    placed = await post("placegttorder", **GTT, apikey=key)
    assert placed.status_code == 200, placed.text
    assert placed.json() == {"status": "success", "trigger_id": "1000"}
    sent = broker.execution.book["1000"].request
    assert (sent.symbol, str(sent.trigger_type), sent.last_price, sent.strategy) == ("SBIN", "single", PRICE, "gtt")
    assert [(str(leg.trigger_price), str(leg.price), leg.quantity) for leg in sent.legs] == [("90", "89.5", 2)]
    listed = (await post("gttorderbook", apikey=key)).json()
    assert [item["trigger_id"] for item in listed["data"]] == ["1000"] and "mode" not in listed
    assert (await post("modifygttorder", **{**GTT, "trigger_id": "1000", "quantity": "3"}, apikey=key)).status_code == 200
    assert broker.execution.book["1000"].request.legs[0].quantity == 3
    assert (await post("cancelgttorder", strategy="x", trigger_id="1000", apikey=key)).status_code == 200
    assert (await post("gttorderbook", apikey=key)).json()["data"] == []
    assert broker.calls.count("place_gtt") == 1 and "place_order" not in broker.calls


async def test_semi_auto_queues_placement_and_approval_places_it(app, client, post):
    _id, key = await make_user(app, "gttsemi")
    await sign_in(client, "gttsemi")
    assert (await client.put("/web/action-center/mode", json={"mode": "semi_auto"})).status_code == 200
    price = await ltp(post)
    body = {**SINGLE, "triggerprice_sl": rupees(price * 0.8)}
    queued = await post("placegttorder", **body, apikey=key)
    assert queued.status_code == 200, queued.text
    answer = queued.json()
    assert answer == {"status": "success", "message": "Order queued for approval in Action Center",
                      "mode": "semi_auto", "pending_order_id": answer["pending_order_id"]}
    mine = lambda endpoint, **b: post(endpoint, **b, apikey=key)  # noqa: E731
    assert await book(mine) == []

    # modify and cancel are refused while live (the simulator broker is not analyzer mode)
    modify = await post("modifygttorder", **{**body, "trigger_id": "1"}, apikey=key)
    assert (modify.status_code, modify.json()["message"]) == (
        403, "Modify GTT order is not allowed in Semi-Auto mode. Switch to Auto mode.")
    cancel = await post("cancelgttorder", strategy="x", trigger_id="1", apikey=key)
    assert (cancel.status_code, cancel.json()["message"]) == (
        403, "Cancel GTT order is not allowed in Semi-Auto mode. Switch to Auto mode.")

    approved = await client.post(f"/web/action-center/orders/{answer['pending_order_id']}/approve")
    assert approved.status_code == 200, approved.text
    [item] = await book(mine)
    assert item["trigger_prices"] == [float(rupees(price * 0.8))]

    assert (await post("analyzer/toggle", mode=True, apikey=key)).status_code == 200
    allowed = await post("cancelgttorder", strategy="x", trigger_id=item["trigger_id"], apikey=key)
    assert allowed.status_code == 200, allowed.text  # semi-auto refuses only in live mode
    assert allowed.json()["mode"] == "analyze" and await book(mine) == []
