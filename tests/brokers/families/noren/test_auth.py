"""Login per member: the OAuth redirect, the code exchange with its member-specific checksum,
and failures."""

from __future__ import annotations

import hashlib
from datetime import datetime, time
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from brokers.contract import AuthType, BrokerConfig, BrokerError, BrokerPlugin
from brokers.families.noren import auth
from brokers.families.noren.plugin import NorenPlugin
from brokers.registry import BrokerRegistry, discover_manifests
from tests.brokers.families.noren.conftest import MEMBERS, member_config

IST = ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize("name", MEMBERS)
def test_manifest_is_discovered_as_a_noren_oauth_member(name):
    manifests, failed = discover_manifests()
    assert name not in failed
    manifest = manifests[name]
    assert manifest.auth_type == AuthType.OAUTH and manifest.family == "noren"
    assert manifest.entrypoint == f"brokers.families.noren.plugin:create_{name}"
    assert {f.name for f in manifest.credential_fields} == {"user_id", "api_key", "api_secret"}
    required = {f.name for f in manifest.credential_fields if f.required}
    assert required == ({"api_key", "api_secret"} if name == "tradesmart" else {"user_id", "api_key", "api_secret"})
    assert manifest.login_fields == ()


async def test_registry_builds_every_member_from_its_entrypoint():
    registry = BrokerRegistry(enabled=MEMBERS, host_server="https://algo.example.com")
    await registry.start()
    try:
        for name in MEMBERS:
            plugin = registry.plugins[name]
            assert isinstance(plugin, BrokerPlugin) and isinstance(plugin, NorenPlugin)
            assert plugin.member.name == name and plugin.session_rollover == time(3, 0)
    finally:
        await registry.stop()


@pytest.mark.parametrize(("name", "url"), [
    ("shoonya", "https://api.shoonya.com/OAuthlogin/authorize/oauth?client_id=CID"),
    ("zebu", "https://go.mynt.in/OAuthlogin/authorize/oauth?client_id=CID"),
    ("tradesmart", "https://v2api.tradesmartonline.in/OAuthlogin/authorize/oauth?client_id=CID"),
    ("flattrade", "https://auth.flattrade.in/?app_key=CID"),
])
async def test_login_url_per_member(name, url):
    plugin = NorenPlugin(member_config(name), BrokerConfig())
    try:
        assert plugin.login_url({"api_key": "CID"}, "st") == url
        # OpenAlgo's packed BROKER_API_KEY (uid:::key) is accepted too.
        assert parse_qs(urlsplit(plugin.login_url({"api_key": "U1:::CID"}, "st")).query) in (
            {"client_id": ["CID"]}, {"app_key": ["CID"]})
    finally:
        await plugin.close()


def test_checksums_differ_in_order():
    assert auth.genacstok_checksum("k", "s", "c") == hashlib.sha256(b"ksc").hexdigest()
    assert auth.flattrade_checksum("k", "c", "s") == hashlib.sha256(b"kcs").hexdigest()


def test_token_expires_at_three_ist():
    member = member_config("shoonya")
    assert auth.expiry_after(datetime(2025, 11, 27, 9, 30, tzinfo=IST), member) == datetime(2025, 11, 28, 3, 0,
                                                                                             tzinfo=IST)
    assert auth.expiry_after(datetime(2025, 11, 27, 2, 0, tzinfo=IST), member) == datetime(2025, 11, 27, 3, 0,
                                                                                           tzinfo=IST)


async def test_login_end_to_end(fake, plugin, member):
    params = await fake.login_params(plugin.login_url(fake.credentials, "st4te"))
    assert params["code"]
    if member == "flattrade":
        assert params["client"] == fake.spec.uid
    session = await plugin.authenticate(fake.credentials, params)
    assert session.broker == member and session.broker_user_id == fake.spec.uid
    assert session.extra["uid"] == session.extra["actid"] == fake.spec.uid
    assert session.access_token in fake.access_tokens
    assert session.expires_at.astimezone(IST).time() == time(3, 0) and session.expires_at > datetime.now(IST)


async def test_bad_secret_fails_the_checksum(fake, plugin, member):
    params = await fake.login_params(plugin.login_url(fake.credentials, "s"))
    with pytest.raises(BrokerError, match=f"{member}: login failed: Invalid (checksum|api_secret)") as failure:
        await plugin.authenticate({**fake.credentials, "api_secret": "wrong"}, params)
    assert failure.value.status == 401


async def test_code_is_single_use_and_required(fake, plugin, member):
    params = await fake.login_params(plugin.login_url(fake.credentials, "s"))
    await plugin.authenticate(fake.credentials, params)
    with pytest.raises(BrokerError, match="login failed"):
        await plugin.authenticate(fake.credentials, params)
    with pytest.raises(BrokerError, match="missing code"):
        await plugin.authenticate(fake.credentials, {})


async def test_tradesmart_accepts_request_token_and_learns_the_uid(fake_servers, plugins):
    fake, plugin = fake_servers["tradesmart"], plugins["tradesmart"]
    params = dict(await fake.login_params(plugin.login_url(fake.credentials, "s")))
    params["request_token"] = params.pop("code")
    assert "user_id" not in fake.credentials
    session = await plugin.authenticate(fake.credentials, params)
    assert session.broker_user_id == "TS1001"
