"""The SPA's trading routes: session-authenticated, CSRF-checked, same shapes as /api/v1."""

from __future__ import annotations

ORDER = {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": "2", "pricetype": "MARKET",
         "product": "MIS"}


class TestWebTrading:
    async def test_place_see_and_close(self, web_client):
        placed = await web_client.post("/web/trading/orders", json=ORDER)
        assert placed.status_code == 200, placed.text
        orderid = placed.json()["orderid"]
        orders = (await web_client.get("/web/trading/orders")).json()["data"]["orders"]
        assert [o["orderid"] for o in orders] == [orderid]
        positions = (await web_client.get("/web/trading/positions")).json()["data"]
        assert [(p["symbol"], p["quantity"]) for p in positions] == [("SBIN", 2)]
        closed = await web_client.post("/web/trading/positions/close",
                                       json={"symbol": "SBIN", "exchange": "NSE", "product": "MIS"})
        assert closed.status_code == 200, closed.text
        positions = (await web_client.get("/web/trading/positions")).json()["data"]
        assert [(p["symbol"], p["quantity"]) for p in positions] == [("SBIN", 0)]
        funds = (await web_client.get("/web/trading/funds")).json()["data"]
        assert funds["availablecash"] > 0
        trades = (await web_client.get("/web/trading/trades")).json()["data"]
        assert len(trades) == 2

    async def test_analyzer_toggle_and_profile(self, web_client):
        assert (await web_client.get("/web/trading/profile")).json()["data"]["analyze_mode"] is False
        toggled = await web_client.put("/web/trading/analyzer", json={"mode": True})
        assert toggled.json()["data"]["mode"] == "analyze"
        body = (await web_client.post("/web/trading/orders", json=ORDER)).json()
        assert body["mode"] == "analyze"

    async def test_broker_session_of_the_simulator(self, web_client):
        data = (await web_client.get("/web/trading/broker-session")).json()["data"]
        assert data == {"broker": "simulator", "state": "connected", "expires_at": None, "message": ""}

    async def test_quotes_and_depth(self, web_client):
        quotes = (await web_client.get("/web/market/quotes", params={"symbols": "NSE:SBIN,NSE_INDEX:NIFTY"})).json()
        assert set(quotes["data"]) == {"NSE:SBIN", "NSE_INDEX:NIFTY"}
        depth = (await web_client.get("/web/market/depth", params={"exchange": "NSE", "symbol": "SBIN"})).json()
        assert len(depth["data"]["bids"]) == 5

    async def test_choose_broker(self, web_client):
        unknown = await web_client.put("/web/trading/broker", json={"broker": "nosuch"})
        assert unknown.status_code == 400 and "simulator" in unknown.json()["message"]
        chosen = await web_client.put("/web/trading/broker", json={"broker": "simulator"})
        assert chosen.json()["data"] == {"broker": "simulator"}

    async def test_bad_input(self, web_client):
        assert (await web_client.get("/web/market/quotes", params={"symbols": "SBIN"})).status_code == 400
        assert (await web_client.get("/web/market/quotes", params={"symbols": "NSE:NOPE"})).status_code == 400
        bad = await web_client.post("/web/trading/orders", json={**ORDER, "quantity": "0"})
        assert bad.status_code == 400
        assert (await web_client.get("/web/trading/orders")).json()["data"]["orders"] == []
        missing = await web_client.delete("/web/trading/orders/99999999999999")
        assert missing.status_code == 404


class TestWebTradingLocks:
    async def test_needs_a_session(self, client):
        assert (await client.get("/web/trading/orders")).status_code == 401
        assert (await client.post("/web/trading/orders", json=ORDER)).status_code in (401, 403)

    async def test_writes_need_the_csrf_token(self, web_client):
        token = web_client.headers.pop("X-CSRF-Token")
        response = await web_client.post("/web/trading/orders", json=ORDER)
        assert response.status_code == 403
        web_client.headers["X-CSRF-Token"] = token
        assert (await web_client.get("/web/trading/orders")).json()["data"]["orders"] == []
