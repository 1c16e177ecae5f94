"""/optiongreeks and /multioptiongreeks over the real app and the simulator market."""

from __future__ import annotations

import pytest

from backend.core.clock import now_ist
from backend.domains.options.greeks import black76, expiry_cutoff, years_between
from backend.domains.symbols.options import parse_expiry


async def atm_symbols(post, expiry: str) -> tuple[str, str, float]:
    chain = (await post("optionchain", underlying="NIFTY", exchange="NSE_INDEX", expiry_date=expiry,
                        strike_count=1)).json()
    atm = chain["chain"][1]
    return atm["ce"]["symbol"], atm["pe"]["symbol"], atm["strike"]


async def test_option_greeks_of_the_atm_call(post, expiries):
    expiry = expiries("NIFTY", "NFO")[1]
    call, _, strike = await atm_symbols(post, expiry)
    response = await post("optiongreeks", symbol=call, exchange="NFO", interest_rate="6.5")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["symbol"], body["underlying"], body["option_type"]) == ("success", call, "NIFTY", "CE")
    assert body["strike"] == strike and body["interest_rate"] == 6.5
    day = parse_expiry(expiry)
    assert body["expiry_date"] == day.strftime("%d-%b-%Y")
    expected_days = years_between(now_ist(), expiry_cutoff(day, "NFO")) * 365
    assert body["days_to_expiry"] == pytest.approx(expected_days, abs=0.01)
    assert abs(body["spot_price"] - strike) < 200  # the synthetic forward of this expiry
    assert 3 < body["implied_volatility"] < 80
    greeks = body["greeks"]
    assert 0.35 < greeks["delta"] < 0.65 and greeks["gamma"] > 0 and greeks["theta"] < 0 and greeks["vega"] > 0
    # The reported IV reprices the option to its LTP (2-decimal IV ⇒ within a few rupees).
    repriced = black76(body["spot_price"], strike, body["days_to_expiry"] / 365, body["implied_volatility"] / 100,
                       0.065, True)
    assert float(repriced) == pytest.approx(body["option_price"], abs=0.5 + 0.01 * greeks["vega"] * 100)


async def test_option_greeks_with_a_given_forward_and_no_time_value(post, expiries):
    call, _, strike = await atm_symbols(post, expiries("NIFTY", "NFO")[0])
    given = await post("optiongreeks", symbol=call, exchange="NFO", forward_price=strike + 20)
    assert given.status_code == 200 and given.json()["spot_price"] == strike + 20
    # A forward far above the strike makes the call's price less than its intrinsic value.
    deep = (await post("optiongreeks", symbol=call, exchange="NFO", forward_price=strike * 2)).json()
    assert deep["status"] == "success" and deep["implied_volatility"] == 0
    assert deep["greeks"]["delta"] == 1.0 and deep["intrinsic_value"] == pytest.approx(strike, abs=0.01)
    assert deep["time_value"] < 0 and "intrinsic" in deep["note"]


@pytest.mark.parametrize(("symbol", "status", "fragment"), [
    ("NIFTYCALL", 400, "Invalid option symbol format: NIFTYCALL"),
    ("NIFTY02JAN2624000CE", 400, "Option has expired on 02-Jan-2026"),
    ("NIFTY29DEC3024000CE", 404, "Option LTP not available"),
])
async def test_option_greeks_bad_symbols(post, symbol, status, fragment):
    response = await post("optiongreeks", symbol=symbol, exchange="NFO")
    assert response.status_code == status, response.text
    assert fragment in response.json()["message"]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"interest_rate": 101}, "interest_rate", "Must be greater than or equal to 0 and less than or equal to 100."),
    ({"interest_rate": -1}, "interest_rate", "Must be greater than or equal to 0 and less than or equal to 100."),
    ({"exchange": "NSE"}, "exchange", "Must be one of: NFO, BFO, MCX, CDS, NCO, BCD, NCDEX, CRYPTO."),
    ({"expiry_time": "25:00"}, "expiry_time", "Invalid expiry_time format. Use HH:MM (24-hour IST), e.g. 15:30."),
])
async def test_option_greeks_validation_uses_the_greeks_shape(post, change, field, message):
    response = await post("optiongreeks", **{"symbol": "NIFTY29DEC2624000CE", "exchange": "NFO", **change})
    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Validation failed", "errors": {field: [message]}}


async def test_greeks_reject_a_bad_key_with_401(post):
    for endpoint, body in (("optiongreeks", {"symbol": "NIFTY29DEC2624000CE", "exchange": "NFO"}),
                           ("multioptiongreeks", {"symbols": [{"symbol": "NIFTY29DEC2624000CE", "exchange": "NFO"}]})):
        response = await post(endpoint, apikey="not-a-key", **body)
        assert response.status_code == 401
        assert response.json() == {"status": "error", "message": "Invalid openalgo apikey"}


async def test_multi_option_greeks_partial_in_request_order(post, expiries):
    near, far = expiries("NIFTY", "NFO")[:2]
    call, put, _ = await atm_symbols(post, near)
    far_call, _, _ = await atm_symbols(post, far)
    symbols = [{"symbol": call, "exchange": "NFO"}, {"symbol": "NIFTY29DEC3099000CE", "exchange": "NFO"},
               {"symbol": put, "exchange": "NFO"}, {"symbol": far_call, "exchange": "NFO"},
               {"symbol": "NIFTY02JAN2624000CE", "exchange": "NFO"}]
    response = await post("multioptiongreeks", symbols=symbols, interest_rate=0)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "partial" and body["summary"] == {"total": 5, "success": 4, "failed": 1}
    assert [item["symbol"] for item in body["data"]] == [s["symbol"] for s in symbols]
    assert [item["status"] for item in body["data"]] == ["success", "error", "success", "success", "success"]
    assert body["message"].startswith("1 option Greeks calculation(s) failed: Option LTP not available")
    assert body["data"][0]["greeks"]["delta"] > 0 > body["data"][2]["greeks"]["delta"]
    expired = body["data"][4]
    assert expired["greeks"] == {"delta": 0.0, "gamma": 0.0, "theta": 0.0, "vega": 0.0, "rho": 0.0}
    assert "expired on 02-Jan-2026" in expired["note"]
    # Same ATM call priced alone gives the same answer as in the batch.
    alone = (await post("optiongreeks", symbol=call, exchange="NFO")).json()
    assert alone["implied_volatility"] == pytest.approx(body["data"][0]["implied_volatility"], abs=0.5)


async def test_multi_option_greeks_all_failed_and_limits(post):
    failed = (await post("multioptiongreeks", symbols=[{"symbol": "BAD", "exchange": "NFO"}])).json()
    assert failed["status"] == "error" and failed["message"].startswith("All option Greeks calculations failed")
    too_many = await post("multioptiongreeks", symbols=[{"symbol": "X", "exchange": "NFO"}] * 51)
    assert too_many.status_code == 400
    assert too_many.json()["errors"] == {"symbols": ["Symbols must contain 1 to 50 items."]}
