"""Books, funds, ping, analyzer status/toggle."""

from __future__ import annotations

from tests.backend.api_v1.conftest import ORDER


class TestFunds:
    async def test_starting_capital(self, post):
        body = (await post("funds")).json()
        assert body["status"] == "success"
        assert float(body["data"]["availablecash"]) == 10_000_000.0
        assert set(body["data"]) >= {"availablecash", "collateral", "m2mrealized", "m2munrealized", "utiliseddebits"}

    async def test_margin_is_blocked_by_a_position(self, post):
        await post("placeorder", **{**ORDER, "quantity": "10"})
        data = (await post("funds")).json()["data"]
        assert float(data["utiliseddebits"]) > 0
        assert float(data["availablecash"]) < 10_000_000.0

    async def test_unknown_field_is_400(self, post):
        response = await post("funds", extra="x")
        assert response.status_code == 400
        assert response.json()["message"] == {"extra": ["Unknown field."]}


class TestBooks:
    async def test_empty_books(self, post):
        assert (await post("orderbook")).json()["data"]["orders"] == []
        assert (await post("tradebook")).json()["data"] == []
        assert (await post("positionbook")).json()["data"] == []
        holdings = (await post("holdings")).json()["data"]
        assert holdings["holdings"] == []

    async def test_missing_key(self, client):
        response = await client.post("/api/v1/orderbook", json={})
        assert response.status_code == 400
        assert response.json()["message"] == {"apikey": ["Missing data for required field."]}

    async def test_empty_or_oversized_key_names_both_bounds(self, client):
        for key in ("", "k" * 257):
            response = await client.post("/api/v1/orderbook", json={"apikey": key})
            assert response.status_code == 400
            assert response.json()["message"] == {"apikey": ["Length must be between 1 and 256."]}


class TestUtility:
    async def test_ping(self, post):
        body = (await post("ping")).json()
        assert body == {"status": "success", "data": {"message": "pong", "broker": "simulator"}}

    async def test_ping_bad_key(self, post):
        assert (await post("ping", apikey="x")).status_code == 403

    async def test_analyzer_status_and_toggle(self, post, client, second_api_key):
        status = (await post("analyzer")).json()["data"]
        assert status["mode"] == "live" and status["analyze_mode"] is False
        toggled = (await post("analyzer/toggle", mode="yes")).json()["data"]
        assert toggled["analyze_mode"] is True and toggled["message"] == "Analyzer mode switched to analyze"
        # per user: the other user is still live
        other = (await client.post("/api/v1/analyzer", json={"apikey": second_api_key})).json()["data"]
        assert other["analyze_mode"] is False

    async def test_toggle_needs_a_boolean(self, post):
        response = await post("analyzer/toggle", mode="maybe")
        assert response.status_code == 400
        assert response.json()["message"] == "{'mode': ['Not a valid boolean.']}"


class TestMargin:
    async def test_short_option_blocks_span_like_margin_and_hedge_reduces_it(self, app, post):
        index = app.state.symbols
        calls = [i for i in index.search("NIFTY", exchange="NFO", instrumenttype="CE")
                 if i.symbol.startswith("NIFTY") and i.symbol[5].isdigit()]
        expiry = min(i.expiry for i in calls)
        chain = sorted((i for i in calls if i.expiry == expiry), key=lambda i: i.strike)
        short, hedge = chain[len(chain) // 2], chain[len(chain) // 2 + 4]
        leg = {"exchange": "NFO", "product": "NRML", "pricetype": "MARKET"}
        naked = (await post("margin", positions=[
            {**leg, "symbol": short.symbol, "action": "SELL", "quantity": str(short.lotsize)}])).json()["data"]
        assert 80_000 <= naked["total_margin_required"] <= 250_000  # ≈ ₹1–1.5 lakh per NIFTY lot
        hedged = (await post("margin", positions=[
            {**leg, "symbol": short.symbol, "action": "SELL", "quantity": str(short.lotsize)},
            {**leg, "symbol": hedge.symbol, "action": "BUY", "quantity": str(short.lotsize)}])).json()["data"]
        assert hedged["total_margin_required"] < naked["total_margin_required"]
        assert hedged["total_margin_required"] == hedged["span_margin"] + hedged["exposure_margin"]

    async def test_numbers_accepted_as_numbers_or_strings(self, post):
        leg = {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "product": "CNC", "pricetype": "LIMIT"}
        as_text = (await post("margin", positions=[{**leg, "quantity": "10", "price": "900"}])).json()
        as_numbers = (await post("margin", positions=[{**leg, "quantity": 10, "price": 900}])).json()
        assert as_text == as_numbers and as_text["data"]["total_margin_required"] == 9000.0

    async def test_bad_positions(self, post):
        leg = {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "product": "CNC", "pricetype": "MARKET"}
        empty = await post("margin", positions=[])
        assert empty.status_code == 400 and "1 to 50" in empty.json()["message"]
        zero = await post("margin", positions=[leg | {"quantity": "1"}, leg | {"quantity": "0"}])
        assert zero.json()["message"] == "Position 2: Quantity must be a positive number"
        bad = await post("margin", positions=[leg | {"quantity": "ten"}])
        assert bad.json()["message"] == "Position 1: Invalid quantity format"
        negative = await post("margin", positions=[leg | {"quantity": "1", "price": "-5"}])
        assert negative.json()["message"] == "Position 1: Price cannot be negative"


class TestPnlSymbols:
    async def test_only_in_analyzer_mode(self, post):
        response = await post("pnl/symbols")
        assert response.status_code == 400
        assert response.json()["message"] == "This endpoint is only available in sandbox/analyzer mode"

    async def test_per_symbol_rows_after_a_round_trip(self, post):
        await post("analyzer/toggle", mode=True)
        await post("placeorder", **{**ORDER, "quantity": "2"})
        await post("placeorder", **{**ORDER, "quantity": "2", "action": "SELL"})
        body = (await post("pnl/symbols")).json()
        assert body["mode"] == "analyze"
        row = next(r for r in body["data"] if r["symbol"] == "SBIN")
        assert row["quantity"] == 0
        assert body["total_pnl_today"] == row["total_pnl_today"]
        # the round trip crossed the spread: realised P&L is the (negative) spread cost
        assert row["today_realized_pnl"] <= 0

    async def test_extra_field_rejected(self, post):
        await post("analyzer/toggle", mode=True)
        response = await post("pnl/symbols", extra=1)
        assert response.status_code == 400
