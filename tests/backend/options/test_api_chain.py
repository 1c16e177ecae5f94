"""/optionchain and /syntheticfuture over the real app and the simulator market."""

from __future__ import annotations

import pytest

STEP = 50.0  # NIFTY's strike step in the simulator


class CountingData:
    """The simulator's data client, counting calls (it still answers with real simulated quotes)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.capabilities = inner.capabilities
        self.calls: list[tuple[str, int]] = []

    async def quote(self, instrument):
        self.calls.append(("quote", 1))
        return await self.inner.quote(instrument)

    async def multiquote(self, instruments):
        self.calls.append(("multiquote", len(instruments)))
        return await self.inner.multiquote(instruments)

    async def depth(self, instrument, levels: int = 5):
        return await self.inner.depth(instrument, levels)

    async def history(self, *args):
        return await self.inner.history(*args)


async def test_chain_around_atm_with_labels_and_one_batched_quote(app, post, expiries):
    counting = CountingData(app.state.gateways.simulator_data)
    app.state.gateways.simulator_data = counting
    expiry = expiries("NIFTY", "NFO")[0]
    response = await post("optionchain", underlying="NIFTY", exchange="NSE_INDEX", expiry_date=expiry, strike_count=5)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "success"
    assert (body["underlying"], body["underlying_symbol"], body["underlying_exchange"]) == ("NIFTY", "NIFTY", "NSE_INDEX")
    assert body["expiry_date"] == expiry and body["greeks_included"] is False and body["forward_price"] is None
    chain = body["chain"]
    assert len(chain) == 11
    strikes = [row["strike"] for row in chain]
    assert strikes == sorted(strikes) and strikes[5] == body["atm_strike"]
    assert abs(body["atm_strike"] - body["underlying_ltp"]) <= STEP / 2
    assert [row["ce"]["label"] for row in chain] == [f"ITM{k}" for k in range(5, 0, -1)] + ["ATM"] + \
        [f"OTM{k}" for k in range(1, 6)]
    assert [row["pe"]["label"] for row in chain] == [f"OTM{k}" for k in range(5, 0, -1)] + ["ATM"] + \
        [f"ITM{k}" for k in range(1, 6)]
    for row in chain:
        for side, kind in (("ce", "CE"), ("pe", "PE")):
            leg = row[side]
            assert leg["symbol"] == f"NIFTY{expiry}{int(row['strike'])}{kind}"
            assert leg["ltp"] > 0 and leg["ask"] >= leg["bid"] > 0 and leg["oi"] > 0
            assert leg["lotsize"] == 65
    # Calls get cheaper and puts dearer as the strike rises.
    assert all(a["ce"]["ltp"] >= b["ce"]["ltp"] for a, b in zip(chain, chain[1:], strict=False))
    assert all(a["pe"]["ltp"] <= b["pe"]["ltp"] for a, b in zip(chain, chain[1:], strict=False))
    assert counting.calls == [("quote", 1), ("multiquote", 22)]


async def test_chain_with_greeks(post, expiries):
    expiry = expiries("NIFTY", "NFO")[1]
    response = await post("optionchain", underlying="NIFTY", exchange="NFO", expiry_date=expiry, strike_count=10,
                          with_greeks="true", interest_rate=6.5)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["greeks_included"] is True
    atm = next(row for row in body["chain"] if row["strike"] == body["atm_strike"])
    assert body["forward_price"] == pytest.approx(atm["strike"] + atm["ce"]["ltp"] - atm["pe"]["ltp"], abs=0.01)
    ce, pe = atm["ce"], atm["pe"]
    assert 3 < ce["implied_volatility"] < 80
    assert ce["implied_volatility"] == pytest.approx(pe["implied_volatility"], abs=1.0)  # parity: one smile
    assert 0.35 < ce["delta"] < 0.65 and -0.65 < pe["delta"] < -0.35
    assert ce["gamma"] > 0 and ce["vega"] > 0 and ce["theta"] < 0
    deltas = [row["ce"]["delta"] for row in body["chain"] if "delta" in row["ce"]]
    assert len(deltas) >= 15 and deltas == sorted(deltas, reverse=True)


async def test_chain_for_a_commodity_uses_the_near_future(app, post, expiries):
    expiry = expiries("CRUDEOIL", "MCX")[0]
    response = await post("optionchain", underlying="CRUDEOIL", exchange="MCX", expiry_date=expiry, strike_count=3)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["underlying_symbol"].startswith("CRUDEOIL") and body["underlying_symbol"].endswith("FUT")
    assert body["underlying_exchange"] == "MCX" and len(body["chain"]) == 7


@pytest.mark.parametrize(("change", "status", "fragment"), [
    ({"expiry_date": "02JAN26"}, 400, "expired on 02-Jan-2026"),
    ({"expiry_date": "31DEC30"}, 404, "No strikes found for NIFTY expiring 31DEC30"),
    ({"underlying": "NOSUCHINDEX"}, 400, "Unknown underlying"),
    ({"expiry_date": "31-12-2030"}, 400, "Invalid expiry date format"),
])
async def test_chain_bad_input(post, expiries, change, status, fragment):
    body = {"underlying": "NIFTY", "exchange": "NSE_INDEX", "expiry_date": expiries("NIFTY", "NFO")[0], **change}
    response = await post("optionchain", **body)
    assert response.status_code == status, response.text
    assert response.json()["status"] == "error" and fragment in response.json()["message"]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"strike_count": 0}, "strike_count", "Must be greater than or equal to 1 and less than or equal to 100."),
    ({"interest_rate": 150}, "interest_rate", "Must be greater than or equal to 0 and less than or equal to 100."),
    ({"expiry_date": None}, "expiry_date", "Field may not be null."),
    ({"bogus": 1}, "bogus", "Unknown field."),
])
async def test_chain_validation_errors_use_the_options_shape(post, change, field, message):
    body = {"underlying": "NIFTY", "exchange": "NSE_INDEX", "expiry_date": "01DEC26", **change}
    response = await post("optionchain", **body)
    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Validation error", "errors": {field: [message]}}


async def test_chain_rejects_a_bad_key(post, expiries):
    response = await post("optionchain", apikey="nope", underlying="NIFTY", exchange="NSE_INDEX",
                          expiry_date=expiries("NIFTY", "NFO")[0])
    assert response.status_code == 403


async def test_synthetic_future_is_parity_and_close_to_the_model_forward(app, post, expiries):
    expiry = expiries("NIFTY", "NFO")[0]
    response = await post("syntheticfuture", underlying="NIFTY", exchange="NSE_INDEX", expiry_date=expiry)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expiry"] == expiry and abs(body["atm_strike"] - body["underlying_ltp"]) <= STEP / 2
    call = app.state.symbols.get("NFO", f"NIFTY{expiry}{int(body['atm_strike'])}CE")
    forward = app.state.simulator.market.forward(call)
    # C − P = e^(−rT)(F − K): at the money the discount moves the synthetic by paise, ticks by 0.10.
    assert body["synthetic_future_price"] == pytest.approx(forward, abs=1.0)


async def test_synthetic_future_bad_input(post):
    missing = await post("syntheticfuture", underlying="NIFTY", exchange="NSE_INDEX")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"expiry_date": ["Missing data for required field."]}
    unknown = await post("syntheticfuture", underlying="NOPE", exchange="NSE", expiry_date="29DEC26")
    assert unknown.status_code == 400 and "Unknown underlying" in unknown.json()["message"]
