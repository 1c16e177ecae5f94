"""Simulated GTTs fire when the market reaches them, through ticks or the safety sweep, and
place exactly one child order in the paper engine."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from backend.domains.gtt.book import armed_of
from backend.domains.gtt.firing import GttFiring
from backend.domains.gtt.models import GttOrder
from tests.backend.gtt.conftest import OCO, SINGLE, book, eventually, ltp, rupees, tick


async def row_of(app, trigger_id: str) -> GttOrder:
    async with app.state.db.sessions() as session:
        return await session.scalar(select(GttOrder).where(GttOrder.trigger_id == trigger_id))


async def orders(post) -> list[dict]:
    return (await post("orderbook")).json()["data"]["orders"]


async def fired(app, trigger_id: str) -> GttOrder | None:
    async def check():
        row = await row_of(app, trigger_id)
        return row if row.child_orderid else None
    return await eventually(check)


async def test_single_gtt_fires_once_when_a_tick_crosses_it(app, post):
    events: list[tuple[str, str, dict]] = []
    app.state.hub.add_user_event_sink(lambda user, event, payload: events.append((user, event, payload)))
    price = await ltp(post)
    trigger = float(rupees(price * 1.05))
    placed = await post("placegttorder", **{**SINGLE, "pricetype": "MARKET", "triggerprice_tg": str(trigger)})
    trigger_id = placed.json()["trigger_id"]

    await tick(app, trigger - 1)  # below a target trigger: nothing happens
    await asyncio.sleep(0.1)
    assert (await row_of(app, trigger_id)).status == "active"
    assert await orders(post) == []

    await tick(app, trigger + 0.5)
    row = await fired(app, trigger_id)
    assert row is not None, "the GTT fired"
    assert row.status == "triggered"
    [child] = await orders(post)
    assert child["orderid"] == row.child_orderid
    assert (child["action"], child["quantity"], child["pricetype"], child["product"]) == ("BUY", 2, "MARKET", "CNC")
    assert await book(post) == []  # no longer active
    # the owner's screens hear of it: the GTT event and the child's own order update
    assert await eventually(lambda: asyncio.sleep(0, [e for e in events if e[1] == "gtt_event"]))
    [(user, _, gtt_event)] = [e for e in events if e[1] == "gtt_event"]
    assert user == "trader1"
    assert gtt_event == {"event": "triggered", "symbol": "SBIN", "exchange": "NSE", "trigger_id": trigger_id,
                         "triggered_order_id": row.child_orderid, "mode": "live"}
    assert await eventually(lambda: asyncio.sleep(0, [e for e in events if e[1] == "order_update"
                                                      and e[2]["orderid"] == row.child_orderid]))

    await tick(app, trigger + 2, wait=False)  # neither the next tick nor a sweep fires it again
    await app.state.gtt_monitor.sweep()
    await asyncio.sleep(0.1)
    assert len(await orders(post)) == 1


async def test_oco_fires_the_reached_leg_and_cancels_the_other(app, post):
    price = await ltp(post)
    sl, tg = float(rupees(price * 0.9)), float(rupees(price * 1.1))
    stoploss = rupees(price * 0.89)
    trigger_id = (await post("placegttorder", **{
        **OCO, "action": "BUY", "pricetype": "LIMIT", "triggerprice_sl": str(sl), "stoploss": stoploss, "triggerprice_tg": str(tg),
        "target": rupees(price * 1.11)})).json()["trigger_id"]

    await tick(app, sl)  # inclusive: LTP at the stop-loss trigger fires the stop-loss leg
    row = await fired(app, trigger_id)
    assert row is not None and row.status == "triggered"
    assert [leg["status"] for leg in json.loads(row.legs)] == ["triggered", "cancelled"]
    [child] = await orders(post)
    assert child["orderid"] == row.child_orderid
    assert (child["pricetype"], child["price"]) == ("LIMIT", float(stoploss))

    await tick(app, tg + 1, wait=False)  # the target leg went with it
    await asyncio.sleep(0.1)
    assert len(await orders(post)) == 1


async def test_concurrent_sweeps_fire_once(app, post):
    price = await ltp(post)
    crossed = (await post("placegttorder", **{**SINGLE, "pricetype": "MARKET",
                                              "triggerprice_tg": rupees(price * 0.8)})).json()["trigger_id"]
    waiting = (await post("placegttorder", **{**SINGLE, "pricetype": "MARKET",
                                              "triggerprice_tg": rupees(price * 1.5)})).json()["trigger_id"]
    monitor = app.state.gtt_monitor
    await asyncio.gather(*(monitor.sweep() for _ in range(4)))
    row = await fired(app, crossed)
    assert row is not None
    assert [o["orderid"] for o in await orders(post)] == [row.child_orderid]
    assert [item["trigger_id"] for item in await book(post)] == [waiting]


async def test_racing_claims_place_one_child(app, post):
    price = await ltp(post)
    trigger_id = (await post("placegttorder", **{**SINGLE, "pricetype": "MARKET",
                                                  "triggerprice_sl": rupees(price * 0.5)})).json()["trigger_id"]
    armed = armed_of(await row_of(app, trigger_id))
    firing = GttFiring(app, app.state.gtt_book)
    await asyncio.gather(*(firing(armed, 0) for _ in range(6)))
    row = await row_of(app, trigger_id)
    assert row.status == "triggered" and row.child_orderid
    assert [o["orderid"] for o in await orders(post)] == [row.child_orderid]


async def test_a_modified_gtt_is_not_fired_on_its_old_trigger(app, post):
    price = await ltp(post)
    trigger_id = (await post("placegttorder", **{**SINGLE, "pricetype": "MARKET",
                                                  "triggerprice_sl": rupees(price * 0.5)})).json()["trigger_id"]
    stale = armed_of(await row_of(app, trigger_id))
    modified = await post("modifygttorder", **{**SINGLE, "trigger_id": trigger_id, "pricetype": "MARKET",
                                               "triggerprice_sl": rupees(price * 0.4)})
    assert modified.status_code == 200, modified.text
    await GttFiring(app, app.state.gtt_book)(stale, 0)  # a claim from before the modify loses
    assert (await row_of(app, trigger_id)).status == "active"
    assert await orders(post) == []


async def test_a_refused_child_order_rejects_the_gtt(app, post):
    price = await ltp(post)
    # far more than the paper account's funds: refused when it fires, so the GTT is rejected, never retried
    trigger_id = (await post("placegttorder", **{**SINGLE, "quantity": "1000000", "pricetype": "MARKET",
                                                  "triggerprice_tg": rupees(price * 0.5)})).json()["trigger_id"]
    await app.state.gtt_monitor.sweep()
    row = await row_of(app, trigger_id)
    assert (row.status, row.child_orderid) == ("rejected", None), (row.status, row.reason)
    assert row.reason
    await app.state.gtt_monitor.sweep()
    assert await book(post) == [] and (await row_of(app, trigger_id)).status == "rejected"
