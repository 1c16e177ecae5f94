"""The master-contract endpoints over real HTTP: shapes per api-v1 §4.13–4.19 and bad input."""

import csv
import io

import pytest

from backend.core.clock import now_ist


async def post(client, path, body):
    return await client.post(f"/api/v1/{path}", json=body)


class TestSymbol:
    async def test_record_shape(self, client, api_key):
        response = await post(client, "symbol", {"apikey": api_key, "symbol": "SBIN", "exchange": "NSE"})
        assert response.status_code == 200
        data = response.json()["data"]
        assert set(data) == {"id", "symbol", "brsymbol", "name", "exchange", "brexchange", "token", "expiry",
                             "strike", "lotsize", "instrumenttype", "tick_size", "freeze_qty"}
        assert (data["symbol"], data["brsymbol"], data["name"]) == ("SBIN", "SBIN-EQ", "STATE BANK OF INDIA")
        assert data["expiry"] == "" and data["freeze_qty"] == 1 and isinstance(data["token"], str)

    async def test_future_record(self, client, api_key, app):
        future = next(i for i in app.state.symbols.index.instruments if i.symbol.startswith("NIFTY")
                      and i.instrumenttype == "FUT")
        response = await post(client, "symbol", {"apikey": api_key, "symbol": future.symbol, "exchange": "NFO"})
        data = response.json()["data"]
        assert data["expiry"] == future.expiry.strftime("%d-%b-%y").upper()
        assert (data["lotsize"], data["freeze_qty"], data["tick_size"]) == (65, 1800, 0.1)

    async def test_unknown_symbol_names_symbol_and_exchange(self, client, api_key):
        response = await post(client, "symbol", {"apikey": api_key, "symbol": "SBINX", "exchange": "NSE"})
        assert response.status_code == 404
        assert response.json() == {"status": "error", "message": "Symbol SBINX not found in exchange NSE"}

    async def test_bad_exchange_missing_field_and_bad_key(self, client, api_key):
        response = await post(client, "symbol", {"apikey": api_key, "symbol": "SBIN", "exchange": "NSEX"})
        assert response.status_code == 400
        assert response.json()["message"]["exchange"][0].startswith("Must be one of: NSE, NFO")
        response = await post(client, "symbol", {"apikey": api_key, "exchange": "NSE"})
        assert response.json()["message"] == {"symbol": ["Missing data for required field."]}
        response = await post(client, "symbol", {"apikey": "nope", "symbol": "SBIN", "exchange": "NSE"})
        assert response.status_code == 403


class TestSearch:
    async def test_ranked_results(self, client, api_key):
        response = await post(client, "search", {"apikey": api_key, "query": "nifty 26000", "exchange": "NFO"})
        body = response.json()
        assert response.status_code == 200 and body["message"] == f"Found {len(body['data'])} matching symbols"
        assert all("26000" in row["symbol"] and row["exchange"] == "NFO" for row in body["data"])
        assert body["data"][0]["symbol"].startswith("NIFTY")
        assert set(body["data"][0]) >= {"symbol", "brsymbol", "token", "expiry", "strike", "lotsize", "freeze_qty"}

    async def test_no_match_and_empty_query(self, client, api_key):
        response = await post(client, "search", {"apikey": api_key, "query": "ZZZZQQQ"})
        assert response.json() == {"status": "success", "message": "No matching symbols found", "data": []}
        response = await post(client, "search", {"apikey": api_key, "query": "   "})
        assert response.status_code == 400
        assert response.json()["message"] == "Query parameter is required and cannot be empty"

    async def test_unknown_field_is_rejected(self, client, api_key):
        response = await post(client, "search", {"apikey": api_key, "query": "SBIN", "foo": 1})
        assert response.status_code == 400 and response.json()["message"] == {"foo": ["Unknown field."]}


