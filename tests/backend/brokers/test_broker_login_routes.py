"""The SPA's broker set-up and login routes against the fake Kite server: the happy path, and
every bad input answered clearly with nothing stored."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.brokers.zerodha.fake import FakeKite
from tests.conftest import make_settings

# Within 30 minutes of Kite's daily rollover a fresh login is "expiring" at once: still logged in.
LOGGED_IN = ("connected", "expiring")


@pytest.fixture
async def kite():
    fake = FakeKite()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def settings(tmp_path, database_url, kite):
    return make_settings(tmp_path, database_url=database_url, enabled_brokers="simulator,zerodha",
                         broker_urls={"zerodha": kite.urls}, host_server="https://algo.example.in")


async def describe(client) -> dict:
    response = await client.get("/web/broker/zerodha")
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_oauth_login_round_trip(web_client, kite):
    assert (await describe(web_client))["redirect_url"] == "https://algo.example.in/zerodha/callback"
    saved = await web_client.put("/web/broker/zerodha/credentials", json={"values": kite.credentials})
    assert saved.status_code == 200
    assert kite.credentials["api_secret"] not in saved.text  # never echoed
    started = await web_client.post("/web/broker/zerodha/login", json={"params": {}})
    assert started.status_code == 200
    redirect = started.json()["data"]["redirect"]
    assert "algogate_broker_state" in started.headers["set-cookie"]
    params = await kite.login_params(redirect)
    back = await web_client.get(f"/zerodha/callback?{urlencode(params)}")
    assert back.status_code == 303 and "login=success" in back.headers["location"]
    assert (await describe(web_client))["state"] in LOGGED_IN
    out = await web_client.delete("/web/broker/zerodha/session")
    assert out.json()["data"]["revoked"] is True
    assert (await describe(web_client))["state"] == "expired"


async def test_unknown_broker_and_bad_names(web_client):
    assert (await web_client.get("/web/broker/nosuchbroker")).status_code == 404
    assert (await web_client.get("/web/broker/Bad!Name")).status_code in (400, 404)
    response = await web_client.put("/web/broker/nosuchbroker/credentials", json={"values": {"a": "b"}})
    assert response.status_code == 404 and response.json()["status"] == "error"


async def test_unknown_credential_fields_are_refused_and_nothing_is_stored(web_client, kite):
    response = await web_client.put("/web/broker/zerodha/credentials",
                                    json={"values": {"api_key": "k", "password": "x"}})
    assert response.status_code == 400
    assert "password" in response.json()["message"]
    assert not any(field["stored"] for field in (await describe(web_client))["credential_fields"])
    too_long = await web_client.put("/web/broker/zerodha/credentials", json={"values": {"api_key": "k" * 600}})
    assert too_long.status_code == 400
    assert not any(field["stored"] for field in (await describe(web_client))["credential_fields"])


async def test_login_needs_stored_credentials(web_client):
    response = await web_client.post("/web/broker/zerodha/login", json={"params": {}})
    assert response.status_code == 400
    assert "credentials first" in response.json()["message"]
    assert (await describe(web_client))["state"] == "not_connected"


async def test_a_forged_or_missing_state_logs_nobody_in(web_client, kite):
    await web_client.put("/web/broker/zerodha/credentials", json={"values": kite.credentials})
    started = await web_client.post("/web/broker/zerodha/login", json={"params": {}})
    params = await kite.login_params(started.json()["data"]["redirect"])
    forged = {**params, "state": params.get("state", "x")[:-4] + "0000"}
    back = await web_client.get(f"/zerodha/callback?{urlencode(forged)}")
    assert back.status_code == 303
    outcome = parse_qs(urlsplit(back.headers["location"]).query)
    assert outcome["login"] == ["error"] and "not valid" in outcome["message"][0]
    assert (await describe(web_client))["state"] not in LOGGED_IN


async def test_writes_need_the_csrf_token(web_client, kite):
    del web_client.headers["X-CSRF-Token"]
    response = await web_client.put("/web/broker/zerodha/credentials", json={"values": kite.credentials})
    assert response.status_code == 403
    assert (await web_client.post("/web/broker/zerodha/login", json={"params": {}})).status_code == 403
