"""The analytics endpoints under /api/v1/options/…, checked against the chain they are built from."""

from __future__ import annotations

import pytest

NIFTY = {"underlying": "NIFTY", "exchange": "NSE_INDEX"}


async def chain_of(post, expiry: str, count: int = 10, **extra) -> dict:
    response = await post("optionchain", **NIFTY, expiry_date=expiry, strike_count=count, **extra)
    assert response.status_code == 200, response.text
    return response.json()


async def test_gex_by_strike(post, expiries):
    expiry = expiries("NIFTY", "NFO")[1]
    response = await post("options/gex", **NIFTY, expiry_date=expiry, strike_count=10)
    assert response.status_code == 200, response.text
    body = response.json()
    rows = body["data"]
    assert len(rows) == 21 and body["expiry_date"] == expiry
    assert all(r["call_gex"] >= 0 >= r["put_gex"] for r in rows)
    assert all(r["net_gex"] == pytest.approx(r["call_gex"] + r["put_gex"], abs=0.02) for r in rows)
    assert body["net_gex"] == pytest.approx(sum(r["net_gex"] for r in rows), rel=1e-6, abs=1)
    # Cross-check the ATM call against the chain's own gamma and OI: Γ·OI·F²·1 %.
    chain = await chain_of(post, expiry, with_greeks=True)
    atm = next(row for row in chain["chain"] if row["strike"] == chain["atm_strike"])
    expected = atm["ce"]["gamma"] * atm["ce"]["oi"] * chain["forward_price"] ** 2 * 0.01
    got = next(r["call_gex"] for r in rows if r["strike"] == chain["atm_strike"])
    assert got == pytest.approx(expected, rel=0.02)


async def test_iv_smile_takes_the_out_of_the_money_side(post, expiries):
    body = (await post("options/ivsmile", **NIFTY, expiry_date=expiries("NIFTY", "NFO")[1], strike_count=15)).json()
    assert body["status"] == "success" and len(body["data"]) == 31
    for row in body["data"]:
        side = row["call_iv"] if row["strike"] >= body["forward_price"] else row["put_iv"]
        assert row["iv"] == side
    wings = [r["iv"] for r in body["data"] if r["iv"] is not None]
    assert len(wings) >= 25 and all(3 < iv < 150 for iv in wings)
    assert body["atm_iv"] is not None
    # The simulator's smile is skewed: the lowest strike's vol is above the ATM vol.
    assert body["data"][0]["iv"] > body["atm_iv"]


async def test_max_pain_matches_a_brute_force_over_the_oi_profile(post, expiries):
    expiry = expiries("NIFTY", "NFO")[0]
    pain = (await post("options/maxpain", **NIFTY, expiry_date=expiry, strike_count=12)).json()
    profile = (await post("options/oiprofile", **NIFTY, expiry_date=expiry, strike_count=12)).json()
    rows = profile["data"]

    def paid(settle: float) -> float:
        return sum(r["ce_oi"] * max(settle - r["strike"], 0) + r["pe_oi"] * max(r["strike"] - settle, 0)
                   for r in rows)

    best = min(rows, key=lambda r: paid(r["strike"]))["strike"]
    assert pain["max_pain_strike"] == best
    assert [r["total_pain"] for r in pain["data"]] == pytest.approx([paid(r["strike"]) for r in rows], rel=1e-9)


async def test_oi_profile_totals_and_ratios(post, expiries):
    body = (await post("options/oiprofile", **NIFTY, expiry_date=expiries("NIFTY", "NFO")[0], strike_count=5)).json()
    rows = body["data"]
    assert body["total_ce_oi"] == sum(r["ce_oi"] for r in rows) > 0
    assert body["total_pe_oi"] == sum(r["pe_oi"] for r in rows) > 0
    assert body["pcr_oi"] == pytest.approx(body["total_pe_oi"] / body["total_ce_oi"], abs=1e-4)


async def test_straddle_is_the_atm_call_plus_put(post, expiries):
    expiry = expiries("NIFTY", "NFO")[0]
    body = (await post("options/straddle", **NIFTY, expiry_date=expiry)).json()
    assert body["straddle_price"] == pytest.approx(body["ce_ltp"] + body["pe_ltp"], abs=0.01)
    assert body["lower_breakeven"] == pytest.approx(body["atm_strike"] - body["straddle_price"], abs=0.01)
    assert body["upper_breakeven"] == pytest.approx(body["atm_strike"] + body["straddle_price"], abs=0.01)
    assert 0 < body["implied_move_percent"] < 20


async def test_vol_surface_grid_over_the_nearest_expiries(post, expiries):
    response = await post("options/volsurface", **NIFTY, expiries=3, strike_count=8)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expiries"] == expiries("NIFTY", "NFO")[:3]
    assert body["days_to_expiry"] == sorted(body["days_to_expiry"])
    assert len(body["iv"]) == 3 and all(len(row) == len(body["strikes"]) for row in body["iv"])
    assert sum(v is not None for row in body["iv"] for v in row) >= 40


@pytest.mark.parametrize(("endpoint", "change", "status", "fragment"), [
    ("options/volsurface", {"expiries": 9}, 400, "Validation error"),
    ("options/gex", {"strike_count": 0}, 400, "Validation error"),
    ("options/gex", {"underlying": "NOPE"}, 400, "Unknown underlying"),
    ("options/maxpain", {"expiry_date": "31DEC30"}, 404, "No strikes found"),
    ("options/straddle", {"apikey": "bad"}, 403, "Invalid openalgo apikey"),
])
async def test_analytics_bad_input(post, endpoint, change, status, fragment):
    response = await post(endpoint, **{**NIFTY, **change})
    assert response.status_code == status, response.text
    assert fragment in response.json()["message"]


async def test_straddle_chart_over_the_day(post, expiries):
    expiry = expiries("NIFTY", "NFO")[1]
    response = await post("options/straddlechart", **NIFTY, expiry_date=expiry, interval="5m")
    assert response.status_code == 200, response.text
    body = response.json()
    now = await post("options/straddle", **NIFTY, expiry_date=expiry)
    assert body["ce_symbol"] == f"NIFTY{expiry}{int(now.json()['atm_strike'])}CE" and body["interval"] == "5m"
    rows = body["data"]
    assert rows, "the simulator has candles for today"
    stamps = [r["timestamp"] for r in rows]
    assert stamps == sorted(stamps) and all(b - a == 300 for a, b in zip(stamps, stamps[1:], strict=False))
    for row in rows:
        assert row["straddle"] == pytest.approx(row["ce"] + row["pe"], abs=0.01)
        assert row["synthetic_future"] == pytest.approx(body["atm_strike"] + row["ce"] - row["pe"], abs=0.01)
    ivs = [r["iv"] for r in rows if r["iv"] is not None]
    assert len(ivs) >= len(rows) * 0.9 and all(3 < iv < 80 for iv in ivs)
    bad = await post("options/straddlechart", **NIFTY, expiry_date=expiry, interval="D")
    assert bad.status_code == 400 and "interval" in bad.json()["errors"]
