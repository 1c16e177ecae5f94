"""Login: the OAuth dialog → callback → form-encoded code exchange, and its failures."""

from datetime import datetime, time
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from brokers.contract import AuthType, BrokerError, BrokerPlugin, SessionExpired
from brokers.registry import discover_manifests
from brokers.upstox.auth import token_expiry
from tests.brokers.upstox.conftest import REDIRECT

IST = ZoneInfo("Asia/Kolkata")


def test_manifest_is_discovered():
    manifests, failed = discover_manifests()
    manifest = manifests["upstox"]
    assert "upstox" not in failed
    assert manifest.auth_type is AuthType.OAUTH and manifest.entrypoint == "brokers.upstox.plugin:create"
    assert [f.name for f in manifest.credential_fields] == ["api_key", "api_secret"]
    assert manifest.login_fields == ()


async def test_plugin_satisfies_the_contract(plugin):
    assert isinstance(plugin, BrokerPlugin)
    assert plugin.session_rollover == time(3, 30)


async def test_login_url_points_at_the_dialog(plugin, fake):
    url = urlsplit(plugin.login_url(fake.credentials, "abc"))
    assert url.path == "/v2/login/authorization/dialog"
    assert parse_qs(url.query) == {"response_type": ["code"], "client_id": [fake.credentials["api_key"]],
                                   "redirect_uri": [REDIRECT], "state": ["abc"]}


async def test_login_end_to_end(plugin, fake):
    params = await fake.login_params(plugin.login_url(fake.credentials, "state-9"))
    assert params["state"] == "state-9" and params["code"]
    session = await plugin.authenticate(fake.credentials, params)
    assert session.broker == "upstox" and session.broker_user_id == "UPX123"
    assert session.extra["api_key"] == fake.credentials["api_key"]
    assert session.expires_at.tzinfo is not None
    local = session.expires_at.astimezone(IST)
    assert (local.hour, local.minute) == (3, 30) and session.expires_at > datetime.now(IST)
    assert session.access_token not in repr(session)
    # The token works against the API.
    assert ("POST", "/v2/login/authorization/token") in fake.calls


async def test_code_is_single_use(plugin, fake):
    params = await fake.login_params(plugin.login_url(fake.credentials, "s"))
    await plugin.authenticate(fake.credentials, params)
    with pytest.raises(BrokerError, match=r"upstox: Invalid Auth code \(UDAPI100057\)"):
        await plugin.authenticate(fake.credentials, params)


async def test_wrong_secret_fails_with_the_brokers_message(plugin, fake):
    params = await fake.login_params(plugin.login_url(fake.credentials, "s"))
    bad = {**fake.credentials, "api_secret": "wrong"}
    with pytest.raises(BrokerError, match="Invalid Credentials") as info:
        await plugin.authenticate(bad, params)
    assert not isinstance(info.value, SessionExpired)


async def test_wrong_api_key_is_refused_by_the_dialog(plugin, fake):
    with pytest.raises(AssertionError, match="400"):
        await fake.login_params(plugin.login_url({**fake.credentials, "api_key": "nope"}, "s"))


async def test_callback_without_code(plugin, fake):
    with pytest.raises(BrokerError, match="access_denied"):
        await plugin.authenticate(fake.credentials, {"error": "access_denied"})
    with pytest.raises(BrokerError, match="missing credential 'api_secret'"):
        await plugin.authenticate({"api_key": "k"}, {"code": "x"})


def test_token_expiry_is_the_next_0330_ist():
    assert token_expiry(datetime(2026, 11, 27, 10, 0, tzinfo=IST)) == datetime(2026, 11, 28, 3, 30, tzinfo=IST)
    assert token_expiry(datetime(2026, 11, 27, 2, 0, tzinfo=IST)) == datetime(2026, 11, 27, 3, 30, tzinfo=IST)
