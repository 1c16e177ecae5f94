"""Every order state change is pushed to the owner (and only the owner) as an `order_update`."""

from __future__ import annotations

from tests.backend.api_v1.conftest import ORDER, eventually, resting_buy_price


async def wait_for(events, predicate):
    async def matching():
        return [e for e in events if predicate(e)]

    found = await eventually(matching)
    assert found, "the event arrived"
    return found


async def test_order_updates_reach_their_owner_only(app, post, second_api_key, client):
    events: list[tuple[str, str, dict]] = []
    app.state.hub.add_user_event_sink(lambda user, event, payload: events.append((user, event, payload)))
    placed = await post("placeorder", **ORDER)
    assert placed.status_code == 200, placed.text
    filled = placed.json()["orderid"]
    resting = (await post("placeorder", **{**ORDER, "pricetype": "LIMIT",
                                          "price": await resting_buy_price(post)})).json()["orderid"]
    await post("cancelorder", strategy="t", orderid=resting)
    updates = await wait_for(events, lambda e: e[1] == "order_update" and e[2]["orderid"] == resting
                             and e[2]["order_status"] == "cancelled")
    assert updates[0][0] == "trader1"
    complete = await wait_for(events, lambda e: e[1] == "order_update" and e[2]["orderid"] == filled
                              and e[2]["order_status"] == "complete")
    payload = complete[0][2]
    assert payload["filled_quantity"] == 1 and payload["average_price"] > 0 and payload["mode"] == "live"
    assert {e[0] for e in events if e[1] == "order_update"} == {"trader1"}


async def test_engine_calls_land_in_the_latency_log(app, post):
    from sqlalchemy import select

    from backend.domains.monitoring.models import LatencyLog

    await post("placeorder", **ORDER)
    await post("orderbook")
    await app.state.log_writer.flush()
    async with app.state.db.log_sessions() as session:
        rows = (await session.execute(select(LatencyLog.broker, LatencyLog.operation))).all()
    assert {("sandbox", "placeorder"), ("sandbox", "orderbook")} <= set(rows)
