"""quotes, multiquotes, depth, history, ticker against the simulator."""

from __future__ import annotations

from datetime import date, timedelta

QUOTE_FIELDS = {"ask", "bid", "high", "low", "ltp", "oi", "open", "prev_close", "volume"}


class TestQuotes:
    async def test_quote_shape(self, post):
        response = await post("quotes", symbol="SBIN", exchange="NSE")
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert set(data) == QUOTE_FIELDS
        assert data["bid"] <= data["ltp"] <= data["ask"] or data["bid"] < data["ask"]

    async def test_unknown_symbol(self, post):
        response = await post("quotes", symbol="SBINX", exchange="NSE")
        assert response.status_code == 400
        assert response.json()["message"].startswith("Symbol 'SBINX' not found for exchange 'NSE'")

    async def test_bad_exchange_and_missing_field_use_object_shape(self, post):
        response = await post("quotes", symbol="SBIN", exchange="XYZ")
        assert response.status_code == 400
        assert "exchange" in response.json()["message"]
        missing = await post("quotes", exchange="NSE")
        assert missing.json()["message"] == {"symbol": ["Missing data for required field."]}

    async def test_invalid_key(self, post):
        response = await post("quotes", symbol="SBIN", exchange="NSE", apikey="nope")
        assert response.status_code == 403


class TestMultiQuotes:
    async def test_results_with_invalid_first(self, post):
        symbols = [{"symbol": "RELIANCE", "exchange": "NSE"}, {"symbol": "TCSX", "exchange": "NSE"},
                   {"symbol": "NIFTY", "exchange": "NSE_INDEX"}]
        body = (await post("multiquotes", symbols=symbols)).json()
        assert [r["symbol"] for r in body["results"]] == ["TCSX", "RELIANCE", "NIFTY"]
        assert "error" in body["results"][0]
        assert set(body["results"][1]["data"]) == QUOTE_FIELDS

    async def test_all_invalid_is_400_with_list(self, post):
        response = await post("multiquotes", symbols=[{"symbol": "X1", "exchange": "NSE"}])
        assert response.status_code == 400
        assert response.json()["invalid_symbols"][0]["symbol"] == "X1"

    async def test_empty_list_rejected(self, post):
        response = await post("multiquotes", symbols=[])
        assert response.status_code == 400


class TestDepth:
    async def test_five_levels_each_side(self, post):
        data = (await post("depth", symbol="SBIN", exchange="NSE")).json()["data"]
        assert len(data["bids"]) == 5 and len(data["asks"]) == 5
        assert data["bids"][0]["price"] < data["asks"][0]["price"]
        assert {"totalbuyqty", "totalsellqty", "ltq", "prev_close"} <= set(data)

    async def test_unknown_symbol(self, post):
        assert (await post("depth", symbol="NOPE", exchange="NSE")).status_code == 400


class TestHistory:
    async def test_daily_candles_sorted(self, post):
        end = date.today()
        response = await post("history", symbol="SBIN", exchange="NSE", interval="D",
                              start_date=(end - timedelta(days=20)).isoformat(), end_date=end.isoformat())
        assert response.status_code == 200, response.text
        candles = response.json()["data"]
        assert candles and [c["timestamp"] for c in candles] == sorted({c["timestamp"] for c in candles})
        assert set(candles[0]) == {"timestamp", "open", "high", "low", "close", "volume", "oi"}
        assert all(c["low"] <= min(c["open"], c["close"]) <= max(c["open"], c["close"]) <= c["high"]
                   for c in candles)

    async def test_inverted_range(self, post):
        response = await post("history", symbol="SBIN", exchange="NSE", interval="5m",
                              start_date="2025-01-10", end_date="2025-01-01")
        assert response.status_code == 400

    async def test_range_too_large(self, post):
        response = await post("history", symbol="SBIN", exchange="NSE", interval="1m",
                              start_date="2024-01-01", end_date="2025-01-01")
        assert response.status_code == 400
        assert "at most 30 days" in response.json()["message"]

    async def test_bad_date_and_interval(self, post):
        response = await post("history", symbol="SBIN", exchange="NSE", interval="7m",
                              start_date="01-01-2025", end_date="2025-01-02")
        assert response.status_code == 400
        message = response.json()["message"]
        assert "interval" in message and "start_date" in message


class TestTicker:
    async def test_json_and_txt(self, client, api_key):
        end = date.today()
        params = {"apikey": api_key, "from": (end - timedelta(days=10)).isoformat(), "to": end.isoformat()}
        response = await client.get("/api/v1/ticker/NSE:SBIN", params=params)
        assert response.status_code == 200, response.text
        assert response.json()["data"]
        text = await client.get("/api/v1/ticker/NSE:SBIN", params={**params, "format": "txt"})
        assert text.headers["content-type"].startswith("text/plain")
        assert text.text.splitlines()[0].startswith("NSE:SBIN,")

    async def test_bad_dates(self, client, api_key):
        response = await client.get("/api/v1/ticker/NSE:SBIN", params={"apikey": api_key, "from": "x", "to": "y"})
        assert response.status_code == 400
