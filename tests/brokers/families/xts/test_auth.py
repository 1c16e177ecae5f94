"""Logins per member variant: plain session, CompositEdge's third-party redirect (session JSON,
double-encoded or not), Jainam's placeholder accessToken; bad keys and expired tokens."""

from __future__ import annotations

from datetime import datetime, time
from urllib.parse import parse_qs, urlsplit

import pytest

from brokers.contract import AuthType, BrokerError, BrokerPlugin, SessionExpired
from brokers.families.xts.auth import decode_session, next_expiry
from brokers.families.xts.convert import IST
from brokers.registry import discover_manifests
from tests.brokers.families.xts.conftest import MEMBERS, redirect_url


def test_every_member_is_discovered_with_the_family_and_both_key_pairs():
    manifests, failed = discover_manifests()
    for name in MEMBERS:
        assert name not in failed
        manifest = manifests[name]
        assert manifest.family == "xts"
        assert manifest.entrypoint == f"brokers.families.xts.plugin:create_{name}"
        assert [f.name for f in manifest.credential_fields] == ["api_key", "api_secret", "market_api_key",
                                                                "market_api_secret"]
        expected = AuthType.OAUTH if name == "compositedge" else AuthType.API_KEY
        assert manifest.auth_type == expected


@pytest.mark.parametrize("member", MEMBERS)
async def test_login_gives_both_tokens(member, fake, plugin):
    assert isinstance(plugin, BrokerPlugin)
    url = plugin.login_url(fake.credentials, "st4te")
    if member == "compositedge":
        parts = urlsplit(url)
        assert parts.path == "/interactive/thirdparty"
        assert parse_qs(parts.query) == {"appKey": [fake.credentials["api_key"]], "returnURL": [redirect_url(member)]}
    else:
        assert url is None
    params = await fake.login_params(url)
    session = await plugin.authenticate(fake.credentials, params)
    assert session.broker == member
    assert session.access_token in fake.interactive_tokens
    assert session.feed_token in fake.md_tokens
    assert session.broker_user_id == "XT1234"
    assert session.expires_at.tzinfo is not None and session.expires_at.astimezone(IST).time() == time(3, 0)


async def test_the_market_data_login_goes_to_the_members_market_data_root(servers, plugins):
    fake = await servers("ibulls")
    fake.reset()
    plugin = await plugins("ibulls")
    await plugin.authenticate(fake.credentials, {})
    assert plugin.md_root.endswith("/apibinarymarketdata")
    # The fake only routes /apibinarymarketdata/auth/login for ibulls: a login elsewhere would 404.
    assert fake.md_tokens


@pytest.mark.parametrize("member", ["compositedge"])
@pytest.mark.parametrize("double", [True, False])
async def test_compositedge_session_json_single_or_double_encoded(member, fake, plugin, double):
    fake.double_encode_session = double
    params = await fake.login_params(plugin.login_url(fake.credentials, "s"))
    session = await plugin.authenticate(fake.credentials, params)
    assert session.access_token in fake.interactive_tokens


@pytest.mark.parametrize("member", ["compositedge"])
async def test_compositedge_rejects_a_forged_access_token(member, fake, plugin):
    with pytest.raises(BrokerError) as caught:
        await plugin.authenticate(fake.credentials, {"session": '{"accessToken": "forged"}'})
    assert "compositedge" in str(caught.value) and "Invalid accessToken" in caught.value.message
    with pytest.raises(BrokerError, match="no readable session"):
        await plugin.authenticate(fake.credentials, {"session": "not json"})
    with pytest.raises(BrokerError, match="no accessToken"):
        await plugin.authenticate(fake.credentials, {"session": '{"userID": "x"}'})


def test_decode_session_handles_double_encoding():
    assert decode_session("b", '"{\\"accessToken\\": \\"a\\"}"') == {"accessToken": "a"}
    assert decode_session("b", '{"accessToken": "a"}') == {"accessToken": "a"}


@pytest.mark.parametrize("member", ["iifl", "jainamxts"])
async def test_a_wrong_secret_is_refused_with_the_brokers_message(member, fake, plugin):
    wrong = {**fake.credentials, "api_secret": "nope"}
    with pytest.raises(BrokerError) as caught:
        await plugin.authenticate(wrong, {})
    assert not isinstance(caught.value, SessionExpired)
    assert caught.value.status == 401 and "Invalid appKey or secretKey" in caught.value.message
    assert str(caught.value).startswith(f"{member}:")
    wrong_md = {**fake.credentials, "market_api_secret": "nope"}
    with pytest.raises(BrokerError, match="Invalid appKey or secretKey"):
        await plugin.authenticate(wrong_md, {})


async def test_missing_credentials_are_named(fake, plugin):
    with pytest.raises(BrokerError, match="market_api_key"):
        await plugin.authenticate({"api_key": "k", "api_secret": "s"}, {})


async def test_expired_tokens_raise_session_expired_on_both_apis(fake, execution, data, lookup):
    fake.expire_tokens()
    with pytest.raises(SessionExpired) as interactive:
        await execution.funds()
    assert "log in again" in str(interactive.value) and str(interactive.value).startswith("iifl:")
    # Market data answers HTTP 400 + "Invalid Token": read from the envelope, not the status.
    with pytest.raises(SessionExpired):
        await data.quote(lookup.get("NSE", "SBIN"))


def test_expiry_is_the_next_0300_ist():
    assert next_expiry(datetime(2026, 11, 29, 2, 0, tzinfo=IST)) == datetime(2026, 11, 29, 3, 0, tzinfo=IST)
    assert next_expiry(datetime(2026, 11, 29, 9, 0, tzinfo=IST)) == datetime(2026, 11, 30, 3, 0, tzinfo=IST)
