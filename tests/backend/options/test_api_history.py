"""/options/ivhistory and /options/oitracker: analytics over time from the simulator's candles,
checked against the chain, the OI profile and the greeks maths they are built from."""

from __future__ import annotations

import pytest

from backend.domains.options.greeks import black76, expiry_cutoff
from backend.domains.symbols.options import parse_expiry

NIFTY = {"underlying": "NIFTY", "exchange": "NSE_INDEX"}


async def test_iv_history_of_the_atm_strike_over_the_day(post, expiries):
    expiry = expiries("NIFTY", "NFO")[1]
    response = await post("options/ivhistory", **NIFTY, expiry_date=expiry, interval="5m", interest_rate=6.5)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["is_atm"] and body["strike"] == body["atm_strike"] and body["interval"] == "5m"
    assert body["ce_symbol"] == f"NIFTY{expiry}{int(body['strike'])}CE"
    rows = body["data"]
    assert rows, "the simulator has candles for today"
    stamps = [r["timestamp"] for r in rows]
    assert stamps == sorted(stamps) and all(b - a == 300 for a, b in zip(stamps, stamps[1:], strict=False))
    solved = [r for r in rows if r["ce"]["status"] == "ok" and r["pe"]["status"] == "ok"]
    assert len(solved) >= len(rows) * 0.9
    for row in solved:
        ce, pe = row["ce"], row["pe"]
        assert 3 < ce["iv"] < 80 and 3 < pe["iv"] < 80
        assert 0 < ce["delta"] < 1 and -1 < pe["delta"] < 0 and ce["gamma"] > 0 and ce["theta"] < 0
        assert row["forward"] == pytest.approx(row["underlying"] * body["forward_price"] / body["underlying_ltp"],
                                               rel=1e-6)
    # The IV reprices the candle: Black-76 at the reported IV gives back the close (IV to 2 dp).
    last = solved[-1]
    years = (expiry_cutoff(parse_expiry(expiry), "NFO").timestamp() - last["timestamp"]) / (365 * 86400)
    repriced = float(black76(last["forward"], body["strike"], years, last["ce"]["iv"] / 100, 0.065, True))
    assert repriced == pytest.approx(last["ce"]["price"], rel=2e-3)


async def test_iv_history_of_a_chosen_strike(post, expiries):
    expiry = expiries("NIFTY", "NFO")[1]
    atm = (await post("options/ivhistory", **NIFTY, expiry_date=expiry)).json()["atm_strike"]
    strike = atm + 500  # outside a strike_count=0 window: looked up in the master
    response = await post("options/ivhistory", **NIFTY, expiry_date=expiry, strike=strike, interval="15m")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["strike"] == strike and not body["is_atm"]
    assert body["pe_symbol"] == f"NIFTY{expiry}{int(strike)}PE"
    # Out-of-the-money call (strike above the forward): its IV sits on the smile, above zero.
    assert any(r["ce"]["iv"] for r in body["data"])


async def test_oi_tracker_by_strike_and_session(post, expiries):
    expiry = expiries("NIFTY", "NFO")[0]
    response = await post("options/oitracker", **NIFTY, expiry_date=expiry, strike_count=5, days=4)
    assert response.status_code == 200, response.text
    body = response.json()
    profile = (await post("options/oiprofile", **NIFTY, expiry_date=expiry, strike_count=5)).json()
    rows = body["data"]
    assert [r["strike"] for r in rows] == [r["strike"] for r in profile["data"]]
    assert len(body["dates"]) == 4 and body["dates"] == sorted(body["dates"])
    assert len(body["pcr_history"]) == 4
    for row in rows:
        assert len(row["ce_oi_history"]) == 4 and row["ce_oi_history"][-1] == row["ce_oi"]
        previous = row["ce_oi_history"][-2]
        if previous is not None and row["ce_oi_change"] is not None:
            assert row["ce_oi_change"] == row["ce_oi"] - previous
    # Today's OI is the live quote's, so it agrees with the OI profile (same minute snapshot).
    assert body["total_ce_oi"] == sum(r["ce_oi"] for r in rows) > 0
    assert body["total_pe_oi"] == pytest.approx(profile["total_pe_oi"], rel=0.05)
    assert body["pcr_oi"] == pytest.approx(body["total_pe_oi"] / body["total_ce_oi"], abs=1e-4)
    assert body["pcr_history"][-1] == pytest.approx(body["pcr_oi"], abs=1e-4)
    assert body["total_ce_oi_change"] == sum(r["ce_oi_change"] for r in rows if r["ce_oi_change"] is not None)


@pytest.mark.parametrize(("endpoint", "change", "status", "fragment"), [
    ("options/ivhistory", {"underlying": "NOPE"}, 400, "Unknown underlying"),
    ("options/oitracker", {"underlying": "NOPE"}, 400, "Unknown underlying"),
    ("options/ivhistory", {"expiry_date": "31DEC30"}, 400, "is not listed"),
    ("options/oitracker", {"expiry_date": "31DEC30"}, 400, "is not listed"),
    ("options/ivhistory", {"expiry_date": "31XYZ30"}, 400, ""),
    ("options/ivhistory", {"strike": 12345.5}, 400, "Strike 12345.5 is not listed"),
    ("options/ivhistory", {"interval": "D"}, 400, "Validation error"),
    ("options/oitracker", {"days": 0}, 400, "Validation error"),
    ("options/oitracker", {"days": 31}, 400, "Validation error"),
    ("options/oitracker", {"apikey": "bad"}, 403, "Invalid openalgo apikey"),
])
async def test_history_bad_input(post, expiries, endpoint, change, status, fragment):
    body = {**NIFTY, "expiry_date": expiries("NIFTY", "NFO")[0], **change}
    response = await post(endpoint, **body)
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["status"] == "error" and fragment in payload["message"]
