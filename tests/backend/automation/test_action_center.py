"""Semi-auto order mode and the Action Center: queue, decide, execute exactly once, expire."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.backend.automation.conftest import ORDER, TEN_AM
from tests.fixtures.accounts import make_user, sign_in


class TestQueueing:
    async def test_semi_auto_queues_and_approval_executes(self, trader):
        await trader.set_mode("semi_auto")
        queued = await trader.api("placeorder", **ORDER)
        assert queued.status_code == 200
        body = queued.json()
        assert body == {"status": "success", "message": "Order queued for approval in Action Center",
                        "mode": "semi_auto", "pending_order_id": body["pending_order_id"]}
        assert await trader.orders() == []  # nothing reached the engine yet
        [row] = await trader.pending()
        assert (row["api_type"], row["symbol"], row["action"], row["status"]) == ("placeorder", "SBIN", "BUY", "pending")
        assert "apikey" not in row["order_data"]
        assert (await trader.http.get("/web/action-center/count")).json()["count"] == 1

        approved = await trader.http.post(f"/web/action-center/orders/{row['id']}/approve")
        assert approved.status_code == 200, approved.text
        orderid = approved.json()["broker_order_id"]
        assert [o["orderid"] for o in await trader.orders()] == [orderid]
        assert (await trader.positions())["SBIN"] == 2
        [done] = await trader.pending("approved")
        assert done["decided_by"] == "auto1" and done["result"]["orderid"] == orderid

        again = await trader.http.post(f"/web/action-center/orders/{row['id']}/approve")
        assert again.status_code == 409 and again.json()["status"] == "error"
        rejected_late = await trader.http.post(f"/web/action-center/orders/{row['id']}/reject", json={})
        assert rejected_late.status_code == 409

    async def test_every_order_creating_call_is_queued(self, trader):
        await trader.set_mode("semi_auto")
        calls = {
            "placesmartorder": {**ORDER, "position_size": "2"},
            "splitorder": {**ORDER, "quantity": "4", "splitsize": 2},
            "basketorder": {"strategy": "b", "orders": [{k: v for k, v in ORDER.items() if k != "strategy"}]},
            "optionsorder": {"strategy": "o", "underlying": "NIFTY", "exchange": "NSE_INDEX", "expiry_date": "",
                             "offset": "ATM", "option_type": "CE", "action": "BUY", "quantity": "75",
                             "pricetype": "MARKET", "product": "NRML"},
        }
        for endpoint, body in calls.items():
            response = await trader.api(endpoint, **body)
            assert response.json().get("pending_order_id"), (endpoint, response.text)
        assert sorted(r["api_type"] for r in await trader.pending()) == sorted(calls)
        assert await trader.orders() == []

    async def test_schema_errors_are_not_queued(self, trader):
        await trader.set_mode("semi_auto")
        bad = await trader.api("placeorder", **{**ORDER, "quantity": "0"})
        assert bad.status_code == 400
        assert await trader.pending() == []

    async def test_close_cancel_modify_refused_live_allowed_in_analyzer(self, trader):
        await trader.set_mode("semi_auto")
        refused = await trader.api("closeposition", strategy="x")
        assert refused.status_code == 403 and "Semi-Auto" in refused.json()["message"]
        assert (await trader.api("cancelallorder", strategy="x")).status_code == 403
        await trader.analyzer(True)
        allowed = await trader.api("closeposition", strategy="x")
        assert allowed.status_code == 200, allowed.text

    async def test_auto_mode_executes_directly(self, trader):
        await trader.set_mode("semi_auto")
        await trader.set_mode("auto")
        placed = await trader.api("placeorder", **ORDER)
        assert "orderid" in placed.json()
        assert await trader.pending("all") == []


class TestDecisions:
    async def test_reject_and_bulk_decisions(self, trader):
        await trader.set_mode("semi_auto")
        ids = [(await trader.api("placeorder", **ORDER)).json()["pending_order_id"] for _ in range(3)]
        rejected = await trader.http.post(f"/web/action-center/orders/{ids[0]}/reject", json={"reason": "too big"})
        assert rejected.json() == {"status": "success", "message": "Order rejected successfully"}
        [row] = await trader.pending("rejected")
        assert row["reason"] == "too big" and row["decided_by"] == "auto1"
        result = (await trader.http.post("/web/action-center/approve-all")).json()
        assert (result["approved_count"], result["executed_count"]) == (2, 2)
        assert len(await trader.orders()) == 2
        none_left = (await trader.http.post("/web/action-center/approve-all")).json()
        assert none_left["status"] == "info"
        await trader.api("placeorder", **ORDER)
        assert (await trader.http.post("/web/action-center/reject-all", json={})).json()["rejected_count"] == 1
        assert (await trader.http.get("/web/action-center/orders", params={"status": "all"})).json()["data"][
            "statistics"] == {"total_pending": 0, "total_approved": 2, "total_rejected": 2, "total_expired": 0,
                              "total_failed": 0}

    async def test_failed_execution_is_recorded_once(self, trader):
        await trader.set_mode("semi_auto")
        pending_id = (await trader.api("placeorder", **{**ORDER, "symbol": "NOSUCH"})).json()["pending_order_id"]
        response = await trader.http.post(f"/web/action-center/orders/{pending_id}/approve")
        assert response.status_code == 400
        assert response.json()["status"] == "warning" and "NOSUCH" in response.json()["error"]
        [row] = await trader.pending("failed")
        assert row["result"]["status"] == "error"
        assert (await trader.http.post(f"/web/action-center/orders/{pending_id}/approve")).status_code == 409

    async def test_two_simultaneous_approvals_execute_once(self, trader):
        await trader.set_mode("semi_auto")
        pending_id = (await trader.api("placeorder", **ORDER)).json()["pending_order_id"]
        url = f"/web/action-center/orders/{pending_id}/approve"
        first, second = await asyncio.gather(trader.http.post(url), trader.http.post(url))
        assert sorted([first.status_code, second.status_code]) == [200, 409]
        assert len(await trader.orders()) == 1
        assert (await trader.positions())["SBIN"] == 2

    async def test_pending_orders_expire_at_end_of_day(self, app, trader, clock):
        await trader.set_mode("semi_auto")
        pending_id = (await trader.api("placeorder", **ORDER)).json()["pending_order_id"]
        clock.set(TEN_AM.replace(year=2020))  # a day long gone: today's orders are not yet due
        assert await app.state.automation.expire_pending() == 0
        clock.set(TEN_AM + timedelta(days=400))  # any later IST day
        assert await app.state.automation.expire_pending() == 1
        [row] = await trader.pending("expired")
        assert row["id"] == pending_id
        assert (await trader.http.post(f"/web/action-center/orders/{pending_id}/approve")).status_code == 409


class TestBadInput:
    async def test_unknown_and_foreign_orders_are_404(self, app, trader, client):
        await trader.set_mode("semi_auto")
        pending_id = (await trader.api("placeorder", **ORDER)).json()["pending_order_id"]
        assert (await trader.http.post("/web/action-center/orders/999999/approve")).status_code == 404
        await make_user(app, "other1")
        await sign_in(client, "other1")
        assert (await client.post(f"/web/action-center/orders/{pending_id}/approve")).status_code == 404
        assert (await client.get("/web/action-center/orders")).json()["data"]["orders"] == []

    async def test_bad_mode_and_filter(self, trader):
        assert (await trader.http.put("/web/action-center/mode", json={"mode": "manual"})).status_code == 400
        assert (await trader.http.get("/web/action-center/orders", params={"status": "nope"})).status_code == 400

    async def test_writes_need_csrf_and_a_session(self, trader, client):
        await trader.set_mode("semi_auto")
        pending_id = (await trader.api("placeorder", **ORDER)).json()["pending_order_id"]
        token = trader.http.headers.pop("X-CSRF-Token")
        assert (await trader.http.post(f"/web/action-center/orders/{pending_id}/approve")).status_code == 403
        assert (await trader.http.put("/web/action-center/mode", json={"mode": "auto"})).status_code == 403
        assert (await trader.http.post("/web/action-center/approve-all")).status_code == 403
        trader.http.headers["X-CSRF-Token"] = token
        assert [r["status"] for r in await trader.pending()] == ["pending"]
