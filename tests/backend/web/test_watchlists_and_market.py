"""Watchlists (per user, validated), symbol search, history, broker list, paper reset."""

from __future__ import annotations

from datetime import date, timedelta

from tests.fixtures.accounts import make_user, sign_in


class TestWatchlists:
    async def test_create_replace_delete(self, web_client):
        created = await web_client.post("/web/watchlists", json={"name": "Banks", "items": [
            {"exchange": "NSE", "symbol": "SBIN"}, {"exchange": "nse", "symbol": "hdfcbank"},
            {"exchange": "NSE", "symbol": "SBIN"}]})
        assert created.status_code == 200, created.text
        data = created.json()["data"]
        assert data["items"] == [{"exchange": "NSE", "symbol": "SBIN"}, {"exchange": "NSE", "symbol": "HDFCBANK"}]
        replaced = await web_client.put(f"/web/watchlists/{data['id']}",
                                        json={"name": "PSU", "items": [{"exchange": "NSE", "symbol": "SBIN"}]})
        assert replaced.json()["data"]["name"] == "PSU"
        listed = (await web_client.get("/web/watchlists")).json()["data"]
        assert [w["name"] for w in listed] == ["PSU"]
        assert (await web_client.delete(f"/web/watchlists/{data['id']}")).status_code == 200
        assert (await web_client.get("/web/watchlists")).json()["data"] == []

    async def test_bad_input_changes_nothing(self, web_client):
        unknown = await web_client.post("/web/watchlists", json={"name": "X", "items": [
            {"exchange": "NSE", "symbol": "NOPE"}]})
        assert unknown.status_code == 400 and "NOPE" in unknown.json()["message"]
        blank = await web_client.post("/web/watchlists", json={"name": "  ", "items": []})
        assert blank.status_code == 400
        await web_client.post("/web/watchlists", json={"name": "One"})
        duplicate = await web_client.post("/web/watchlists", json={"name": "One"})
        assert duplicate.status_code == 409
        assert [w["name"] for w in (await web_client.get("/web/watchlists")).json()["data"]] == ["One"]

    async def test_another_users_list_is_invisible(self, app, web_client):
        mine = (await web_client.post("/web/watchlists", json={"name": "Mine"})).json()["data"]
        await web_client.post("/auth/logout")
        await make_user(app, "otheruser")
        await sign_in(web_client, "otheruser")
        assert (await web_client.get("/web/watchlists")).json()["data"] == []
        assert (await web_client.put(f"/web/watchlists/{mine['id']}", json={"name": "Stolen"})).status_code == 404
        assert (await web_client.delete(f"/web/watchlists/{mine['id']}")).status_code == 404


class TestMarketRoutes:
    async def test_search(self, web_client):
        rows = (await web_client.get("/web/market/search", params={"query": "SBIN", "exchange": "NSE"})).json()["data"]
        assert rows[0]["symbol"] == "SBIN" and {"lotsize", "tick_size", "instrumenttype"} <= set(rows[0])
        assert (await web_client.get("/web/market/search", params={"query": "SBIN", "exchange": "XX"})).status_code == 400
        assert (await web_client.get("/web/market/search", params={"query": ""})).status_code == 400

    async def test_history(self, web_client):
        end = date.today()
        params = {"exchange": "NSE", "symbol": "SBIN", "interval": "5m",
                  "start_date": (end - timedelta(days=2)).isoformat(), "end_date": end.isoformat()}
        candles = (await web_client.get("/web/market/history", params=params)).json()["data"]
        assert candles and {"open", "high", "low", "close", "volume", "timestamp"} <= set(candles[0])
        inverted = await web_client.get("/web/market/history", params={**params, "start_date": end.isoformat(),
                                                                        "end_date": (end - timedelta(days=3)).isoformat()})
        assert inverted.status_code == 400

    async def test_brokers_and_profile_market_status(self, web_client):
        brokers = (await web_client.get("/web/trading/brokers")).json()["data"]
        assert {"name": "simulator", "display_name": "Simulator", "auth_type": "none", "family": None} in brokers
        profile = (await web_client.get("/web/trading/profile")).json()["data"]
        assert profile["market_open"] is True and "Simulator" in profile["market_message"]

    async def test_paper_reset(self, web_client):
        await web_client.post("/web/trading/orders", json={"symbol": "SBIN", "exchange": "NSE", "action": "BUY",
                                                           "quantity": "5"})
        funds = (await web_client.post("/web/trading/analyzer/reset")).json()["data"]
        assert funds["availablecash"] == 10_000_000.0
        assert (await web_client.get("/web/trading/positions")).json()["data"] == []


class TestAnalyzerLog:
    async def test_analyzer_requests_are_logged_for_their_owner(self, app, client):
        _, key = await make_user(app, "analyst")
        await client.post("/api/v1/placeorder", json={"apikey": key, "strategy": "s", "symbol": "SBIN",
                                                      "exchange": "NSE", "action": "BUY", "quantity": "1"})  # live
        await client.post("/api/v1/analyzer/toggle", json={"apikey": key, "mode": True})
        await client.post("/api/v1/placeorder", json={"apikey": key, "strategy": "s", "symbol": "INFY",
                                                      "exchange": "NSE", "action": "BUY", "quantity": "2"})
        await client.post("/api/v1/placeorder", json={"apikey": key, "strategy": "s", "symbol": "NOPE",
                                                      "exchange": "NSE", "action": "BUY", "quantity": "2"})
        await sign_in(client, "analyst")
        log = (await client.get("/web/trading/analyzer/log")).json()["data"]
        assert [(e["api_type"], e["symbol"], e["status"]) for e in log] == [
            ("placeorder", "NOPE", "error"), ("placeorder", "INFY", "success")]
        assert log[1]["quantity"] == "2" and len(log[1]["orderid"]) == 14
        assert key not in str(log)  # bodies are redacted
        status = (await client.post("/api/v1/analyzer", json={"apikey": key})).json()["data"]
        assert status["total_logs"] == 2

    async def test_limit_is_bounded(self, web_client):
        assert (await web_client.get("/web/trading/analyzer/log", params={"limit": 0})).status_code == 400
        assert (await web_client.get("/web/trading/analyzer/log")).json()["data"] == []


class TestMasterContract:
    async def test_status_and_forced_download(self, app, admin_client):
        status = (await admin_client.get("/web/master-contract")).json()["data"]
        assert status["status"] == "success" and status["broker"] == "simulator"
        events = []
        app.state.symbols.add_listener(lambda event, payload: events.append(event))
        result = (await admin_client.post("/web/master-contract/download")).json()
        assert result["status"] == "success" and result["data"]["total"] > 50_000
        assert "download_progress" in events and "master_contract_download" in events
        assert app.state.symbols.get("NSE", "SBIN") is not None  # still serving

    async def test_download_is_for_admins(self, web_client):
        assert (await web_client.post("/web/master-contract/download")).status_code == 403
        assert (await web_client.get("/web/master-contract")).status_code == 200
