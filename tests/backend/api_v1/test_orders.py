"""placeorder, smart, modify, cancel, cancel-all, close, split, basket, orderstatus, openposition."""

from __future__ import annotations

import ast

import pytest

from tests.backend.api_v1.conftest import ORDER, resting_buy_price


def repr_message(response) -> dict:
    """Order endpoints put the Python repr of the error dict in `message` (api-v1 §1.5 variant 1)."""
    body = response.json()
    assert body["status"] == "error"
    return ast.literal_eval(body["message"])


async def orderbook(post) -> list[dict]:
    return (await post("orderbook")).json()["data"]["orders"]


class TestPlaceOrder:
    async def test_market_order_fills_and_shows_everywhere(self, post):
        response = await post("placeorder", **ORDER)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "success" and len(body["orderid"]) == 14 and body["orderid"].isdigit()
        assert "mode" not in body  # the simulator broker answers like a live broker
        orders = await orderbook(post)
        assert [o["orderid"] for o in orders] == [body["orderid"]]
        assert orders[0]["order_status"] == "complete"
        trades = (await post("tradebook")).json()["data"]
        assert trades[0]["orderid"] == body["orderid"] and trades[0]["quantity"] == 1
        positions = (await post("positionbook")).json()["data"]
        assert [(p["symbol"], p["quantity"]) for p in positions] == [("SBIN", 1)]

    async def test_analyze_mode_tags_responses(self, post):
        toggled = await post("analyzer/toggle", mode=True)
        assert toggled.json()["data"]["analyze_mode"] is True
        body = (await post("placeorder", **ORDER)).json()
        assert body["mode"] == "analyze"

    async def test_toggle_takes_effect_on_the_very_next_order(self, post):
        assert "mode" not in (await post("placeorder", **ORDER)).json()  # live: the profile is now cached
        await post("analyzer/toggle", mode=True)
        assert (await post("placeorder", **ORDER)).json()["mode"] == "analyze"
        await post("analyzer/toggle", mode=False)
        assert "mode" not in (await post("placeorder", **ORDER)).json()

    async def test_price_on_market_order_is_dropped(self, post):
        response = await post("placeorder", **{**ORDER, "price": "500"})
        assert response.status_code == 200
        assert (await orderbook(post))[0]["price"] == 0.0

    @pytest.mark.parametrize(("change", "field", "message"), [
        ({"quantity": None}, "quantity", "Field may not be null."),
        ({"quantity": "abc"}, "quantity", "Not a valid number."),
        ({"quantity": "0"}, "quantity", "Quantity must be a positive number."),
        ({"quantity": "-5"}, "quantity", "Quantity must be a positive number."),
        ({"quantity": "1.5"}, "quantity", "Fractional quantity (1.5) is not allowed for non-crypto exchanges."),
        ({"exchange": "NASDAQ"}, "exchange", None),
        ({"pricetype": "STOP"}, "pricetype", "Must be one of: MARKET, LIMIT, SL, SL-M."),
        ({"product": "BO"}, "product", "Must be one of: CNC, NRML, MIS."),
        ({"action": "Buy"}, "action", "Must be one of: BUY, SELL."),
        ({"price": "-1"}, "price", "Price must be a non-negative number."),
        ({"target": "5"}, "target", "Unknown field."),
    ])
    async def test_schema_errors_are_400_in_repr_shape(self, post, change, field, message):
        body = {**ORDER, **change}
        body = {k: v for k, v in body.items() if v is not None}
        response = await post("placeorder", **body)
        assert response.status_code == 400
        errors = repr_message(response)
        if field == "quantity" and change["quantity"] is None:
            assert errors == {"quantity": ["Missing data for required field."]}
        elif message:
            assert errors[field] == [message]
        else:
            assert field in errors
        assert await orderbook(post) == []

    async def test_unknown_symbol_names_symbol_and_exchange(self, post):
        response = await post("placeorder", **{**ORDER, "symbol": "NOSUCH"})
        assert response.status_code == 400
        assert "NOSUCH" in response.json()["message"] and "NSE" in response.json()["message"]
        assert await orderbook(post) == []

    async def test_lot_size_multiple_required_for_fno(self, post, future):
        response = await post("placeorder", **{**ORDER, "symbol": future.symbol, "exchange": "NFO",
                                               "product": "NRML", "quantity": str(future.lotsize + 1)})
        assert response.status_code == 400
        assert f"lot size {future.lotsize}" in response.json()["message"]
        ok = await post("placeorder", **{**ORDER, "symbol": future.symbol, "exchange": "NFO", "product": "NRML",
                                         "quantity": str(future.lotsize)})
        assert ok.status_code == 200, ok.text

    async def test_invalid_api_key_is_403_and_changes_nothing(self, post):
        response = await post("placeorder", **{**ORDER, "apikey": "f" * 64})
        assert response.status_code == 403
        assert response.json() == {"status": "error", "message": "Invalid openalgo apikey"}
        assert await orderbook(post) == []

    async def test_trailing_slash_is_accepted(self, client, api_key):
        response = await client.post("/api/v1/placeorder/", json={**ORDER, "apikey": api_key})
        assert response.status_code == 200


