"""/web/options/*: the SPA's session-cookie reads of the chain and analytics — the same bodies as the
API-key endpoints, no CSRF token needed for these GETs, and no access without a session."""

from __future__ import annotations

import pytest

NIFTY = {"underlying": "NIFTY", "exchange": "NSE_INDEX"}


async def test_expiries_then_chain_with_greeks(web_client, expiries):
    listed = await web_client.get("/web/options/expiries", params=NIFTY)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    # The fixture skips an expiry that is today; the endpoint lists it until its 15:30 close.
    assert body["options_exchange"] == "NFO" and set(expiries("NIFTY", "NFO")[:3]) <= set(body["expiries"])
    expiry = expiries("NIFTY", "NFO")[0]
    # No CSRF header: GET reads pass on the session cookie alone.
    headers = {name: "" for name in web_client.headers if "csrf" in name.lower()}
    response = await web_client.get("/web/options/chain", params={**NIFTY, "expiry_date": expiry, "strike_count": 5},
                                    headers=headers)
    assert response.status_code == 200, response.text
    chain = response.json()
    assert len(chain["chain"]) == 11 and chain["greeks_included"]
    atm = next(row for row in chain["chain"] if row["ce"]["label"] == "ATM")
    assert atm["strike"] == chain["atm_strike"] and atm["ce"]["delta"] is not None


@pytest.mark.parametrize("view", ["gex", "ivsmile", "maxpain", "oiprofile", "oitracker", "straddlechart",
                                  "ivhistory", "volsurface"])
async def test_each_analytics_view(web_client, expiries, view):
    params = {**NIFTY, "strike_count": 4} if view != "straddlechart" and view != "ivhistory" else dict(NIFTY)
    if view != "volsurface":
        params["expiry_date"] = expiries("NIFTY", "NFO")[0]
    response = await web_client.get(f"/web/options/{view}", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "success"
    assert body.get("data") or body.get("iv")


@pytest.mark.parametrize(("path", "params", "fragment"), [
    ("/web/options/gex", {"underlying": "NOPE", "exchange": "NSE_INDEX"}, "Unknown underlying"),
    ("/web/options/chain", {**NIFTY, "expiry_date": "31DEC30"}, "is not listed"),
    ("/web/options/gex", {"underlying": "NIFTY", "exchange": "MARS"}, "Unknown exchange"),
    ("/web/options/oitracker", {**NIFTY, "days": 0}, "days"),
    ("/web/options/expiries", {"exchange": "NSE_INDEX"}, "underlying"),
])
async def test_web_options_bad_input(web_client, path, params, fragment):
    response = await web_client.get(path, params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == "error" and fragment in str(body["message"])


async def test_web_options_need_a_session(client):
    response = await client.get("/web/options/chain", params=NIFTY)
    assert response.status_code == 401
