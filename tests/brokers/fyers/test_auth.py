"""OAuth login end to end against the fake, its failures, token expiry, and discovery."""

import hashlib
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from brokers.contract import BrokerError, BrokerPlugin, SessionExpired
from brokers.fyers.auth import app_id_hash, jwt_claims
from brokers.fyers.manifest import MANIFEST
from brokers.registry import discover_manifests
from tests.brokers.fyers.conftest import REDIRECT
from tests.brokers.fyers.fake import FyersFake


def test_manifest_is_discovered_and_the_plugin_fits_the_contract(plugin):
    manifests, failed = discover_manifests()
    assert manifests["fyers"] is MANIFEST and "fyers" not in failed
    assert MANIFEST.auth_type == "oauth" and MANIFEST.entrypoint == "brokers.fyers.plugin:create"
    assert [f.name for f in MANIFEST.credential_fields] == ["api_key", "api_secret"]
    assert MANIFEST.login_fields == ()
    assert isinstance(plugin, BrokerPlugin)


def test_login_url_carries_the_oauth_parameters(plugin, fake):
    url = plugin.login_url(fake.credentials, "xyz")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == fake.urls["login"]
    assert parts.path == "/api/v3/generate-authcode"
    assert parse_qs(parts.query) == {"client_id": [FyersFake.APP_ID], "redirect_uri": [REDIRECT],
                                     "response_type": ["code"], "state": ["xyz"]}


async def test_full_login_yields_a_session(session, fake):
    assert session.broker == "fyers" and session.broker_user_id == FyersFake.FY_ID
    claims = fake.tokens[session.access_token]
    assert session.expires_at.tzinfo is not None
    assert session.expires_at == datetime.fromtimestamp(claims["exp"], UTC)
    assert session.expires_at.utcoffset().total_seconds() == 19800  # reported in IST
    assert session.extra["app_id"] == FyersFake.APP_ID
    assert session.access_token not in repr(session)
    assert jwt_claims(f"{FyersFake.APP_ID}:{session.access_token}")["hsm_key"] == claims["hsm_key"]


def test_app_id_hash_is_sha256_of_id_colon_secret():
    assert app_id_hash("A-100", "s") == hashlib.sha256(b"A-100:s").hexdigest()


async def test_bad_checksum_fails_the_login(plugin, fake):
    params = await fake.login_params(plugin.login_url(fake.credentials, "s"))
    wrong = {**fake.credentials, "api_secret": "not-the-secret"}
    with pytest.raises(BrokerError, match="login failed: Invalid appIdHash") as failure:
        await plugin.authenticate(wrong, params)
    assert failure.value.status == 401 and not isinstance(failure.value, SessionExpired)


async def test_an_auth_code_works_once(plugin, fake):
    params = await fake.login_params(plugin.login_url(fake.credentials, "s"))
    await plugin.authenticate(fake.credentials, params)
    with pytest.raises(BrokerError, match="Invalid auth code"):
        await plugin.authenticate(fake.credentials, params)


async def test_a_refused_login_callback_is_reported(plugin, fake):
    with pytest.raises(BrokerError, match="login failed: user cancelled"):
        await plugin.authenticate(fake.credentials, {"s": "error", "message": "user cancelled"})
    with pytest.raises(BrokerError, match="no auth_code"):
        await plugin.authenticate(fake.credentials, {"state": "s"})
    with pytest.raises(BrokerError, match="must be configured"):
        await plugin.authenticate({"api_key": "X-100"}, {"auth_code": "c"})


async def test_expired_token_raises_session_expired(plugin, session, lookup, fake):
    client = plugin.execution_client(session, lookup)
    assert isinstance(await client.orders(), list)
    fake.expire_tokens()
    with pytest.raises(SessionExpired, match="Your token has expired") as expired:
        await client.orders()
    assert expired.value.status == 401
    data = plugin.data_client(session, lookup)
    with pytest.raises(SessionExpired):
        await data.quote(lookup.get("NSE", "SBIN"))


async def test_login_page_rejects_a_foreign_client_id(plugin, fake):
    with pytest.raises(AssertionError, match="Invalid client_id"):
        await fake.login_params(plugin.login_url({"api_key": "OTHER-100"}, "s"))


def test_a_token_without_exp_expires_at_the_next_rollover():
    from zoneinfo import ZoneInfo

    from brokers.fyers.auth import token_expiry

    ist = ZoneInfo("Asia/Kolkata")
    assert token_expiry({}, datetime(2026, 11, 29, 10, 0, tzinfo=ist)) == datetime(2026, 11, 30, 6, 0, tzinfo=ist)
    assert token_expiry({}, datetime(2026, 11, 29, 5, 0, tzinfo=ist)) == datetime(2026, 11, 29, 6, 0, tzinfo=ist)
    assert jwt_claims("not-a-jwt") == {}