class TestExpiry:
    async def test_unexpired_sorted_expiries(self, client, api_key):
        response = await post(client, "expiry", {"apikey": api_key, "symbol": "nifty", "exchange": "NFO",
                                                 "instrumenttype": "options"})
        body = response.json()
        assert body["message"] == f"Found {len(body['data'])} expiry dates for NIFTY options in NFO"
        from datetime import datetime

        days = [datetime.strptime(text, "%d-%b-%y").date() for text in body["data"]]
        assert days == sorted(days) and days[0] >= now_ist().date() and len(days) >= 7

    async def test_none_found_is_success_with_empty_data(self, client, api_key):
        response = await post(client, "expiry", {"apikey": api_key, "symbol": "SBIN", "exchange": "MCX",
                                                 "instrumenttype": "futures"})
        assert response.json() == {"status": "success", "message": "No expiry dates found for SBIN futures in MCX",
                                   "data": []}

    @pytest.mark.parametrize(("field", "value", "message"), [
        ("exchange", "NSE", "Must be one of: NFO, BFO, MCX, CDS, NCO, BCD, NCDEX, CRYPTO."),
        ("instrumenttype", "Options", "Must be one of: futures, options."),
    ])
    async def test_bad_input(self, client, api_key, field, value, message):
        body = {"apikey": api_key, "symbol": "NIFTY", "exchange": "NFO", "instrumenttype": "options", field: value}
        response = await post(client, "expiry", body)
        assert response.status_code == 400 and response.json()["message"] == {field: [message]}