class TestOtherUsersOrders:
    async def test_cannot_see_cancel_or_modify_another_users_order(self, post, client, api_key, second_api_key):
        limit = {**ORDER, "pricetype": "LIMIT", "price": await resting_buy_price(post)}
        orderid = (await post("placeorder", **limit)).json()["orderid"]
        theirs = {"apikey": second_api_key, "strategy": "x", "orderid": orderid}
        assert (await client.post("/api/v1/cancelorder", json=theirs)).status_code == 404
        assert (await client.post("/api/v1/orderstatus", json=theirs)).status_code == 404
        modify = {**limit, "apikey": second_api_key, "orderid": orderid}
        assert (await client.post("/api/v1/modifyorder", json=modify)).status_code == 404
        book = (await client.post("/api/v1/orderbook", json={"apikey": second_api_key})).json()["data"]["orders"]
        assert book == []
        status = (await post("orderstatus", strategy="x", orderid=orderid)).json()
        assert status["data"]["order_status"] == "open"


class TestModifyCancel:
    async def test_modify_then_cancel_then_cancel_again(self, post):
        limit = {**ORDER, "pricetype": "LIMIT", "price": await resting_buy_price(post)}
        orderid = (await post("placeorder", **limit)).json()["orderid"]
        lower = await resting_buy_price(post, fraction=0.84)
        modified = await post("modifyorder", **{**limit, "orderid": orderid, "price": lower})
        assert modified.status_code == 200, modified.text
        assert (await orderbook(post))[0]["price"] == float(lower)
        cancelled = await post("cancelorder", strategy="t", orderid=orderid)
        assert cancelled.status_code == 200 and cancelled.json()["orderid"] == orderid
        again = await post("cancelorder", strategy="t", orderid=orderid)
        assert again.status_code == 400
        assert (await orderbook(post))[0]["order_status"] == "cancelled"

    async def test_modify_requires_every_field(self, post):
        response = await post("modifyorder", strategy="t", orderid="1", symbol="SBIN", exchange="NSE")
        assert response.status_code == 400
        errors = repr_message(response)
        assert errors["quantity"] == ["Missing data for required field."]

    async def test_modify_a_filled_order_is_refused(self, post):
        orderid = (await post("placeorder", **ORDER)).json()["orderid"]
        response = await post("modifyorder", **{**ORDER, "orderid": orderid, "pricetype": "LIMIT",
                                                "price": await resting_buy_price(post)})
        assert response.status_code == 400

    async def test_cancel_all(self, post):
        for fraction in (0.85, 0.86):
            await post("placeorder", **{**ORDER, "pricetype": "LIMIT", "price": await resting_buy_price(post, fraction=fraction)})
        body = (await post("cancelallorder", strategy="t")).json()
        assert body["status"] == "success" and len(body["canceled_orders"]) == 2
        assert all(o["order_status"] == "cancelled" for o in await orderbook(post))


class TestPositions:
    async def test_smart_order_moves_to_target_and_close_flattens(self, post):
        smart = {k: v for k, v in ORDER.items()}
        response = await post("placesmartorder", **{**smart, "quantity": "0", "position_size": "5"})
        assert response.status_code == 200, response.text
        assert (await post("openposition", strategy="t", symbol="SBIN", exchange="NSE",
                           product="MIS")).json()["quantity"] == 5
        again = (await post("placesmartorder", **{**smart, "quantity": "1", "position_size": "5"})).json()
        assert again["message"] == "Positions Already Matched. No Action needed."
        assert "orderid" not in again
        await post("placesmartorder", **{**smart, "quantity": "0", "position_size": "-2"})
        assert (await post("openposition", strategy="t", symbol="SBIN", exchange="NSE",
                           product="MIS")).json()["quantity"] == -2
        closed = await post("closeposition", strategy="t")
        assert closed.status_code == 200
        assert (await post("openposition", strategy="t", symbol="SBIN", exchange="NSE",
                           product="MIS")).json()["quantity"] == 0

    async def test_closeposition_rejects_extra_fields(self, post):
        response = await post("closeposition", strategy="t", symbol="SBIN")
        assert response.status_code == 400
        assert repr_message(response) == {"symbol": ["Unknown field."]}


class TestSplitAndBasket:
    async def test_split_into_children_with_remainder(self, post):
        body = (await post("splitorder", **{**ORDER, "quantity": "7", "splitsize": "3"})).json()
        assert body["total_quantity"] == 7 and body["split_size"] == 3
        assert [(r["order_num"], r["quantity"], r["status"]) for r in body["results"]] == [
            (1, 3, "success"), (2, 3, "success"), (3, 1, "success")]

    async def test_split_over_100_orders_is_refused(self, post):
        response = await post("splitorder", **{**ORDER, "quantity": "1000", "splitsize": "1"})
        assert response.status_code == 400
        assert response.json()["message"] == "Total number of orders would exceed maximum limit of 100"
        assert await orderbook(post) == []

    async def test_basket_buys_first_and_reports_each(self, post):
        items = [{"symbol": "SBIN", "exchange": "NSE", "action": "SELL", "quantity": "1"},
                 {"symbol": "NOSUCH", "exchange": "NSE", "action": "BUY", "quantity": "1"},
                 {"symbol": "INFY", "exchange": "NSE", "action": "BUY", "quantity": "1"}]
        body = (await post("basketorder", strategy="t", orders=items)).json()
        assert [(r["symbol"], r["status"]) for r in body["results"]] == [
            ("NOSUCH", "error"), ("INFY", "success"), ("SBIN", "success")]

    async def test_basket_item_errors_are_keyed_by_index(self, post):
        items = [{"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": "1"},
                 {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": "0"}]
        response = await post("basketorder", strategy="t", orders=items)
        assert response.status_code == 400
        assert repr_message(response) == {"orders": {"1": {"quantity": ["Quantity must be a positive number."]}}}
        assert await orderbook(post) == []
