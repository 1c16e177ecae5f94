"""Placing, listing, replacing and cancelling GTTs in the simulated book (simulator broker and
analyzer mode): the reference's shapes, and each user sees only their own GTTs."""

from __future__ import annotations

from tests.backend.gtt.conftest import OCO, SINGLE, book, ltp, rupees
from tests.fixtures.accounts import make_user


async def test_single_gtt_is_placed_and_listed(post):
    price = await ltp(post)
    placed = await post("placegttorder", **{**SINGLE, "trigger_type": "single", "pricetype": "LIMIT",
                                            "triggerprice_tg": rupees(price * 1.2),
                                            "price": rupees(price * 1.21), "unknown": "ignored"})
    assert placed.status_code == 200, placed.text
    body = placed.json()
    assert body == {"status": "success", "trigger_id": body["trigger_id"]}  # no mode tag on the simulator
    assert body["trigger_id"].isdigit() and len(body["trigger_id"]) == 14
    [item] = await book(post)
    assert item["trigger_id"] == body["trigger_id"]
    assert (item["trigger_type"], item["status"], item["symbol"], item["exchange"]) == ("single", "active", "SBIN", "NSE")
    assert item["trigger_prices"] == [float(rupees(price * 1.2))]
    assert item["legs"] == [{"action": "BUY", "quantity": 2, "price": float(rupees(price * 1.21)), "pricetype": "LIMIT",
                             "product": "CNC"}]
    assert item["last_price"] > 0
    assert len(item["created_at"]) == 19 and item["updated_at"] == "" and item["expires_at"] > item["created_at"]


async def test_oco_lists_triggers_ascending_with_legs_in_the_same_order(post):
    price = await ltp(post)
    sl, tg = rupees(price * 0.9), rupees(price * 1.1)
    placed = await post("placegttorder", **{**OCO, "pricetype": "LIMIT", "triggerprice_sl": sl, "stoploss": rupees(price * 0.89),
                                            "triggerprice_tg": tg, "target": rupees(price * 1.11),
                                            "expires_at": "2099-01-01"})
    assert placed.status_code == 200, placed.text
    [item] = await book(post)
    assert item["trigger_type"] == "two-leg"
    assert item["trigger_prices"] == [float(sl), float(tg)]
    assert [leg["price"] for leg in item["legs"]] == [float(rupees(price * 0.89)), float(rupees(price * 1.11))]
    assert {leg["action"] for leg in item["legs"]} == {"SELL"}
    assert item["expires_at"] == "2099-01-01 00:00:00"  # IST, as given


async def test_modify_replaces_and_cancel_removes(post):
    price = await ltp(post)
    trigger_id = (await post("placegttorder", **{**SINGLE, "triggerprice_sl": rupees(price * 0.8),
                                                 "price": rupees(price * 0.8)})).json()["trigger_id"]
    modified = await post("modifygttorder", **{**SINGLE, "trigger_id": trigger_id, "quantity": "5",
                                               "triggerprice_sl": rupees(price * 0.7), "price": rupees(price * 0.7),
                                               "expires_at": "ignored on modify"})
    assert modified.status_code == 200, modified.text
    assert modified.json() == {"status": "success", "trigger_id": trigger_id}
    [item] = await book(post)
    assert item["trigger_prices"] == [float(rupees(price * 0.7))]
    assert item["legs"][0]["quantity"] == 5 and item["updated_at"] != ""

    cancelled = await post("cancelgttorder", strategy="gtt", trigger_id=trigger_id)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json() == {"status": "success", "trigger_id": trigger_id}
    assert await book(post) == []
    again = await post("cancelgttorder", strategy="gtt", trigger_id=trigger_id)
    assert again.status_code == 400 and "not active" in again.json()["message"]
    late = await post("modifygttorder", **{**SINGLE, "trigger_id": trigger_id, "triggerprice_sl": "1"})
    assert late.status_code == 400 and "not active" in late.json()["message"]


async def test_modify_cannot_change_the_instrument_or_kind(post):
    price = await ltp(post)
    trigger_id = (await post("placegttorder", **{**SINGLE, "triggerprice_sl": rupees(price * 0.8)})).json()["trigger_id"]
    response = await post("modifygttorder", **{**SINGLE, "trigger_id": trigger_id, "symbol": "INFY",
                                               "triggerprice_sl": "10"})
    assert response.status_code == 400 and "cannot change" in response.json()["message"]
    assert (await book(post))[0]["symbol"] == "SBIN"


async def test_another_users_gtt_is_not_found(app, client, post):
    price = await ltp(post)
    trigger_id = (await post("placegttorder", **{**SINGLE, "triggerprice_sl": rupees(price * 0.8)})).json()["trigger_id"]
    _user_id, other = await make_user(app, "gttother")
    assert (await post("gttorderbook", apikey=other)).json()["data"] == []
    for endpoint, body in (("cancelgttorder", {"strategy": "x", "trigger_id": trigger_id}),
                           ("modifygttorder", {**SINGLE, "trigger_id": trigger_id, "triggerprice_sl": "10"})):
        response = await post(endpoint, **body, apikey=other)
        assert response.status_code == 404, response.text
        assert response.json() == {"status": "error", "message": f"GTT order {trigger_id} not found"}
    assert [item["trigger_id"] for item in await book(post)] == [trigger_id]  # untouched


async def test_analyzer_mode_tags_gtt_responses(post):
    assert (await post("analyzer/toggle", mode=True)).status_code == 200
    price = await ltp(post)
    placed = await post("placegttorder", **{**SINGLE, "triggerprice_sl": rupees(price * 0.8)})
    assert placed.status_code == 200, placed.text
    assert placed.json()["mode"] == "analyze"
    listed = (await post("gttorderbook")).json()
    assert listed["mode"] == "analyze" and len(listed["data"]) == 1
    missing = await post("cancelgttorder", strategy="x", trigger_id="123")
    assert missing.status_code == 404 and missing.json()["mode"] == "analyze"