class TestInstruments:
    async def test_json_per_exchange(self, client, api_key):
        response = await client.get("/api/v1/instruments", params={"apikey": api_key, "exchange": "NSE_INDEX"})
        body = response.json()
        assert body["message"] == f"Found {len(body['data'])} instruments"
        assert {row["symbol"] for row in body["data"]} >= {"NIFTY", "BANKNIFTY", "INDIAVIX"}
        assert "id" not in body["data"][0] and "freeze_qty" not in body["data"][0]

    async def test_csv_download(self, client, api_key):
        response = await client.get("/api/v1/instruments", params={"apikey": api_key, "exchange": "CDS",
                                                                   "format": "CSV"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"] == "attachment; filename=instruments_CDS.csv"
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["symbol", "brsymbol", "name", "exchange", "brexchange", "token", "expiry", "strike",
                           "lotsize", "instrumenttype", "tick_size"]
        assert len(rows) > 100 and all(row[3] == "CDS" for row in rows[1:])

    async def test_all_exchanges_when_omitted(self, client, api_key, app):
        response = await client.get("/api/v1/instruments", params={"apikey": api_key})
        assert len(response.json()["data"]) == len(app.state.symbols)

    async def test_errors(self, client, api_key):
        response = await client.get("/api/v1/instruments", params={"exchange": "NSE"})
        assert response.status_code == 400 and response.json()["message"] == {"apikey": ["Field may not be null."]}
        response = await client.get("/api/v1/instruments", params={"apikey": api_key, "exchange": "XYZ"})
        assert response.status_code == 400 and "exchange" in response.json()["message"]
        response = await client.get("/api/v1/instruments", params={"apikey": "bad", "format": "csv"})
        assert response.status_code == 403 and response.headers["content-type"].startswith("text/plain")


class TestOptionSymbol:
    async def test_resolves_from_the_live_underlying(self, client, api_key, app):
        expiry = app.state.symbols.expiries("NIFTY", "NFO", "options", now_ist().date())[0]
        body = {"apikey": api_key, "underlying": "NIFTY", "exchange": "NSE_INDEX",
                "expiry_date": expiry.strftime("%d%b%y").upper(), "offset": "ATM", "option_type": "ce"}
        response = await post(client, "optionsymbol", body)
        data = response.json()
        assert response.status_code == 200 and data["exchange"] == "NFO"
        assert set(data) == {"status", "symbol", "exchange", "lotsize", "tick_size", "freeze_qty", "underlying_ltp"}
        strike = float(data["symbol"][len("NIFTY") + 7:-2])
        assert abs(strike - data["underlying_ltp"]) <= 25 and data["lotsize"] == 65
        otm = await post(client, "optionsymbol", {**body, "offset": "OTM2"})
        assert float(otm.json()["symbol"][12:-2]) == strike + 100

    async def test_expiry_embedded_in_a_future_underlying(self, client, api_key, app):
        future = app.state.symbols.index.instruments
        symbol = next(i.symbol for i in future if i.symbol.startswith("CRUDEOIL") and i.instrumenttype == "FUT"
                      and not i.symbol.startswith("CRUDEOILM"))
        response = await post(client, "optionsymbol", {"apikey": api_key, "underlying": symbol, "exchange": "MCX",
                                                       "offset": "ITM1", "option_type": "PE"})
        assert response.status_code == 200 and response.json()["symbol"].startswith(symbol[:-3])

    async def test_validation_error_variant(self, client, api_key):
        response = await post(client, "optionsymbol", {"apikey": api_key, "underlying": "NIFTY", "exchange": "NFO",
                                                       "offset": "ITM99", "option_type": "XX"})
        assert response.status_code == 400
        assert response.json() == {"status": "error", "message": "Validation error", "errors": {
            "offset": ["Offset must be ATM, ITM1-ITM50, or OTM1-OTM50"], "option_type": ["Must be one of: CE, PE."]}}

    async def test_expiry_required_and_format(self, client, api_key):
        base = {"apikey": api_key, "underlying": "NIFTY", "exchange": "NSE_INDEX", "offset": "ATM", "option_type": "CE"}
        response = await post(client, "optionsymbol", base)
        assert response.status_code == 400 and response.json()["message"].startswith("Expiry date required.")
        response = await post(client, "optionsymbol", {**base, "expiry_date": "2026-12-29"})
        assert response.status_code == 400 and "Expected DDMMMYY" in response.json()["message"]

    async def test_unknown_expiry_and_out_of_range(self, client, api_key, app):
        base = {"apikey": api_key, "underlying": "NIFTY", "exchange": "NFO", "offset": "ATM", "option_type": "CE"}
        response = await post(client, "optionsymbol", {**base, "expiry_date": "01JAN30"})
        assert response.status_code == 404
        assert response.json()["message"].startswith("No strikes found for NIFTY expiring 01JAN30.")
        expiry = app.state.symbols.expiries("RELIANCE", "NFO", "options", now_ist().date())[0]
        response = await post(client, "optionsymbol", {**base, "underlying": "RELIANCE", "offset": "OTM30",
                                                       "expiry_date": expiry.strftime("%d%b%y").upper()})
        assert response.status_code == 400 and "out of range" in response.json()["message"]

    async def test_unknown_underlying_names_it(self, client, api_key):
        response = await post(client, "optionsymbol", {"apikey": api_key, "underlying": "NOSUCH", "exchange": "NFO",
                                                       "expiry_date": "29DEC26", "offset": "ATM", "option_type": "CE"})
        assert response.status_code == 400
        assert response.json()["message"].startswith("Failed to fetch LTP for NOSUCH. Symbol 'NOSUCH' not found "
                                                     "for exchange 'NSE'")

    async def test_invalid_key(self, client):
        response = await post(client, "optionsymbol", {"apikey": "bad", "underlying": "NIFTY", "exchange": "NFO",
                                                       "expiry_date": "29DEC26", "offset": "ATM", "option_type": "CE"})
        assert response.status_code == 403
        assert response.json()["message"] == "Failed to fetch LTP for NIFTY. Invalid openalgo apikey"


class TestIntervals:
    async def test_grouped_intervals(self, client, api_key):
        response = await post(client, "intervals", {"apikey": api_key})
        data = response.json()["data"]
        assert data["minutes"][:3] == ["1m", "2m", "3m"] and data["hours"] == ["1h", "2h", "3h", "4h"]
        assert data["days"] == ["D"] and data["seconds"] == []

    async def test_bad_input(self, client):
        response = await post(client, "intervals", {})
        assert response.status_code == 400 and response.json()["message"] == {
            "apikey": ["Missing data for required field."]}
        assert (await post(client, "intervals", {"apikey": "nope"})).status_code == 403
