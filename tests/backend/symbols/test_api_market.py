"""/market/holidays and /market/timings over HTTP (api-v1 §4.28–4.29)."""

from datetime import datetime

from backend.core.clock import IST


def ms(year, month, day, hour, minute):
    return int(datetime(year, month, day, hour, minute, tzinfo=IST).timestamp() * 1000)


class TestHolidays:
    async def test_year_list_with_partial_openings(self, client, api_key):
        response = await client.post("/api/v1/market/holidays", json={"apikey": api_key, "year": 2026})
        body = response.json()
        assert response.status_code == 200 and (body["year"], body["timezone"]) == (2026, "Asia/Kolkata")
        holi = next(h for h in body["data"] if h["date"] == "2026-03-03")
        assert holi["holiday_type"] == "TRADING_HOLIDAY" and "NSE" in holi["closed_exchanges"]
        assert holi["open_exchanges"] == [{"exchange": "MCX", "start_time": ms(2026, 3, 3, 17, 0),
                                           "end_time": ms(2026, 3, 3, 23, 55)}]
        assert [h["date"] for h in body["data"]] == sorted(h["date"] for h in body["data"])

    async def test_default_year_and_string_year(self, client, api_key):
        response = await client.post("/api/v1/market/holidays", json={"apikey": api_key, "year": "2025"})
        assert response.json()["year"] == 2025 and len(response.json()["data"]) >= 10
        response = await client.post("/api/v1/market/holidays", json={"apikey": api_key})
        assert response.json()["year"] == datetime.now(IST).year

    async def test_bad_year(self, client, api_key):
        response = await client.post("/api/v1/market/holidays", json={"apikey": api_key, "year": 2019})
        assert response.status_code == 400 and "year" in response.json()["message"]
        response = await client.post("/api/v1/market/holidays", json={"apikey": api_key, "year": "abc"})
        assert response.json()["message"] == {"year": ["Not a valid integer."]}


class TestTimings:
    async def test_regular_day(self, client, api_key):
        response = await client.post("/api/v1/market/timings", json={"apikey": api_key, "date": "2026-11-27"})
        data = {row["exchange"]: row for row in response.json()["data"]}
        assert set(data) == {"NSE", "BSE", "NFO", "BFO", "MCX", "BCD", "CDS", "NCO", "CRYPTO"}
        assert (data["NSE"]["start_time"], data["NSE"]["end_time"]) == (ms(2026, 11, 27, 9, 15), ms(2026, 11, 27, 15, 30))
        assert data["NFO"]["end_time"] == ms(2026, 11, 27, 15, 40)

    async def test_weekend_holiday_and_special_session(self, client, api_key):
        weekend = await client.post("/api/v1/market/timings", json={"apikey": api_key, "date": "2026-11-28"})
        assert [row["exchange"] for row in weekend.json()["data"]] == ["CRYPTO"]
        muhurat = await client.post("/api/v1/market/timings", json={"apikey": api_key, "date": "2025-10-21"})
        rows = {row["exchange"]: row for row in muhurat.json()["data"]}
        assert rows["NSE"]["start_time"] == ms(2025, 10, 21, 13, 45) and "CDS" not in rows

    async def test_bad_dates(self, client, api_key):
        for text, message in (("27-11-2026", "Invalid date format. Use YYYY-MM-DD"),
                              ("2026-02-30", "Invalid date format. Use YYYY-MM-DD"),
                              ("2051-01-01", "Date must be between 2020-01-01 and 2050-12-31")):
            response = await client.post("/api/v1/market/timings", json={"apikey": api_key, "date": text})
            assert response.status_code == 400 and response.json() == {"status": "error", "message": message}
        response = await client.post("/api/v1/market/timings", json={"apikey": api_key})
        assert response.json()["message"] == {"date": ["Missing data for required field."]}
