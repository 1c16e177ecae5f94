"""Login: the OAuth redirect, the request-token exchange with its checksum, and failures."""

from __future__ import annotations

import hashlib
from datetime import datetime, time
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from brokers.contract import AuthType, BrokerConfig, BrokerError, BrokerPlugin
from brokers.registry import BrokerRegistry, discover_manifests
from brokers.zerodha import auth
from brokers.zerodha.manifest import MANIFEST
from brokers.zerodha.plugin import ZerodhaPlugin

IST = ZoneInfo("Asia/Kolkata")


def test_manifest_is_discovered_and_declares_oauth():
    manifests, failed = discover_manifests()
    assert "zerodha" not in failed and manifests["zerodha"] is MANIFEST
    assert MANIFEST.auth_type == AuthType.OAUTH and MANIFEST.entrypoint == "brokers.zerodha.plugin:create"
    assert [f.name for f in MANIFEST.credential_fields] == ["api_key", "api_secret"]
    assert MANIFEST.login_fields == ()


async def test_registry_builds_the_plugin_from_the_entrypoint():
    registry = BrokerRegistry(enabled=["zerodha"], host_server="https://algo.example.com")
    await registry.start()
    try:
        plugin = registry.plugins["zerodha"]
        assert isinstance(plugin, BrokerPlugin) and isinstance(plugin, ZerodhaPlugin)
        assert plugin.config.redirect_url == "https://algo.example.com/zerodha/callback"
        assert plugin.session_rollover == time(6, 0)
    finally:
        await registry.stop()


def test_login_url_points_at_kite_with_the_key_and_echoes_state():
    plugin = ZerodhaPlugin(BrokerConfig())
    url = urlsplit(plugin.login_url({"api_key": "abc123"}, "csrf-1"))
    assert (url.scheme, url.netloc, url.path) == ("https", "kite.zerodha.com", "/connect/login")
    query = parse_qs(url.query)
    assert query == {"v": ["3"], "api_key": ["abc123"], "redirect_params": ["state=csrf-1"]}


def test_checksum_is_sha256_of_key_token_secret():
    expected = hashlib.sha256(b"keyTOKENsecret").hexdigest()
    assert auth.checksum("key", "TOKEN", "secret") == expected


def test_token_expires_at_six_ist_next_morning():
    assert auth.expiry_after(datetime(2025, 11, 27, 9, 30, tzinfo=IST)) == datetime(2025, 11, 28, 6, 0, tzinfo=IST)
    assert auth.expiry_after(datetime(2025, 11, 27, 2, 0, tzinfo=IST)) == datetime(2025, 11, 27, 6, 0, tzinfo=IST)


async def test_login_end_to_end(fake, plugin):
    params = await fake.login_params(plugin.login_url(fake.credentials, "st4te"))
    assert params["status"] == "success" and params["state"] == "st4te" and params["request_token"]
    session = await plugin.authenticate(fake.credentials, params)
    assert session.broker == "zerodha" and session.broker_user_id == "ZR1234"
    assert session.access_token in fake.access_tokens
    assert session.extra["api_key"] == fake.credentials["api_key"]
    assert session.expires_at.tzinfo is not None
    assert session.expires_at.astimezone(IST).time() == time(6, 0)
    assert session.expires_at > datetime.now(IST)
    assert ("POST", "/session/token") in fake.calls


async def test_bad_secret_gives_a_checksum_error(fake, plugin):
    params = await fake.login_params(plugin.login_url(fake.credentials, "s"))
    with pytest.raises(BrokerError, match="zerodha: login failed: Invalid `checksum`") as failure:
        await plugin.authenticate({**fake.credentials, "api_secret": "wrong"}, params)
    assert failure.value.status == 401
    assert not fake.access_tokens


async def test_request_token_is_single_use(fake, plugin):
    params = await fake.login_params(plugin.login_url(fake.credentials, "s"))
    await plugin.authenticate(fake.credentials, params)
    with pytest.raises(BrokerError, match="invalid or has expired"):
        await plugin.authenticate(fake.credentials, params)


async def test_failed_callback_and_missing_token_are_refused(fake, plugin):
    with pytest.raises(BrokerError, match="not completed"):
        await plugin.authenticate(fake.credentials, {"status": "cancelled", "request_token": "x"})
    with pytest.raises(BrokerError, match="missing request_token"):
        await plugin.authenticate(fake.credentials, {"status": "success"})
    assert ("POST", "/session/token") not in fake.calls


async def test_code_parameter_is_accepted_as_the_request_token(fake, plugin):
    params = dict(await fake.login_params(plugin.login_url(fake.credentials, "")))
    params["code"] = params.pop("request_token")
    session = await plugin.authenticate(fake.credentials, params)
    assert session.access_token in fake.access_tokens
